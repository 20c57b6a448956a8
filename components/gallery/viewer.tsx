"use client";

import { useEffect, useRef } from "react";
import type { ImageJson } from "@/lib/api/schemas";
import { PlaceholderImage } from "@/components/placeholder-image";
import { useModal } from "@/components/use-modal";

/** A horizontal swipe this long (px), more sideways than up or down, moves to the next or previous image. */
const SWIPE_PX = 50;

const buttonClass =
  "rounded-full bg-white/10 p-2 text-white hover:bg-white/25 focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-400 disabled:opacity-30";

/**
 * The large view over the gallery: the largest thumbnail the plan allows, its placeholder painted
 * at once. ← and → (or a swipe, or the buttons) move, Esc closes. A modal `<dialog>`: focus goes
 * into it, the page behind is inert while it is open, and focus goes back to where it was after.
 * The gallery keeps the open image in the URL.
 */
export function Viewer({
  image,
  position,
  onMove,
  onClose,
}: {
  image: ImageJson;
  /** "3 of 24" and whether there is a previous/next image among those loaded. */
  position: { index: number; total: number; hasPrevious: boolean; hasNext: boolean };
  onMove: (delta: -1 | 1) => void;
  onClose: () => void;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const swipe = useRef<{ x: number; y: number } | null>(null);
  const largest = image.thumbnails.at(-1);

  useModal(dialog, onClose, (element) => element);
  useEffect(() => {
    // The page behind must not scroll under a full-screen view (the wheel, or a swipe on touch).
    const overflow = document.body.style.overflow;
    document.body.style.overflow = "hidden";
    return () => {
      document.body.style.overflow = overflow;
    };
  }, []);

  useEffect(() => {
    function onKey(event: KeyboardEvent) {
      if (event.key === "ArrowLeft" && position.hasPrevious) onMove(-1);
      else if (event.key === "ArrowRight" && position.hasNext) onMove(1);
      else return;
      event.preventDefault();
    }
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [onMove, position.hasPrevious, position.hasNext]);

  return (
    <dialog
      ref={dialog}
      aria-label={image.name}
      tabIndex={-1}
      className="m-0 h-full max-h-none w-full max-w-none flex-col bg-black/95 text-white open:flex focus:outline-none backdrop:bg-black"
      onPointerDown={(e) => (swipe.current = { x: e.clientX, y: e.clientY })}
      onPointerUp={(e) => {
        const start = swipe.current;
        swipe.current = null;
        if (!start) return;
        const dx = e.clientX - start.x;
        if (Math.abs(dx) < SWIPE_PX || Math.abs(dx) < Math.abs(e.clientY - start.y)) return;
        if (dx < 0 && position.hasNext) onMove(1);
        if (dx > 0 && position.hasPrevious) onMove(-1);
      }}
    >
      <div className="flex items-center gap-3 px-4 py-3">
        <p className="min-w-0 flex-1 truncate font-medium" title={image.name}>
          {image.name}
        </p>
        <p className="text-sm text-slate-300" aria-live="polite">
          {position.index + 1} of {position.total}
        </p>
        <a
          href={`/images/${image.id}`}
          className="rounded px-2 py-1 text-sm underline hover:bg-white/10 focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-400"
        >
          Details
        </a>
        <button type="button" onClick={onClose} className={buttonClass} aria-label="Close viewer">
          <svg
            aria-hidden="true"
            viewBox="0 0 24 24"
            className="h-5 w-5"
            fill="none"
            stroke="currentColor"
            strokeWidth="2"
          >
            <path d="M6 6l12 12M18 6L6 18" strokeLinecap="round" />
          </svg>
        </button>
      </div>
      <div className="relative flex min-h-0 flex-1 items-center justify-center px-2 pb-4 sm:px-16">
        {largest && (
          <PlaceholderImage
            key={image.id}
            placeholder={image.placeholder}
            src={largest.url}
            alt={image.name}
            width={largest.width}
            height={largest.height}
            draggable={false}
            className="max-h-full max-w-full select-none object-contain"
            style={{ aspectRatio: `${image.width} / ${image.height}` }}
          />
        )}
        <button
          type="button"
          onClick={() => onMove(-1)}
          disabled={!position.hasPrevious}
          className={`${buttonClass} absolute left-2 top-1/2 -translate-y-1/2`}
          aria-label="Previous image"
        >
          <svg
            aria-hidden="true"
            viewBox="0 0 24 24"
            className="h-6 w-6"
            fill="none"
            stroke="currentColor"
            strokeWidth="2"
          >
            <path d="M15 5l-7 7 7 7" strokeLinecap="round" strokeLinejoin="round" />
          </svg>
        </button>
        <button
          type="button"
          onClick={() => onMove(1)}
          disabled={!position.hasNext}
          className={`${buttonClass} absolute right-2 top-1/2 -translate-y-1/2`}
          aria-label="Next image"
        >
          <svg
            aria-hidden="true"
            viewBox="0 0 24 24"
            className="h-6 w-6"
            fill="none"
            stroke="currentColor"
            strokeWidth="2"
          >
            <path d="M9 5l7 7-7 7" strokeLinecap="round" strokeLinejoin="round" />
          </svg>
        </button>
      </div>
    </dialog>
  );
}
