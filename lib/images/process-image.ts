import { eq } from "drizzle-orm";
import { getDb } from "@/db/client";
import { imageVariants, images, plans, users } from "@/db/schema";
import { AppError } from "@/lib/errors";
import type { Attempt } from "@/lib/queue/thumbnail-jobs";
import { deleteImageFiles, readOriginal, renderStored, storeRenditions } from "./store-variants";

export type JobOutcome = "ready" | "gone";

/**
 * The thumbnail job: makes every height of the owner's current plan that is not stored yet
 * (one decode for all of them), then marks the image ready. Idempotent: a retry, or a job that
 * finds the variants already made on demand, just confirms. An image deleted meanwhile ends the
 * job cleanly and leaves no file behind.
 */
export async function processImage(imageId: string): Promise<JobOutcome> {
  const db = getDb();
  const [row] = await db
    .select({ image: images, heights: plans.heights })
    .from(images)
    .innerJoin(users, eq(users.id, images.ownerId))
    .innerJoin(plans, eq(plans.id, users.planId))
    .where(eq(images.id, imageId));
  if (!row) return removeStrays(imageId);

  const existing = await db
    .select({ height: imageVariants.height })
    .from(imageVariants)
    .where(eq(imageVariants.imageId, imageId));
  const have = new Set(existing.map((v) => v.height));
  const missing = row.heights.filter((h) => !have.has(h));
  if (missing.length) {
    const { image } = row;
    try {
      await storeRenditions(image, await renderStored(image, await readOriginal(image), missing));
    } catch (error) {
      // The original is gone, or the image was deleted while we rendered.
      if (error instanceof AppError && error.kind === "not-found") return removeStrays(imageId);
      throw error;
    }
  }
  const updated = await db
    .update(images)
    .set({ status: "ready", failureReason: null })
    .where(eq(images.id, imageId))
    .returning({ id: images.id });
  return updated.length ? "ready" : removeStrays(imageId);
}

/** The job as the app runs it without a queue (retried there): the last try's failure is recorded. */
export async function processImageHere(imageId: string, attempt: Attempt): Promise<void> {
  try {
    await processImage(imageId);
  } catch (error) {
    if (attempt.last) await markFailed(imageId, error instanceof Error ? error.message : String(error)).catch(() => {});
    throw error;
  }
}

/** After the last try: the image says so, with the reason (thumbnails still render on demand). */
export async function markFailed(imageId: string, reason: string): Promise<void> {
  await getDb()
    .update(images)
    .set({ status: "failed", failureReason: reason.slice(0, 1000) })
    .where(eq(images.id, imageId));
}

/** The image is gone: so must be anything stored under its id (its delete may have raced us). */
async function removeStrays(imageId: string): Promise<"gone"> {
  await deleteImageFiles(imageId);
  return "gone";
}
