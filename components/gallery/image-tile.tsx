import Link from "next/link";
import type { ImageJson } from "@/lib/api/schemas";
import { formatBytes } from "@/lib/format";
import { PlaceholderImage } from "@/components/placeholder-image";

/** One grid cell: the plan's smallest thumbnail in a box of the image's own aspect, so nothing jumps as it loads. */
export function ImageTile({ image }: { image: ImageJson }) {
  const thumb = image.thumbnails[0];
  return (
    <li className="overflow-hidden rounded-lg border border-slate-200 bg-white shadow-sm">
      <Link
        href={`/images/${image.id}`}
        className="block focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-500"
      >
        <div className="flex aspect-[4/3] items-center justify-center bg-slate-100">
          {thumb && (
            <PlaceholderImage
              placeholder={image.placeholder}
              src={thumb.url}
              alt={image.name}
              loading="lazy"
              decoding="async"
              width={thumb.width}
              height={Math.min(thumb.height, image.height)}
              style={{ aspectRatio: `${image.width} / ${image.height}` }}
              className="max-h-full max-w-full object-contain"
            />
          )}
        </div>
        <div className="px-3 py-2">
          <p className="truncate text-sm font-medium" title={image.name}>
            {image.name}
          </p>
          <p className="text-xs text-slate-500">
            {image.width}×{image.height} · {formatBytes(image.bytes)}
          </p>
        </div>
      </Link>
    </li>
  );
}
