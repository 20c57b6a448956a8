/** Which renditions exist for an image, their sizes and where they are stored. */

export type Size = { width: number; height: number };

/**
 * The size of the thumbnail for a plan height: exactly that height with the width by aspect
 * ratio, but never upscaled: an image shorter than the height is served at its own size.
 */
export function variantSize(source: Size, targetHeight: number): Size {
  if (source.height <= targetHeight) return { width: source.width, height: source.height };
  const width = Math.max(1, Math.round((source.width * targetHeight) / source.height));
  return { width, height: targetHeight };
}

/** Storage keys are derived from generated ids only; nothing a user typed reaches them. */
export function originalKey(imageId: string): string {
  return `originals/${imageId}`;
}

/**
 * Content-addressed: the same bytes always get the same key (a retried job adopts what an earlier
 * try stored), and two different renderings of one height never overwrite each other's file.
 */
export function variantKey(imageId: string, height: number, sha256: string): string {
  return `variants/${imageId}/${height}-${sha256.slice(0, 16)}`;
}

export const variantPrefix = (imageId: string) => `variants/${imageId}/`;
