import type { VARIANT_FORMATS } from "@/db/schema";

/**
 * The encodings a thumbnail is served in, and which one a request gets: AVIF when its `Accept`
 * names `image/avif`, else WebP when it names `image/webp`, else the source's own format; q-values
 * are honoured and `q=0` excludes. A wildcard (`image/*`, `*\/*`) is no sign that a client decodes
 * AVIF or WebP (curl sends `*\/*`), so those two are chosen only when named. Pure.
 */
export type VariantFormat = (typeof VARIANT_FORMATS)[number];
export type SourceFormat = "jpeg" | "png";

export const CONTENT_TYPE_OF: Record<VariantFormat, string> = {
  jpeg: "image/jpeg",
  png: "image/png",
  webp: "image/webp",
  avif: "image/avif",
};

export function sourceFormatOf(contentType: string): SourceFormat {
  return contentType === "image/png" ? "png" : "jpeg";
}

/** What `?format=` accepts for a source, most preferred first: what negotiation offers, then the other source format. */
export function servableFormats(source: SourceFormat): VariantFormat[] {
  return ["avif", "webp", source, source === "png" ? "jpeg" : "png"];
}

type AcceptEntry = { type: string; subtype: string; q: number };

const Q_VALUE = /^(0(\.\d{0,3})?|1(\.0{0,3})?)$/;

/** `Accept` as RFC 9110 writes it; entries that do not parse (or carry a malformed q) are left out. */
export function parseAccept(header: string): AcceptEntry[] {
  const entries: AcceptEntry[] = [];
  for (const part of header.split(",")) {
    const [range = "", ...params] = part.split(";");
    const match = /^\s*([a-z0-9!#$%&'*+.^_`|~-]+)\/([a-z0-9!#$%&'*+.^_`|~-]+)\s*$/i.exec(range);
    if (!match) continue;
    let q = 1;
    let valid = true;
    for (const param of params) {
      const [key = "", value = ""] = param.split("=").map((s) => s.trim());
      if (key.toLowerCase() !== "q") continue;
      if (!Q_VALUE.test(value)) valid = false;
      else q = Number(value);
    }
    if (valid) entries.push({ type: match[1]!.toLowerCase(), subtype: match[2]!.toLowerCase(), q });
  }
  return entries;
}

/** The q of the most specific range naming the type (`wildcards`: `image/*` and `*\/*` count too); 0 if none. */
function qualityOf(entries: readonly AcceptEntry[], subtype: string, wildcards: boolean): number {
  const ranks = entries
    .map((e) => {
      if (e.type === "image" && e.subtype === subtype) return { rank: 3, q: e.q };
      if (wildcards && e.type === "image" && e.subtype === "*") return { rank: 2, q: e.q };
      if (wildcards && e.type === "*" && e.subtype === "*") return { rank: 1, q: e.q };
      return null;
    })
    .filter((r) => r !== null);
  const best = Math.max(0, ...ranks.map((r) => r.rank));
  // Several ranges of the same specificity: the most generous one.
  return Math.max(0, ...ranks.filter((r) => r.rank === best).map((r) => r.q));
}

/**
 * The format a thumbnail request is answered in. No `Accept`, or one that accepts nothing
 * offered: the source format (it is a preference, and refusing an image helps no one).
 */
export function negotiateFormat(accept: string | null | undefined, source: SourceFormat): VariantFormat {
  if (!accept?.trim()) return source;
  const entries = parseAccept(accept);
  const offers: { format: VariantFormat; q: number }[] = [
    { format: "avif", q: qualityOf(entries, "avif", false) },
    { format: "webp", q: qualityOf(entries, "webp", false) },
    { format: source, q: qualityOf(entries, source, true) },
  ];
  // Highest q wins; on a tie the earlier (smaller) offer.
  let chosen: { format: VariantFormat; q: number } = { format: source, q: 0 };
  for (const offer of offers) if (offer.q > chosen.q) chosen = offer;
  return chosen.format;
}

/** How long after an upload its own job is still expected to be making the EAGER_FORMATS. */
export const MADE_AHEAD_WINDOW_MS = 2 * 60_000;

/**
 * Whether a thumbnail negotiated as `format`, not stored yet, gets the source format for now
 * rather than being encoded on the request: the upload's job makes that format ahead and the
 * image is young enough for the job to be at it still. Encoding it here as well would do the job's
 * work twice (an AVIF costs several times the JPEG), and a just-uploaded tile would wait for it.
 * An older image (a failed job, a format turned on later) is encoded on the request as before.
 */
export function awaitsMadeAhead(
  format: VariantFormat,
  madeAhead: readonly VariantFormat[],
  uploadedAt: Date,
  now: Date,
): boolean {
  const age = now.getTime() - uploadedAt.getTime();
  return madeAhead.includes(format) && age >= 0 && age < MADE_AHEAD_WINDOW_MS;
}
