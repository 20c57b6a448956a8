import { randomUUID } from "node:crypto";
import { and, asc, eq, gt, type SQL } from "drizzle-orm";
import { getDb } from "@/db/client";
import { images, plans, users } from "@/db/schema";
import { enqueueThumbnailBatch } from "@/lib/queue/thumbnail-jobs";
import { processImage } from "./process-image";

const PAGE = 1000;

type Scope = { userId: string } | { planId: string };

/** The thumbnail heights a user's plan, or a plan, has now (none for an unknown one). */
export async function planHeightsOf(scope: Scope): Promise<number[]> {
  const db = getDb();
  const [row] =
    "userId" in scope
      ? await db
          .select({ heights: plans.heights })
          .from(users)
          .innerJoin(plans, eq(plans.id, users.planId))
          .where(eq(users.id, scope.userId))
      : await db.select({ heights: plans.heights }).from(plans).where(eq(plans.id, scope.planId));
  return row?.heights ?? [];
}

/**
 * After a plan change (a user moved to another plan, or a plan edited), with the heights the plan
 * had before: if it gained any, hands every affected image to the thumbnail queue, so the new
 * sizes are made ahead of the first request for them (which would otherwise render on demand).
 * The images are read in pages by id, never all at once. A job that fails for good leaves the
 * image as it was: its thumbnails still render on demand, so it is not marked failed.
 * Answers how many images were queued.
 */
export async function queueGainedHeights(scope: Scope, before: readonly number[]): Promise<number> {
  const gained = (await planHeightsOf(scope)).filter((height) => !before.includes(height));
  if (!gained.length) return 0;
  const db = getDb();
  const batchId = randomUUID();
  const inScope: SQL = "userId" in scope ? eq(images.ownerId, scope.userId) : eq(users.planId, scope.planId);
  let after: string | undefined;
  let queued = 0;
  for (;;) {
    const page = await db
      .select({ id: images.id })
      .from(images)
      .innerJoin(users, eq(users.id, images.ownerId))
      .where(after === undefined ? inScope : and(inScope, gt(images.id, after)))
      .orderBy(asc(images.id))
      .limit(PAGE);
    const ids = page.map((row) => row.id);
    await enqueueThumbnailBatch(ids, batchId, async (imageId) => {
      await processImage(imageId);
    });
    queued += ids.length;
    if (ids.length < PAGE) return queued;
    after = ids.at(-1);
  }
}
