import { and, eq } from "drizzle-orm";
import { getDb } from "@/db/client";
import { images } from "@/db/schema";
import { idOrNotFound } from "@/lib/ids";
import { AppError, notFound } from "@/lib/errors";
import { logger } from "@/lib/log";
import { releaseBytes } from "@/lib/plans/quota";
import { deleteImageFiles } from "./store-variants";

/**
 * Deletes the rows (variants and links go by cascade), gives the original's bytes back to the
 * owner's quota, and removes the files together: the files are
 * removed inside the transaction that deletes the rows, so if the storage cannot be reached the
 * rows come back (503, try again) instead of leaving files that nothing points to.
 */
export async function deleteImage(ownerId: string, imageId: string): Promise<void> {
  idOrNotFound(imageId, "image");
  await getDb().transaction(async (tx) => {
    const [deleted] = await tx
      .delete(images)
      .where(and(eq(images.id, imageId), eq(images.ownerId, ownerId)))
      .returning({ id: images.id, byteSize: images.byteSize });
    if (!deleted) throw notFound("image");
    // In the same transaction: if the files cannot be removed, the usage comes back with the rows.
    await releaseBytes(ownerId, deleted.byteSize, tx);
    try {
      // Every file of the image lives under its keys, including any no row points to (a job racing this delete).
      // The keys use the id as the row spells it: a caller's id may be in capitals (a UUID still).
      await deleteImageFiles(deleted.id);
    } catch (error) {
      logger.error({ err: error, imageId }, "storage unreachable: image not deleted");
      throw new AppError("unavailable", "Storage is unavailable; the image was not deleted. Try again shortly.", {
        retryAfterSeconds: 5,
      });
    }
  });
}
