import { and, eq } from "drizzle-orm";
import { getDb } from "@/db/client";
import { images } from "@/db/schema";
import { idOrNotFound } from "@/lib/ids";
import { AppError, notFound } from "@/lib/errors";
import { logger } from "@/lib/log";
import { deleteImageFiles } from "./store-variants";

/**
 * Deletes the rows (variants and links go by cascade) and the files together: the files are
 * removed inside the transaction that deletes the rows, so if the storage cannot be reached the
 * rows come back (503, try again) instead of leaving files that nothing points to.
 */
export async function deleteImage(ownerId: string, imageId: string): Promise<void> {
  idOrNotFound(imageId, "image");
  await getDb().transaction(async (tx) => {
    const [deleted] = await tx
      .delete(images)
      .where(and(eq(images.id, imageId), eq(images.ownerId, ownerId)))
      .returning({ id: images.id });
    if (!deleted) throw notFound("image");
    try {
      // Every file of the image lives under its keys, including any no row points to (a job racing this delete).
      await deleteImageFiles(imageId);
    } catch (error) {
      logger.error({ err: error, imageId }, "storage unreachable: image not deleted");
      throw new AppError("unavailable", "Storage is unavailable; the image was not deleted. Try again shortly.", {
        retryAfterSeconds: 5,
      });
    }
  });
}
