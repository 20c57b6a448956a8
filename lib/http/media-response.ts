import { contentDisposition } from "@/lib/images/download-name";
import type { MediaFile } from "@/lib/images/media";

const YEAR = 365 * 24 * 3600;

function matches(ifNoneMatch: string | null, etag: string): boolean {
  if (!ifNoneMatch) return false;
  return ifNoneMatch.trim() === "*" || ifNoneMatch.split(",").some((t) => t.trim().replace(/^W\//, "") === etag);
}

type MediaOptions = {
  /** Overrides the cache policy the file implies (immutable variants, revalidated originals). */
  cacheControl?: string;
  /** `?download=1`: `attachment`, so a browser saves the file rather than shows it. */
  download?: boolean;
};

/**
 * Sends a stored file with headers that keep it inert in a browser (nosniff, no active content)
 * and private to the requester's cache, under the image's name; answers 304 without touching
 * storage when it can.
 */
export async function mediaResponse(
  request: Request,
  file: MediaFile,
  { cacheControl, download = false }: MediaOptions = {},
): Promise<Response> {
  const headers = new Headers({
    "Content-Type": file.contentType,
    ETag: file.etag,
    "Cache-Control": cacheControl ?? (file.immutable ? `private, max-age=${YEAR}, immutable` : "private, no-cache"),
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'",
    "Content-Disposition": contentDisposition(file.name, file.contentType, download ? "attachment" : "inline"),
  });
  if (file.varyBy) headers.set("Vary", file.varyBy);
  // An expiring link is a capability in its URL: opened as a page, it never passes itself on as a Referer.
  if (new URL(request.url).pathname.startsWith("/l/")) headers.set("Referrer-Policy", "no-referrer");
  if (matches(request.headers.get("if-none-match"), file.etag)) return new Response(null, { status: 304, headers });
  const stored = await file.open();
  headers.set("Content-Length", String(stored.size));
  if (request.method === "HEAD") {
    await stored.body.cancel();
    return new Response(null, { status: 200, headers });
  }
  return new Response(stored.body, { status: 200, headers });
}
