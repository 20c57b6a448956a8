/**
 * The file name a media response offers (`Content-Disposition`), from the image's name and the
 * served file's type. Names are whatever people typed, so before one becomes a file on someone's
 * disk it is made safe:
 *
 * - Unicode NFC; control, format (bidi overrides, zero-width), surrogate and line/paragraph
 *   separator characters become spaces: none may reach a header, and a right-to-left override
 *   could make `gpj.exe` look like `exe.jpg`.
 * - Path separators and characters Windows refuses in file names (`/ \ : * ? " < > |`) become `_`.
 * - White space runs collapse to one space; leading dots (hidden files, `..`) and trailing dots
 *   and spaces (Windows drops them) go.
 * - A Windows device name (CON, NUL, COM1…, reserved even before a dot: `con.tar.jpg`) gets a `_` prefix.
 * - At most {@link MAX_STEM_BYTES} bytes of UTF-8, cut between graphemes, so the whole name stays
 *   far below the 255 bytes file systems allow.
 * - Nothing left: `image`.
 *
 * The extension comes from the served type, never from the name.
 */
const MAX_STEM_BYTES = 150;
const FALLBACK = "image";

/** File extension of each type the app serves; a new format is one line here. */
const EXTENSIONS: Record<string, string> = {
  "image/jpeg": "jpg",
  "image/png": "png",
  "image/webp": "webp",
  "image/avif": "avif",
};

const INVISIBLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]/gu;
const UNSAFE = /[/\\:*?"<>|]+/g;
const RESERVED = /^(con|prn|aux|nul|com\d|lpt\d)(\.|$)/i;
const graphemes = new Intl.Segmenter("en", { granularity: "grapheme" });

function trimDots(stem: string): string {
  return stem.replace(/^[.\s]+/, "").replace(/[.\s]+$/, "");
}

function capBytes(stem: string, maxBytes: number): string {
  const encoder = new TextEncoder();
  let kept = "";
  let bytes = 0;
  for (const { segment } of graphemes.segment(stem)) {
    bytes += encoder.encode(segment).length;
    if (bytes > maxBytes) break;
    kept += segment;
  }
  return kept;
}

function safeStem(name: string): string {
  const cleaned = trimDots(name.normalize("NFC").replace(INVISIBLE, " ").replace(UNSAFE, "_").replace(/\s+/g, " "));
  const stem = trimDots(capBytes(cleaned, MAX_STEM_BYTES));
  if (!stem) return FALLBACK;
  return RESERVED.test(stem) ? `_${stem}` : stem;
}

function extensionOf(contentType: string): string {
  const ext = EXTENSIONS[contentType.toLowerCase()];
  return ext ? `.${ext}` : "";
}

/** `<sanitised name>.<ext>`, e.g. "Café 日本.jpg"; no extension for a type the table does not know. */
export function downloadName(name: string, contentType: string): string {
  return safeStem(name) + extensionOf(contentType);
}

/**
 * The plain `filename` parameter, for clients that read only it (curl's `-J`/`--remote-header-name`
 * ignores `filename*`): accents dropped, anything else outside printable ASCII removed, `%`
 * replaced (some clients percent-decode this parameter, RFC 6266 appendix D), then made safe
 * again, since compatibility decomposition turns e.g. a fullwidth solidus into `/`.
 */
function asciiStem(stem: string): string {
  const ascii = stem
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .replace(/[^\x20-\x7e]/g, "")
    .replace(/%/g, "_");
  return safeStem(ascii);
}

/** RFC 8187 `attr-char`: the bytes that may stand unencoded in an ext-value. */
const ATTR_CHAR = /[A-Za-z0-9!#$&+\-.^_`|~]/;

function encodeExtValue(text: string): string {
  let encoded = "";
  for (const byte of new TextEncoder().encode(text)) {
    const char = String.fromCharCode(byte);
    encoded += byte < 0x80 && ATTR_CHAR.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return encoded;
}

/**
 * `inline` or `attachment`, with the ASCII `filename` first and the exact UTF-8 `filename*`
 * after it (RFC 6266 §4.3: a client that understands `filename*` prefers it).
 * E.g. `inline; filename="Cafe.png"; filename*=UTF-8''Caf%C3%A9%20%E6%97%A5%E6%9C%AC.png`.
 */
export function contentDisposition(name: string, contentType: string, disposition: "inline" | "attachment"): string {
  const stem = safeStem(name);
  const ext = extensionOf(contentType);
  return `${disposition}; filename="${asciiStem(stem)}${ext}"; filename*=UTF-8''${encodeExtValue(stem + ext)}`;
}
