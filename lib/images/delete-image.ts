import { and, eq } from "drizzle-orm";
import { getDb } from "@/db/client";
import { imageVariants, images } from "@/db/schema";
import { idOrNotFound } from "@/lib/api/schemas";
import { ApiError, notFound } from "@/lib/http/problem";
import { logger } from "@/lib/log";
import { getStorage } from "@/lib/storage";
import { variantPrefix } from "./variants";

/**
 * Deletes the rows (variants and links go by cascade) and the files together: the files are
 * removed inside the transaction that deletes the rows, so if the storage cannot be reached the
 * rows come back (503, try again) instead of leaving files that nothing points to.
 */
export async function deleteImage(ownerId: string, imageId: string): Promise<void> {
  idOrNotFound(imageId, "image");
  const storage = getStorage();
  await getDb().transaction(async (tx) => {
    const variantKeys = await tx
      .select({ key: imageVariants.storageKey })
      .from(imageVariants)
      .innerJoin(images, eq(images.id, imageVariants.imageId))
      .where(and(eq(images.id, imageId), eq(images.ownerId, ownerId)));
    const [deleted] = await tx
      .delete(images)
      .where(and(eq(images.id, imageId), eq(images.ownerId, ownerId)))
      .returning({ key: images.storageKey });
    if (!deleted) throw notFound("image");
    try {
      // Also anything under the image's prefix that no row points to (a job racing this delete).
      const strays = await storage.list(variantPrefix(imageId));
      await storage.delete([...new Set([deleted.key, ...variantKeys.map((v) => v.key), ...strays])]);
    } catch (error) {
      logger.error({ err: error, imageId }, "storage unreachable: image not deleted");
      throw new ApiError(503, "Storage is unavailable; the image was not deleted. Try again shortly.", undefined, { "Retry-After": "5" });
    }
  });
}
