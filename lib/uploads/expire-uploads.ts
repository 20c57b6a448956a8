import { and, inArray, isNotNull, isNull, lt, or, sql } from "drizzle-orm";
import { getDb } from "@/db/client";
import { directUploads } from "@/db/schema";
import { getStorage } from "@/lib/storage";
import { COMPLETE_GRACE_SECONDS } from "./grant";

/** Uploads removed per run: the next run takes the rest. */
const BATCH = 1000;
/** How long a completed upload answers a repeated `complete` with its image. */
const COMPLETED_KEPT_SECONDS = 24 * 3600;

/**
 * Removes direct uploads never completed, once past their URL's expiry and the grace `complete`
 * still has (not one being completed right now): the object, if one was sent, then the row. The
 * rows of completed ones go a day after completion (their object is the image's original now).
 * Answers the ids of the expired ones; with `dryRun`, removes nothing.
 */
export async function expireUploads({ dryRun = false } = {}): Promise<string[]> {
  const db = getDb();
  // The database's clock, which the claims are written in.
  const expired = await db
    .select({ id: directUploads.id, key: directUploads.storageKey })
    .from(directUploads)
    .where(
      and(
        isNull(directUploads.completedAt),
        lt(directUploads.expiresAt, sql`now() - make_interval(secs => ${COMPLETE_GRACE_SECONDS})`),
        or(isNull(directUploads.claimedUntil), lt(directUploads.claimedUntil, sql`now()`)),
      ),
    )
    .orderBy(directUploads.expiresAt)
    .limit(BATCH);
  if (dryRun) return expired.map((u) => u.id);
  await db
    .delete(directUploads)
    .where(
      and(
        isNotNull(directUploads.completedAt),
        lt(directUploads.completedAt, sql`now() - make_interval(secs => ${COMPLETED_KEPT_SECONDS})`),
      ),
    );
  if (expired.length === 0) return [];
  // Objects first: a row left by a failed delete is found again next run, an object without one is not.
  await getStorage().delete(expired.map((u) => u.key));
  const ids = expired.map((u) => u.id);
  await db.delete(directUploads).where(inArray(directUploads.id, ids));
  return ids;
}
