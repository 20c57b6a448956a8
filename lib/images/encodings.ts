import type { AvifOptions, JpegOptions, PngOptions, WebpOptions } from "sharp";

/**
 * Encoder settings of the thumbnails, per format. JPEG and PNG are the source formats' (made at
 * upload); WebP and AVIF are held to their targets by `npm run bench -- formats`.
 */
export const VARIANT_ENCODINGS = {
  jpeg: { quality: 82, chromaSubsampling: "4:2:0" },
  png: { compressionLevel: 6, adaptiveFiltering: true },
  webp: { quality: 80, effort: 4, smartSubsample: true },
  avif: { quality: 55, effort: 3, chromaSubsampling: "4:2:0" },
} as const satisfies { jpeg: JpegOptions; png: PngOptions; webp: WebpOptions; avif: AvifOptions };
