import { and, eq, ne } from "drizzle-orm";
import { getDb } from "@/db/client";
import { imageVariants, images, plans, users } from "@/db/schema";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import type { Attempt } from "@/lib/queue/thumbnail-jobs";
import { sourceFormatOf, type VariantFormat } from "./formats";
import type { VariantTarget } from "./imaging";
import { deleteImageFiles, readOriginal, renderStored, storeRenditions } from "./store-variants";

export type JobOutcome = "ready" | "gone";

/**
 * The thumbnail job: makes every height of the owner's current plan that is not stored in the
 * source format yet (one decode for all of them) and marks the image ready; then, from another
 * decode, the WebP and AVIF ones (EAGER_FORMATS) not stored yet, so a `processing` image is ready
 * as soon as it can be. Idempotent: a retry, or a job that finds the variants already made on
 * demand, just confirms. An image deleted meanwhile ends the job cleanly and leaves no file behind.
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
  const { image, heights } = row;

  const existing = await db
    .select({ height: imageVariants.height, format: imageVariants.format })
    .from(imageVariants)
    .where(eq(imageVariants.imageId, imageId));
  const have = new Set(existing.map((v) => `${v.height}:${v.format}`));
  const missing = (formats: readonly VariantFormat[]) =>
    heights
      .flatMap((height) => formats.map((format) => ({ height, format })))
      .filter((t) => !have.has(`${t.height}:${t.format}`));

  let original: Buffer | undefined;
  const make = async (targets: VariantTarget[]): Promise<boolean> => {
    if (!targets.length) return true;
    try {
      original ??= await readOriginal(image);
      await storeRenditions(image, await renderStored(image, original, targets));
      return true;
    } catch (error) {
      // The original is gone, or the image was deleted while we rendered.
      if (error instanceof AppError && error.kind === "not-found") return false;
      throw error;
    }
  };

  if (!(await make(missing([sourceFormatOf(image.contentType)])))) return removeStrays(imageId);
  if (image.status !== "ready") {
    const updated = await db
      .update(images)
      .set({ status: "ready", failureReason: null })
      .where(eq(images.id, imageId))
      .returning({ id: images.id });
    if (!updated.length) return removeStrays(imageId);
  }
  if (!(await make(missing(env().EAGER_FORMATS)))) return removeStrays(imageId);
  return "ready";
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

/**
 * After the last try: an image still `processing` says so, with the reason (thumbnails still
 * render on demand). A ready one stays ready: only its WebP or AVIF could not be made ahead.
 */
export async function markFailed(imageId: string, reason: string): Promise<void> {
  await getDb()
    .update(images)
    .set({ status: "failed", failureReason: reason.slice(0, 1000) })
    .where(and(eq(images.id, imageId), ne(images.status, "ready")));
}

/** The image is gone: so must be anything stored under its id (its delete may have raced us). */
async function removeStrays(imageId: string): Promise<"gone"> {
  await deleteImageFiles(imageId);
  return "gone";
}
