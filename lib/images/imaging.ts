import sharp, { type Metadata, type OutputInfo, type Sharp } from "sharp";
import { rgbaToThumbHash } from "thumbhash";
import type { ImageContentType } from "./detect-type";
import { VARIANT_ENCODINGS } from "./encodings";
import { jpegReachesEnd } from "./jpeg-end";
import type { SourceFormat, VariantFormat } from "./formats";
import { type Size, variantSize } from "./variants";

/**
 * The only module that touches sharp. Uploads are untrusted: pixel counts are checked from the
 * header before any decode, and sharp keeps its own limit as a second fence.
 */

// Every upload is a different image: libvips' operation cache would only hold memory.
sharp.cache(false);

export class UndecodableImageError extends Error {
  override name = "UndecodableImageError";
}

export class TooManyPixelsError extends Error {
  override name = "TooManyPixelsError";
}

export type ImageInfo = Size & { format: SourceFormat };

/** A thumbnail to make: a plan height in one encoding. */
export type VariantTarget = { height: number; format: VariantFormat };

/** The heights in the source's own format, as an upload makes them. */
export const inSourceFormat = (info: ImageInfo, heights: readonly number[]): VariantTarget[] =>
  heights.map((height) => ({ height, format: info.format }));

export type Rendition = {
  /** The plan height this rendition answers for. */
  planHeight: number;
  format: VariantFormat;
  width: number;
  height: number;
  data: Buffer;
};

const FORMAT_OF: Record<ImageContentType, "png" | "jpeg"> = { "image/png": "png", "image/jpeg": "jpeg" };

