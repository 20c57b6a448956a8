import type { AvifOptions, JpegOptions, PngOptions, WebpOptions } from "sharp";

/**
 * Encoder settings of the thumbnails, per format. JPEG and PNG are the source formats' (made at
 * upload); WebP and AVIF are held to their targets by `npm run bench -- formats`.
 */
export const VARIANT_ENCODINGS = {
  jpeg: { quality: 82, chromaSubsampling: "4:2:0" },
  png: { compressionLevel: 6, adaptiveFiltering: true },
  // q88 is where WebP reaches q82 JPEG's SSIM; effort 6 makes files 4 % smaller for ~30 ms; smartSubsample lowers SSIM.
  // PNG alpha stays lossless (alphaQuality 100, the default): 90 came out larger, 70 blurred edges (α SSIM 0.994).
  webp: { quality: 88, effort: 6, smartSubsample: false },
  // q74 effort 3: the most SSIM margin within 0.70× JPEG's bytes and 150 ms; effort 4 takes ~550 ms.
  avif: { quality: 74, effort: 3, chromaSubsampling: "4:2:0" },
} as const satisfies { jpeg: JpegOptions; png: PngOptions; webp: WebpOptions; avif: AvifOptions };
