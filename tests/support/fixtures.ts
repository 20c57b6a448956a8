import sharp from "sharp";

/**
 * Images the tests make themselves, so a fresh clone needs no ../shared/corpus. Each stands in
 * for a corpus file of the same shape: the PngSuite basics (32×32, 8 bits per channel: basn6a08
 * RGBA, basn2c08 RGB, basn0g08 grey) and the exif-orientation set (Landscape_N / Portrait_N: the
 * same 3:2 picture, stored rotated or mirrored and tagged with EXIF Orientation N so that it shows
 * upright once the tag is applied), here at a third of the corpus' 1800×1200.
 *
 * Generated once per process (sharp's output is the same for the same input, so runs agree).
 */

export type Shape = "landscape" | "portrait";
/** 0 writes no EXIF at all (the corpus' Landscape_0); 1–8 are the EXIF Orientation values. */
export type Orientation = 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8;
export const ORIENTATIONS: readonly Orientation[] = [0, 1, 2, 3, 4, 5, 6, 7, 8];

/** Size as shown, after the EXIF orientation is applied. Tall enough for every 400 px plan height. */
export const DISPLAYED: Record<Shape, { width: number; height: number }> = {
  landscape: { width: 600, height: 400 },
  portrait: { width: 400, height: 600 },
};

const cache = new Map<string, Promise<Buffer>>();
function once(key: string, make: () => Promise<Buffer>): Promise<Buffer> {
  let made = cache.get(key);
  if (!made) {
    made = make();
    cache.set(key, made);
  }
  return made;
}

/**
 * The upright picture: red rises left to right, green top to bottom, so any wrong rotation or
 * mirror changes the pixels (a coarse comparison with orientation 0 tells them apart).
 */
function pixel(x: number, y: number, width: number, height: number, channels: number): number[] {
  const r = Math.round((255 * x) / (width - 1));
  const g = Math.round((255 * y) / (height - 1));
  const b = (x >> 3) % 2 === (y >> 3) % 2 ? 40 : 200; // a fine checkerboard: detail for the encoder
  if (channels === 1) return [Math.round((r + g) / 2)];
  if (channels === 3) return [r, g, b];
  return [r, g, b, Math.round((255 * (x + y)) / (width + height - 2))]; // alpha from clear to opaque
}

function png(channels: 1 | 3 | 4): Promise<Buffer> {
  return once(`png${channels}`, () => {
    const size = 32;
    const raw = Buffer.alloc(size * size * channels);
    for (let y = 0; y < size; y++)
      for (let x = 0; x < size; x++) raw.set(pixel(x, y, size, size, channels), (y * size + x) * channels);
    const image = sharp(raw, { raw: { width: size, height: size, channels } });
    // Left alone, sharp writes one channel as RGB.
    return (channels === 1 ? image.toColourspace("b-w") : image).png({ palette: false }).toBuffer();
  });
}

/** 32×32 RGBA, 8 bits per channel, alpha varying (as PngSuite basn6a08). */
export const rgbaPng = () => png(4);
/** 32×32 RGB, 8 bits per channel (as PngSuite basn2c08). */
export const rgbPng = () => png(3);
/** 32×32 greyscale, 8 bits (as PngSuite basn0g08). */
export const greyPng = () => png(1);

/**
 * Where the stored pixel (x, y) of an image sw×sh is shown under each EXIF orientation (the
 * transforms TIFF/EXIF define: 2 mirror, 3 rotate 180°, 4 flip, 5 transpose, 6 rotate 90° clockwise,
 * 7 transverse, 8 rotate 90° anticlockwise).
 */
