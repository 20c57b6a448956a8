/**
 * How long a direct upload's URL lives, and how long after that its `complete` is still taken
 * (a PUT started just before the URL expired may still be arriving). After both, the reconciler
 * removes the upload and anything stored for it.
 */
export const UPLOAD_URL_SECONDS = 15 * 60;
export const COMPLETE_GRACE_SECONDS = 15 * 60;

/**
 * Where a direct upload's bytes wait until completed: never the original's key. Completing stores
 * the bytes it validated as the original, so a second PUT to a URL still valid cannot change an
 * image's original after its validation.
 */
export const stagingKey = (uploadId: string) => `uploads/${uploadId}`;

/** The types a direct upload may announce (its bytes are checked again on completion). */
export const DIRECT_UPLOAD_TYPES = ["image/png", "image/jpeg"] as const;

/** The app's own upload URL on disk storage: `<base>/api/v1/uploads/<id>/content?expires=…&signature=…`. */
export function diskUploadUrl(baseUrl: string, uploadId: string, expiresAt: Date, signature: string): string {
  const url = new URL(`/api/v1/uploads/${uploadId}/content`, baseUrl);
  url.searchParams.set("expires", String(Math.floor(expiresAt.getTime() / 1000)));
  url.searchParams.set("signature", signature);
  return url.toString();
}
