"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { PlaceholderImage } from "@/components/placeholder-image";
import type { ImageJson, TempLinkJson } from "@/lib/api/schemas";
import { formatBytes } from "@/lib/format";
import { apiFetch } from "@/components/api-client";
import { CopyButton } from "@/components/copy-button";
import { TempLinks } from "./temp-links";

const button =
  "rounded px-3 py-1.5 text-sm font-medium focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-500";

export function ImageDetail(props: {
  image: ImageJson;
  planName: string;
  expiringLinks: boolean;
  initialLinks: TempLinkJson[];
}) {
  const { image } = props;
  const router = useRouter();
  const [confirming, setConfirming] = useState(false);
  const [deleteError, setDeleteError] = useState<string | null>(null);

  async function remove() {
    try {
      await apiFetch(`/api/v1/images/${image.id}`, { method: "DELETE" });
      router.push("/");
      router.refresh();
    } catch (e) {
      setDeleteError((e as Error).message);
    }
  }

  const largest = image.thumbnails.at(-1);
  return (
    <article className="flex flex-col gap-6">
      <Link href="/" className="self-start text-sm text-accent underline">
        ← Gallery
      </Link>
      {largest && (
        <figure className="flex justify-center rounded-lg bg-slate-900 p-2 sm:p-4" data-testid="preview">
          <PlaceholderImage
            placeholder={image.placeholder}
            src={largest.url}
            alt={image.name}
            width={largest.width}
            height={Math.min(largest.height, image.height)}
            style={{ aspectRatio: `${image.width} / ${image.height}` }}
            className="max-h-[70vh] w-auto max-w-full object-contain"
          />
        </figure>
      )}
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div className="min-w-0">
          <h1 className="break-words text-2xl font-semibold">{image.name}</h1>
          <p className="text-sm text-muted">
            {image.width}×{image.height} px · {image.content_type} · {formatBytes(image.bytes)} · uploaded{" "}
            <time dateTime={image.created_at}>{new Date(image.created_at).toLocaleString()}</time>
          </p>
        </div>
        <div className="flex flex-wrap items-center gap-2">
          {image.original && (
            <a href={`${image.original.url}?download=1`} className={`${button} bg-sky-700 text-white hover:bg-sky-800`}>
              Download original
            </a>
          )}
          {confirming ? (
            <div role="group" aria-label="Confirm deletion" className="flex flex-wrap items-center gap-2">
              <span className="text-sm">Delete this image and all its links?</span>
              <button type="button" onClick={remove} className={`${button} bg-red-700 text-white hover:bg-red-800`}>
                Yes, delete
              </button>
              <button
                type="button"
                onClick={() => setConfirming(false)}
                className={`${button} border border-field hover:bg-subtle`}
              >
                Cancel
              </button>
            </div>
          ) : (
            <button
              type="button"
              onClick={() => setConfirming(true)}
              className={`${button} border border-danger text-danger hover:bg-danger-subtle`}
            >
              Delete image
            </button>
          )}
        </div>
      </div>
      {deleteError && (
        <p role="alert" className="text-sm text-danger">
          {deleteError}
        </p>
      )}

      <section aria-labelledby="thumbs-heading" className="flex flex-col gap-3">
        <h2 id="thumbs-heading" className="text-lg font-semibold">
          Thumbnails
        </h2>
        <p className="text-sm text-muted">
          These links work only for you (signed in, or with your API token). To share an image with anyone, make an
          expiring link
          {props.expiringLinks ? " below" : " (plans with expiring links)"}.
        </p>
        {/* One row, top-aligned; it scrolls sideways on a narrow screen rather than wrapping. */}
        <ul className="flex items-start gap-6 overflow-x-auto pb-2">
          {image.thumbnails.map((t) => (
            <li key={t.height} className="flex shrink-0 flex-col gap-2" data-testid="thumbnail">
              <PlaceholderImage
                placeholder={image.placeholder}
                src={t.url}
                alt={`${image.name}, ${t.height} px thumbnail`}
                width={t.width}
                height={Math.min(t.height, image.height)}
                className="rounded border border-line bg-surface"
              />
              <div className="flex flex-wrap items-center gap-2 text-sm">
                <span className="font-medium">{t.height} px</span>
                <a href={t.url} target="_blank" rel="noreferrer" className="text-accent underline">
                  Open {t.height} px
                </a>
                <CopyButton text={t.url} label={`Copy ${t.height} px link`} />
              </div>
            </li>
          ))}
        </ul>
      </section>

      <section aria-labelledby="original-heading" className="flex flex-col gap-2">
        <h2 id="original-heading" className="text-lg font-semibold">
          Original
        </h2>
        {image.original ? (
          <div className="flex flex-wrap items-center gap-2 text-sm">
            <a href={image.original.url} target="_blank" rel="noreferrer" className="text-accent underline">
              Open original
            </a>
            <CopyButton text={image.original.url} label="Copy original link" />
            <span className="text-muted">(only for you)</span>
          </div>
        ) : (
          <p className="text-sm text-muted">Your plan ({props.planName}) does not include the original image.</p>
        )}
      </section>

      {props.expiringLinks && <TempLinks imageId={image.id} initialLinks={props.initialLinks} />}
    </article>
  );
}
