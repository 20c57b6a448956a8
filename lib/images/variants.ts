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

export function variantKey(imageId: string, height: number): string {
  return `variants/${imageId}/${height}`;
}
