import { and, eq } from "drizzle-orm";
import { getDb } from "@/db/client";
import { imageVariants, images } from "@/db/schema";
import { uuidParam } from "@/lib/api/schemas";
import { notFound } from "@/lib/http/problem";
import { logger } from "@/lib/log";
import { getStorage } from "@/lib/storage";
import { variantPrefix } from "./variants";

/**
 * Removes the rows first (variants and links go by cascade), then the files. A file that
 * cannot be removed is logged, never resurrected: the image is gone for its owner either way.
 */
export async function deleteImage(ownerId: string, imageId: string): Promise<void> {
  if (!uuidParam.safeParse(imageId).success) throw notFound("image");
  const keys = await getDb().transaction(async (tx) => {
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
    return [deleted.key, ...variantKeys.map((v) => v.key)];
  });
  const storage = getStorage();
  try {
    // Also anything under the image's prefix that no row points to (a job racing this delete).
    const strays = await storage.list(variantPrefix(imageId));
    await storage.delete([...new Set([...keys, ...strays])]);
  } catch (error) {
    logger.error({ err: error, imageId, keys }, "image rows deleted but files remain");
  }
}