/** Reads the header only: displayed size (after EXIF orientation) and format. */
export async function probeImage(bytes: Buffer, contentType: ImageContentType, maxPixels: number): Promise<ImageInfo> {
  let meta: Metadata;
  try {
    meta = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch (error) {
    throw new UndecodableImageError(`The file is not a readable ${FORMAT_OF[contentType].toUpperCase()} image.`, {
      cause: error,
    });
  }
  if (meta.format !== FORMAT_OF[contentType] || !meta.width || !meta.height) {
    throw new UndecodableImageError(`The file is not a readable ${FORMAT_OF[contentType].toUpperCase()} image.`);
  }
  if (meta.width * meta.height > maxPixels) {
    throw new TooManyPixelsError(
      `The image is ${meta.width}×${meta.height} (${((meta.width * meta.height) / 1e6).toFixed(1)} megapixels); the limit is ${(maxPixels / 1e6).toFixed(1)} megapixels.`,
    );
  }
  // Orientations 5–8 are rotated by 90°: width and height swap when displayed.
  const swapped = (meta.orientation ?? 1) >= 5;
  return {
    width: swapped ? meta.height : meta.width,
    height: swapped ? meta.width : meta.height,
    format: meta.format,
  };
}

/** The decoder of untrusted bytes: sharp keeps its own pixel limit, and any warning is a failure. */
function decoder(bytes: Buffer, maxPixels: number): Sharp {
  return sharp(bytes, { limitInputPixels: maxPixels, failOn: "warning" });
}

/**
 * Every pixel of an upload, decoded at the size its largest thumbnail needs: the resize that
 * follows lets JPEG shrink-on-load reduce inside the decoder (the entropy-coded data is read to
 * its end all the same). Any warning fails it (failOn), with one blind spot: damage to the last 8
 * rows the decoder writes (8 × its scale's rows of the image: the last 32 of a 3000-row photo
 * decoded at 1/4 for 400 px) is heard of only as libvips finishes, too late to fail. A file cut
 * short there is refused all the same, by its missing end marker (jpegReachesEnd); other damage
 * there passes, as it did at full size in a 4:4:4 file's last 8 rows. The pixels stream through
 * libvips in strips, so even a 50-megapixel image never sits in memory whole.
 */
function uploadDecode(bytes: Buffer, maxPixels: number): Sharp {
  return decoder(bytes, maxPixels).rotate();
}

function decodeError(error: unknown): Error {
  const message = error instanceof Error ? error.message : String(error);
  if (/pixel limit/i.test(message)) return new TooManyPixelsError("The image has too many pixels.", { cause: error });
  return new UndecodableImageError(`The image could not be decoded: ${message.split("\n")[0]}`, { cause: error });
}

type Pixels = { data: Buffer; width: number; height: number; channels: 1 | 2 | 3 | 4 };

async function encode(pixels: Pixels, info: ImageInfo, target: VariantTarget): Promise<Rendition> {
  const size = variantSize(info, target.height);
  let image = sharp(pixels.data, { raw: { width: pixels.width, height: pixels.height, channels: pixels.channels } });
  if (size.width !== pixels.width || size.height !== pixels.height) {
    image = image.resize({ width: size.width, height: size.height, fit: "fill" });
  }
  return {
    planHeight: target.height,
    format: target.format,
    ...size,
    data: await encoder(image, target.format).toBuffer(),
  };
}

/**
 * The encoder of a thumbnail (settings chosen by `npm run bench -- formats`, see encodings); no
 * metadata is written. WebP and AVIF keep a PNG's alpha; a JPEG of a PNG is laid on white, as the
 * transparent parts of an image on a page usually are.
 */
function encoder(image: Sharp, format: VariantFormat): Sharp {
  switch (format) {
    case "png":
      return image.png(VARIANT_ENCODINGS.png);
    case "jpeg":
      return image.flatten({ background: "#ffffff" }).jpeg(VARIANT_ENCODINGS.jpeg);
    case "webp":
      return image.webp(VARIANT_ENCODINGS.webp);
    case "avif":
      return image.avif(VARIANT_ENCODINGS.avif);
  }
}

/** Renders each target from pixels already decoded at the largest of their heights (or larger). */
function deriveAll(pixels: Pixels, info: ImageInfo, targets: readonly VariantTarget[]): Promise<Rendition[]> {
  return Promise.all(targets.map((target) => encode(pixels, info, target)));
}

const ascending = (heights: readonly number[]) => [...new Set(heights)].sort((a, b) => a - b);

/** The distinct targets, by height then in the order given. */
function distinctTargets(targets: readonly VariantTarget[]): VariantTarget[] {
  const byKey = new Map(targets.map((t) => [`${t.height}:${t.format}`, t]));
  return [...byKey.values()].sort((a, b) => a.height - b.height);
}

/** What an upload's one decode gives: its thumbnails and its placeholder. */
export type UploadRendering = { renditions: Rendition[]; placeholder: string };

/**
 * ThumbHash's input: at most 32 px on each side (it takes up to 100). The hash keeps only a few
 * low frequencies: on 13 corpus photos the decoded previews differ from those of a 100 px input
 * by 1.3/255 per channel (median), and the JavaScript encode takes 0.4 ms instead of 2.9 ms.
 */
const PLACEHOLDER_BOX = 32;

/**
 * A ThumbHash (base64) of pixels already decoded: a few hundred pixels reduced to a small box.
 * The client paints it as a blurred preview until the thumbnail has loaded.
 */
async function placeholderOf(pixels: Pixels): Promise<string> {
  const small = await sharp(pixels.data, {
    raw: { width: pixels.width, height: pixels.height, channels: pixels.channels },
  })
    .resize({ width: PLACEHOLDER_BOX, height: PLACEHOLDER_BOX, fit: "inside" })
    .ensureAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return Buffer.from(rgbaToThumbHash(small.info.width, small.info.height, small.data)).toString("base64");
}

/**
 * The one decode of an upload: proves the file decodes to its end (see uploadDecode) and renders
 * each plan height and the placeholder from those pixels, EXIF orientation applied. The decode
 * reduces to the largest height (with none, to the placeholder's box) inside its pipeline;
 * everything else is derived from that.
 */
export async function renderUpload(
  bytes: Buffer,
  info: ImageInfo,
  planHeights: readonly number[],
  maxPixels: number,
): Promise<UploadRendering> {
  if (info.format === "jpeg" && !jpegReachesEnd(bytes)) {
    throw new UndecodableImageError("The image could not be decoded: the JPEG file is cut short (no end marker).");
  }
  const heights = ascending(planHeights);
  const largest = heights.at(-1);
  const reduce =
    largest === undefined
      ? { width: PLACEHOLDER_BOX, height: PLACEHOLDER_BOX, fit: "inside" as const, withoutEnlargement: true }
      : { ...variantSize(info, largest), fit: "fill" as const };
  let base;
  try {
    base = await uploadDecode(bytes, maxPixels).resize(reduce).raw().toBuffer({ resolveWithObject: true });
  } catch (error) {
    throw decodeError(error);
  }
  const pixels = { data: base.data, ...rawShape(base.info) };
  const [renditions, placeholder] = await Promise.all([
    deriveAll(pixels, info, inSourceFormat(info, heights)),
    placeholderOf(pixels),
  ]);
  return { renditions, placeholder };
}

function rawShape(info: OutputInfo): Omit<Pixels, "data"> {
  return { width: info.width, height: info.height, channels: info.channels };
}

/**
 * Thumbnails of a stored original, already proved whole at upload (so no pixel limit and no full
 * decode here): JPEG shrink-on-load does most of the reduction inside the decoder. One target is
 * one sharp pipeline from the file to the encoded thumbnail; several (heights, formats) share one
 * decode at the largest height. A plan's new height, a repair, another format, or the queue's work
 * after an upload or a plan change come here.
 */
export async function renderThumbnails(
  bytes: Buffer,
  info: ImageInfo,
  wanted: readonly VariantTarget[],
): Promise<Rendition[]> {
  const targets = distinctTargets(wanted);
  const largest = targets.at(-1);
  if (largest === undefined) return [];
  const size = variantSize(info, largest.height);
  const reduce = (image: Sharp) => image.rotate().resize({ width: size.width, height: size.height, fit: "fill" });
  try {
    if (targets.length === 1) {
      const data = await encoder(reduce(sharp(bytes, { limitInputPixels: false })), largest.format).toBuffer();
      return [{ planHeight: largest.height, format: largest.format, ...size, data }];
    }
    const base = await reduce(sharp(bytes, { limitInputPixels: false }))
      .raw()
      .toBuffer({ resolveWithObject: true });
    return await deriveAll({ data: base.data, ...rawShape(base.info) }, info, targets);
  } catch (error) {
    throw decodeError(error);
  }
}
