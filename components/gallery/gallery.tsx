"use client";

import { useSearchParams } from "next/navigation";
import { type MouseEvent, useCallback, useEffect, useMemo, useRef, useState } from "react";
import type { ImageJson } from "@/lib/api/schemas";
import { apiFetch } from "@/components/api-client";
import { BulkActions } from "./bulk-actions";
import { ImageTile } from "./image-tile";
import { Uploader } from "./uploader";
import { UsageBar } from "./usage-bar";
import { Viewer } from "./viewer";

type Page = { items: ImageJson[]; next_cursor: string | null };
type GallerySort = "newest" | "oldest" | "name";
export type GalleryQuery = { q: string; sort: GallerySort };

const PAGE_SIZE = 24;
const SEARCH_DELAY_MS = 250;
const SORT_LABELS: Record<GallerySort, string> = { newest: "Newest first", oldest: "Oldest first", name: "Name (A–Z)" };

const listPath = (query: GalleryQuery, cursor?: string) => {
  const params = new URLSearchParams({ limit: String(PAGE_SIZE) });
  if (query.q) params.set("q", query.q);
  if (query.sort !== "newest") params.set("sort", query.sort);
  if (cursor) params.set("cursor", cursor);
  return `/api/v1/images?${params}`;
};

/** The gallery's own URL for this state: search, sort and the open image are all in it. */
function galleryUrl(query: GalleryQuery, imageId: string | null): string {
  const params = new URLSearchParams();
  if (query.q) params.set("q", query.q);
  if (query.sort !== "newest") params.set("sort", query.sort);
  if (imageId) params.set("image", imageId);
  const search = params.toString();
  return search ? `/?${search}` : "/";
}

const control =
  "rounded border border-field bg-surface px-2 py-1.5 text-sm focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-500";

/**
 * The user's images in justified rows, searched and sorted on the server, loading further pages
 * as the end of the grid scrolls into view. A tile opens the viewer over the grid (the URL names
 * the image, so Back closes it); select mode picks tiles (click, shift-click ranges, keyboard) for
 * bulk delete and bulk expiring links.
 */