function shownAt(o: Orientation, x: number, y: number, sw: number, sh: number): [number, number] {
  switch (o) {
    case 0:
    case 1:
      return [x, y];
    case 2:
      return [sw - 1 - x, y];
    case 3:
      return [sw - 1 - x, sh - 1 - y];
    case 4:
      return [x, sh - 1 - y];
    case 5:
      return [y, x];
    case 6:
      return [sh - 1 - y, x];
    case 7:
      return [sh - 1 - y, sw - 1 - x];
    case 8:
      return [y, sw - 1 - x];
  }
}

/**
 * A 3:2 JPEG that shows as DISPLAYED[shape] once its EXIF Orientation is applied; for 5–8 the
 * stored pixels are the other way round (a landscape is stored 400×600), as in the corpus.
 */
export function orientedJpeg(orientation: Orientation, shape: Shape): Promise<Buffer> {
  return once(`jpeg-${orientation}-${shape}`, () => {
    const { width, height } = DISPLAYED[shape];
    const swapped = orientation >= 5;
    const sw = swapped ? height : width;
    const sh = swapped ? width : height;
    const raw = Buffer.alloc(sw * sh * 3);
    for (let y = 0; y < sh; y++) {
      for (let x = 0; x < sw; x++) {
        const [dx, dy] = shownAt(orientation, x, y, sw, sh);
        raw.set(pixel(dx, dy, width, height, 3), (y * sw + x) * 3);
      }
    }
    const image = sharp(raw, { raw: { width: sw, height: sh, channels: 3 } });
    return (orientation === 0 ? image : image.withMetadata({ orientation })).jpeg({ quality: 90 }).toBuffer();
  });
}

/**
 * A JPEG of gaussian noise: noise keeps its entropy-coded data long, so damage to any part of the
 * file falls inside the pixels' data rather than in a few bytes of it.
 */
export function noisyJpeg(
  width: number,
  height: number,
  options: { quality?: number; progressive?: boolean; chromaSubsampling?: "4:2:0" | "4:4:4" } = {},
): Promise<Buffer> {
  const { quality = 80, progressive = false, chromaSubsampling = "4:2:0" } = options;
  return sharp({
    create: { width, height, channels: 3, background: "#808080", noise: { type: "gaussian", mean: 128, sigma: 40 } },
  })
    .jpeg({ quality, progressive, chromaSubsampling })
    .toBuffer();
}

/**
 * A JPEG with an end marker put in at `offset` (inside its entropy-coded data): every byte of the
 * file is still there and it still ends as a JPEG does, but its pixels break from there on, which
 * only a decode can tell.
 */
export function withEndMarkerAt(jpeg: Buffer, offset: number): Buffer {
  return Buffer.concat([jpeg.subarray(0, offset), Buffer.from([0xff, 0xd9]), jpeg.subarray(offset)]);
}

/**
 * A JPEG that compresses like a photo that is hard to compress: diagonal gradients and a coarse
 * checkerboard (structure) under per-pixel noise of the given amplitude (0–255). The same for the
 * same arguments (a fixed-seed generator), so runs agree.
 */
export async function photoLikeJpeg(
  width: number,
  height: number,
  quality: number,
  amplitude: number,
): Promise<Buffer> {
  const pixels = new Uint8ClampedArray(width * height * 3);
  let state = 0x9e3779b9;
  let i = 0;
  for (let y = 0; y < height; y++) {
    const gy = (y * 255) / height;
    for (let x = 0; x < width; x++) {
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      const base = ((x * 255) / width + gy) / 2 + (((x >> 6) ^ (y >> 6)) & 1 ? 40 : -40);
      pixels[i++] = base + (((state & 0xff) * amplitude) >> 8) - amplitude / 2;
      pixels[i++] = gy + ((((state >>> 8) & 0xff) * amplitude) >> 8) - amplitude / 2;
      pixels[i++] = 255 - base + ((((state >>> 16) & 0xff) * amplitude) >> 8) - amplitude / 2;
    }
  }
  return sharp(Buffer.from(pixels.buffer), { raw: { width, height, channels: 3 } })
    .jpeg({ quality })
    .toBuffer();
}
