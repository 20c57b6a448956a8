"use client";

import type { MouseEvent } from "react";
import type { ImageJson } from "@/lib/api/schemas";
import { PlaceholderImage } from "@/components/placeholder-image";

/** The row heights the grid aims at (CSS --row-h in gallery.tsx): 140 px on phones, 200 px from the sm breakpoint. */
const ROW_HEIGHT = { phone: 140, wide: 200 };

/** The image's displayed aspect (its thumbnails keep it; EXIF orientation is already applied). */
const aspectOf = (image: ImageJson) => (image.height > 0 ? image.width / image.height : 1);

/**
 * `srcset` over the plan's heights (each file's own width) and `sizes` from the tile's width at the
 * row height: the browser takes the smallest thumbnail that is sharp on this screen.
 */
function thumbnailSources(image: ImageJson): { srcSet: string; sizes: string } {
  const ratio = aspectOf(image);
  return {
    srcSet: image.thumbnails.map((t) => `${t.url} ${t.width}w`).join(", "),
    sizes: `(min-width: 640px) ${Math.floor(ratio * ROW_HEIGHT.wide)}px, ${Math.floor(ratio * ROW_HEIGHT.phone)}px`,
  };
}

/**
 * One cell of the justified grid: grows in proportion to its aspect ratio, so every image of a
 * row ends up the same height and the row fills the width (Flickr's and Google Photos' layout, in
 * CSS alone: flex-grow and flex-basis proportional to the ratio). A link to the image that opens
 * the viewer over the gallery; in select mode, a toggle.
 */
export function ImageTile({
  image,
  selecting,
  selected,
  onOpen,
  onToggle,
}: {
  image: ImageJson;
  selecting: boolean;
  selected: boolean;
  onOpen: () => void;
  onToggle: (event: MouseEvent | { shiftKey: boolean }) => void;
}) {
  const ratio = aspectOf(image);
  const thumb = image.thumbnails[0];
  const processing = image.status === "processing";
  const picture = (
    <>
      <div className="relative bg-subtle" style={{ aspectRatio: `${ratio}` }}>
        {thumb && (
          <PlaceholderImage
            placeholder={image.placeholder}
            src={thumb.url}
            {...thumbnailSources(image)}
            // The link or button around it is named after the image, and its caption shows the name.
            alt=""
            loading="lazy"
            decoding="async"
            width={thumb.width}
            height={thumb.height}
            className="absolute inset-0 h-full w-full object-cover"
          />
        )}
        {processing && (
          <span className="absolute left-2 top-2 inline-flex items-center gap-1 rounded bg-slate-900/85 px-2 py-0.5 text-xs font-medium text-white">
            <svg aria-hidden="true" viewBox="0 0 24 24" className="h-3 w-3 animate-spin" fill="none">
              <circle cx="12" cy="12" r="9" stroke="currentColor" strokeOpacity="0.35" strokeWidth="3" />
              <path d="M21 12a9 9 0 0 0-9-9" stroke="currentColor" strokeWidth="3" strokeLinecap="round" />
            </svg>
            Processing
          </span>
        )}
        {selecting && (
          <span
            aria-hidden="true"
            className={`absolute right-2 top-2 flex h-6 w-6 items-center justify-center rounded-full border-2 ${
              selected ? "border-white bg-sky-700 text-white" : "border-white bg-slate-900/40 text-transparent"
            }`}
          >
            <svg viewBox="0 0 20 20" className="h-4 w-4" fill="currentColor">
              <path d="M8.1 13.6 4.5 10l-1.4 1.4 5 5 9-9-1.4-1.4z" />
            </svg>
          </span>
        )}
      </div>
      <span className="block truncate px-2 py-1 text-left text-xs font-medium text-fg-soft">{image.name}</span>
    </>
  );
  const focusRing =
    "block focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-500 focus-visible:ring-offset-2";
  return (
    <li
      // Rings, not borders: a border would take from the width and break the rows' equal heights.
      className={`overflow-hidden rounded-md bg-surface ${selected ? "ring-[3px] ring-sky-700" : "ring-1 ring-line"}`}
      style={{ flexGrow: ratio, flexBasis: `calc(var(--row-h) * ${ratio})` }}
      data-testid="image-tile"
    >
      {selecting ? (
        <button
          type="button"
          aria-pressed={selected}
          aria-label={`Select ${image.name}`}
          className={`${focusRing} w-full`}
          onClick={(event) => onToggle(event)}
        >
          {picture}
        </button>
      ) : (
        <a
          href={`/images/${image.id}`}
          aria-label={image.name}
          className={focusRing}
          onClick={(event) => {
            // A plain click opens the viewer; a modified one (new tab, window) follows the link.
            if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
            event.preventDefault();
            onOpen();
          }}
        >
          {picture}
        </a>
      )}
    </li>
  );
}