export function Gallery({
  initial,
  initialQuery,
  usage,
  maxUploadBytes,
  expiringLinks,
}: {
  initial: Page;
  /** The search and sort the first page was read with (from the URL). */
  initialQuery: GalleryQuery;
  /** Storage used and the plan's quota (null: unlimited) as the page was rendered; uploads here add to it. */
  usage: { bytes: number; quotaBytes: number | null };
  /** The largest file the plan takes, in bytes: the uploader refuses bigger ones before sending. */
  maxUploadBytes: number;
  /** The plan makes expiring links: select mode offers them. */
  expiringLinks: boolean;
}) {
  const [items, setItems] = useState(initial.items);
  const [bytesUsed, setBytesUsed] = useState(usage.bytes);
  const [cursor, setCursor] = useState(initial.next_cursor);
  const [query, setQuery] = useState(initialQuery);
  const [searchText, setSearchText] = useState(initialQuery.q);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [selecting, setSelecting] = useState(false);
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const anchor = useRef<number | null>(null);
  const sentinel = useRef<HTMLDivElement>(null);
  // Answers to an older search or sort are dropped.
  const generation = useRef(0);
  const openedHere = useRef(false);
  const [lonely, setLonely] = useState<ImageJson | null>(null);

  const openId = useSearchParams().get("image");

  const loadMore = useCallback(async () => {
    if (!cursor || loading) return;
    const mine = generation.current;
    setLoading(true);
    setError(null);
    try {
      const page = await apiFetch<Page>(listPath(query, cursor));
      if (mine !== generation.current) return;
      setItems((current) => {
        const seen = new Set(current.map((i) => i.id));
        return [...current, ...page.items.filter((i) => !seen.has(i.id))];
      });
      setCursor(page.next_cursor);
    } catch (e) {
      if (mine === generation.current) setError((e as Error).message);
    } finally {
      // A newer search or sort owns `loading` now.
      if (mine === generation.current) setLoading(false);
    }
  }, [cursor, loading, query]);

  useEffect(() => {
    const node = sentinel.current;
    // After a failure only the Retry button loads again: the sentinel in view would ask in a loop.
    if (!node || error) return;
    const observer = new IntersectionObserver((entries) => entries.some((e) => e.isIntersecting) && loadMore(), {
      rootMargin: "600px",
    });
    observer.observe(node);
    return () => observer.disconnect();
  }, [loadMore, error]);

  /** A new search or sort: its first page replaces the grid, and the URL says what is shown. */
  const applyQuery = useCallback(async (next: GalleryQuery) => {
    const mine = ++generation.current;
    setQuery(next);
    // The old cursor belongs to the old order: nothing loads more until the new first page is here.
    setCursor(null);
    window.history.replaceState(null, "", galleryUrl(next, null));
    setLoading(true);
    setError(null);
    try {
      const page = await apiFetch<Page>(listPath(next));
      if (mine !== generation.current) return;
      setItems(page.items);
      setCursor(page.next_cursor);
      setSelected(new Set());
      anchor.current = null;
    } catch (e) {
      if (mine === generation.current) setError((e as Error).message);
    } finally {
      if (mine === generation.current) setLoading(false);
    }
  }, []);

  useEffect(() => {
    const q = searchText.trim();
    if (q === query.q) return;
    const timer = setTimeout(() => applyQuery({ ...query, q }), SEARCH_DELAY_MS);
    return () => clearTimeout(timer);
  }, [searchText, query, applyQuery]);

  const onUploaded = useCallback((image: ImageJson) => {
    setItems((current) => [image, ...current]);
    setBytesUsed((used) => used + image.bytes);
  }, []);

  /** A renamed image (the uploader's inline rename, or the viewer's) replaces its old self in place. */
  const onRenamed = useCallback((image: ImageJson) => {
    setItems((current) => current.map((i) => (i.id === image.id ? image : i)));
  }, []);

  // The viewer: the image the URL names, among those loaded (or fetched alone for a shared URL).
  const openIndex = openId ? items.findIndex((i) => i.id === openId) : -1;
  useEffect(() => {
    if (!openId || openIndex >= 0 || lonely?.id === openId) return;
    apiFetch<ImageJson>(`/api/v1/images/${encodeURIComponent(openId)}`)
      .then(setLonely)
      .catch(() => window.history.replaceState(null, "", galleryUrl(query, null)));
  }, [openId, openIndex, lonely, query]);
  // Near the end of what is loaded, the next page comes, so → keeps going.
  useEffect(() => {
    if (openIndex >= 0 && openIndex >= items.length - 2) void loadMore();
  }, [openIndex, items.length, loadMore]);

  const open = (image: ImageJson) => {
    openedHere.current = true;
    window.history.pushState(null, "", galleryUrl(query, image.id));
  };
  const move = useCallback(
    (delta: -1 | 1) => {
      const next = items[openIndex + delta];
      if (next) window.history.replaceState(null, "", galleryUrl(query, next.id));
    },
    [items, openIndex, query],
  );
  const close = useCallback(() => {
    // Opened from here: Back takes the entry off, as the browser's Back button does; else drop it.
    if (openedHere.current) {
      openedHere.current = false;
      window.history.back();
    } else window.history.replaceState(null, "", galleryUrl(query, null));
  }, [query]);
  const viewed = openIndex >= 0 ? items[openIndex] : lonely?.id === openId ? lonely : null;

  // Select mode.
  const toggle = (index: number, event: MouseEvent | { shiftKey: boolean }) => {
    const image = items[index];
    if (!image) return;
    // Read now: the updater runs later, after the anchor has moved.
    const from = anchor.current;
    setSelected((current) => {
      const next = new Set(current);
      if (event.shiftKey && from !== null) {
        const [start, end] = [Math.min(from, index), Math.max(from, index)];
        for (const i of items.slice(start, end + 1)) next.add(i.id);
      } else if (next.has(image.id)) next.delete(image.id);
      else next.add(image.id);
      return next;
    });
    anchor.current = index;
  };
  const selectedImages = useMemo(() => items.filter((i) => selected.has(i.id)), [items, selected]);
  const endSelecting = () => {
    setSelecting(false);
    setSelected(new Set());
    anchor.current = null;
  };
  const onDeleted = (ids: string[]) => {
    const gone = new Set(ids);
    const freed = items.filter((i) => gone.has(i.id)).reduce((sum, i) => sum + i.bytes, 0);
    setItems((current) => current.filter((i) => !gone.has(i.id)));
    setSelected((current) => new Set([...current].filter((id) => !gone.has(id))));
    setBytesUsed((used) => Math.max(0, used - freed));
  };

  const searching = query.q !== "";
  return (
    <div className="flex flex-col gap-6">
      <UsageBar bytes={bytesUsed} quotaBytes={usage.quotaBytes} label="Storage used" />
      <Uploader onUploaded={onUploaded} onRenamed={onRenamed} maxUploadBytes={maxUploadBytes} />

      <div role="toolbar" aria-label="Gallery" className="flex flex-wrap items-end gap-3">
        {selecting ? (
          <>
            <p className="text-sm font-medium" aria-live="polite">
              {selected.size} selected
            </p>
            <button
              type="button"
              className={control}
              onClick={() => setSelected(new Set(items.map((i) => i.id)))}
              disabled={items.length === 0}
            >
              Select all
            </button>
            <BulkActions
              selected={selectedImages}
              expiringLinks={expiringLinks}
              onDeleted={onDeleted}
              onDone={endSelecting}
            />
            <button type="button" className={control} onClick={endSelecting}>
              Cancel
            </button>
          </>
        ) : (
          <>
            <label className="flex min-w-48 flex-1 flex-col gap-1 text-sm font-medium">
              Search by name
              <input
                type="search"
                value={searchText}
                onChange={(e) => setSearchText(e.target.value)}
                maxLength={100}
                placeholder="e.g. harbour"
                className={`${control} font-normal`}
              />
            </label>
            <label className="flex flex-col gap-1 text-sm font-medium">
              Sort
              <select
                value={query.sort}
                onChange={(e) => applyQuery({ ...query, sort: e.target.value as GallerySort })}
                className={`${control} font-normal`}
              >
                {(Object.keys(SORT_LABELS) as GallerySort[]).map((sort) => (
                  <option key={sort} value={sort}>
                    {SORT_LABELS[sort]}
                  </option>
                ))}
              </select>
            </label>
            <button type="button" className={control} onClick={() => setSelecting(true)} disabled={items.length === 0}>
              Select
            </button>
          </>
        )}
      </div>

      {items.length === 0 && !loading ? (
        <div className="rounded-lg border border-dashed border-field bg-surface p-10 text-center">
          {searching ? (
            <p className="text-lg font-medium">No images named like “{query.q}”</p>
          ) : (
            <>
              <p className="text-lg font-medium">No images yet</p>
              <p className="text-sm text-muted">
                Drop a PNG or JPEG above, or choose files, to make your first upload.
              </p>
            </>
          )}
        </div>
      ) : (
        <ul
          aria-label="Images"
          // A last-row spacer that takes the spare width, so the last row keeps the row height.
          className="flex flex-wrap gap-2 [--row-h:140px] after:grow-[1000000] after:content-[''] sm:[--row-h:200px]"
        >
          {items.map((image, index) => (
            <ImageTile
              key={image.id}
              image={image}
              selecting={selecting}
              selected={selected.has(image.id)}
              onOpen={() => open(image)}
              onToggle={(event) => toggle(index, event)}
            />
          ))}
        </ul>
      )}
      <div ref={sentinel} aria-hidden="true" />
      {loading && <p className="text-center text-sm text-muted">Loading…</p>}
      {error && (
        <p role="alert" className="text-center text-sm text-danger">
          {error}{" "}
          <button
            type="button"
            // Without a cursor the failure was a new search's first page: ask for it again.
            onClick={() => (cursor ? loadMore() : applyQuery(query))}
            className="underline"
          >
            Retry
          </button>
        </p>
      )}
      {viewed && (
        <Viewer
          image={viewed}
          position={{
            index: Math.max(0, openIndex),
            total: openIndex >= 0 ? items.length : 1,
            hasPrevious: openIndex > 0,
            hasNext: openIndex >= 0 && openIndex < items.length - 1,
          }}
          onMove={move}
          onClose={close}
        />
      )}
    </div>
  );
}
