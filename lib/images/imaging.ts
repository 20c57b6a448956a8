import { Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import sharp, { type Metadata, type OutputInfo, type Sharp } from "sharp";
import type { ImageContentType } from "./detect-type";
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

export type ImageInfo = Size & { format: "png" | "jpeg" };

export type Rendition = {
  /** The plan height this rendition answers for. */
  planHeight: number;
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

/** The decoder as every thumbnail uses it: the validation of an upload and the rendering share it. */
function decoder(bytes: Buffer, maxPixels: number): Sharp {
  return sharp(bytes, { limitInputPixels: maxPixels, failOn: "warning" });
}

/**
 * Decodes the whole image at full size to prove it is intact before anything is stored. Not with
 * JPEG shrink-on-load: a reduced-size decode skips data (a truncated scan passes at 1/4 scale and
 * fails at 1/2), and a thumbnail at or above the image's own height, or of any height a plan
 * gains later, decodes it all. The pixels stream into a sink: no full-size buffer is kept.
 * (EXIF orientation, which rendering applies next, is geometry after the decode, not part of it.)
 */
export async function assertDecodes(bytes: Buffer, maxPixels: number): Promise<void> {
  try {
    await pipeline(
      decoder(bytes, maxPixels).raw(),
      new Writable({
        write: (_chunk, _encoding, done) => done(),
      }),
    );
  } catch (error) {
    throw decodeError(error);
  }
}

function decodeError(error: unknown): Error {
  const message = error instanceof Error ? error.message : String(error);
  if (/pixel limit/i.test(message)) return new TooManyPixelsError("The image has too many pixels.", { cause: error });
  return new UndecodableImageError(`The image could not be decoded: ${message.split("\n")[0]}`, { cause: error });
}

/**
 * Decodes the image once, at the size the largest requested height needs (JPEG shrink-on-load
 * does most of the work inside the decoder), applies EXIF orientation, and derives every
 * rendition from those pixels. Output follows the source format; no metadata is written.
 */
export async function renderThumbnails(
  bytes: Buffer,
  info: ImageInfo,
  planHeights: readonly number[],
  maxPixels: number,
): Promise<Rendition[]> {
  const heights = [...new Set(planHeights)].sort((a, b) => a - b);
  const largest = heights.at(-1);
  if (largest === undefined) return [];
  const baseSize = variantSize(info, largest);

  let base: { data: Buffer; info: OutputInfo };
  try {
    base = await decoder(bytes, maxPixels)
      .rotate()
      .resize({ width: baseSize.width, height: baseSize.height, fit: "fill" })
      .raw()
      .toBuffer({ resolveWithObject: true });
  } catch (error) {
    throw decodeError(error);
  }

  const raw = { width: base.info.width, height: base.info.height, channels: base.info.channels };
  return Promise.all(
    heights.map(async (planHeight) => {
      const size = variantSize(info, planHeight);
      let pipeline = sharp(base.data, { raw });
      if (size.width !== raw.width || size.height !== raw.height) {
        pipeline = pipeline.resize({ width: size.width, height: size.height, fit: "fill" });
      }
      const data = await (
        info.format === "png"
          ? pipeline.png({ compressionLevel: 6, adaptiveFiltering: true })
          : pipeline.jpeg({ quality: 82, chromaSubsampling: "4:2:0" })
      ).toBuffer();
      return { planHeight, width: size.width, height: size.height, data };
    }),
  );
}
