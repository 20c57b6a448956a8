"use client";

import { useCallback, useEffect, useRef, useState } from "react";
import type { ImageJson } from "@/lib/api/schemas";
import { apiFetch } from "@/components/api-client";
import { ImageTile } from "./image-tile";
import { Uploader } from "./uploader";
import { UsageBar } from "./usage-bar";

type Page = { items: ImageJson[]; next_cursor: string | null };

/** The user's images, newest first, loading further pages as the end of the grid scrolls into view. */
export function Gallery({
  initial,
  usage,
}: {
  initial: Page;
  /** Storage used and the plan's quota (null: unlimited) as the page was rendered; uploads here add to it. */
  usage: { bytes: number; quotaBytes: number | null };
}) {
  const [items, setItems] = useState(initial.items);
  const [bytesUsed, setBytesUsed] = useState(usage.bytes);
  const [cursor, setCursor] = useState(initial.next_cursor);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const sentinel = useRef<HTMLDivElement>(null);

  const loadMore = useCallback(async () => {
    if (!cursor || loading) return;
    setLoading(true);
    setError(null);
    try {
      const page = await apiFetch<Page>(`/api/v1/images?limit=24&cursor=${encodeURIComponent(cursor)}`);
      setItems((current) => {
        const seen = new Set(current.map((i) => i.id));
        return [...current, ...page.items.filter((i) => !seen.has(i.id))];
      });
      setCursor(page.next_cursor);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setLoading(false);
    }
  }, [cursor, loading]);

  useEffect(() => {
    const node = sentinel.current;
    if (!node) return;
    const observer = new IntersectionObserver((entries) => entries.some((e) => e.isIntersecting) && loadMore(), {
      rootMargin: "600px",
    });
    observer.observe(node);
    return () => observer.disconnect();
  }, [loadMore]);

  const onUploaded = useCallback((image: ImageJson) => {
    setItems((current) => [image, ...current]);
    setBytesUsed((used) => used + image.bytes);
  }, []);

  return (
    <div className="flex flex-col gap-6">
      <UsageBar bytes={bytesUsed} quotaBytes={usage.quotaBytes} label="Storage used" />
      <Uploader onUploaded={onUploaded} />
      {items.length === 0 ? (
        <div className="rounded-lg border border-dashed border-slate-300 bg-white p-10 text-center">
          <p className="text-lg font-medium">No images yet</p>
          <p className="text-sm text-slate-600">
            Drop a PNG or JPEG above, or choose files, to make your first upload.
          </p>
        </div>
      ) : (
        <ul aria-label="Images" className="grid grid-cols-2 gap-4 sm:grid-cols-3 lg:grid-cols-4">
          {items.map((image) => (
            <ImageTile key={image.id} image={image} />
          ))}
        </ul>
      )}
      <div ref={sentinel} aria-hidden="true" />
      {loading && <p className="text-center text-sm text-slate-500">Loading more…</p>}
      {error && (
        <p role="alert" className="text-center text-sm text-red-700">
          {error}{" "}
          <button type="button" onClick={loadMore} className="underline">
            Retry
          </button>
        </p>
      )}
    </div>
  );
}
