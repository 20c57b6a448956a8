import { and, asc, eq, gt, inArray, isNotNull, lt, sql } from "drizzle-orm";
import { getDb } from "@/db/client";
import { images, users } from "@/db/schema";

/** Users locked and recounted per transaction. */
const BATCH = 500;

/** A user whose recorded usage was not the sum of their images' sizes. */
export type UsageMiscount = { userId: string; recorded: number; counted: number };

/**
 * Recounts users.bytes_used from the user's images, for every user whose last reservation is
 * older than `quietSeconds`, and corrects it where it differs (unless `dryRun`). A reservation
 * whose give-back was lost (the database unreachable as the upload failed, the process killed)
 * stays counted; an upload in flight holds one its row does not show yet, so a user who reserved
 * within `quietSeconds` is left alone. A recounted user's stamp is cleared, so each user is
 * recounted once after their last reservation, not on every run.
 *
 * Each batch locks its users' rows first, then sums their images in the next statement, whose
 * snapshot is taken after the locks: a delete that committed before is in the sum; one still
 * running waits to subtract its bytes until this commits, from the recounted figure. A user who
 * reserves meanwhile is no longer quiet when the lock re-reads their row, and is skipped.
 */
export async function recountUsage(options: { quietSeconds: number; dryRun: boolean }): Promise<UsageMiscount[]> {
  const miscounted: UsageMiscount[] = [];
  let after: string | undefined;
  for (;;) {
    const last = await getDb().transaction(async (tx) => {
      const quiet = await tx
        .select({ id: users.id })
        .from(users)
        .where(
          and(
            isNotNull(users.bytesReservedAt),
            // The database's clock, which stamped the reservation.
            lt(users.bytesReservedAt, sql`now() - make_interval(secs => ${options.quietSeconds})`),
            after === undefined ? undefined : gt(users.id, after),
          ),
        )
        .orderBy(asc(users.id))
        .limit(BATCH)
        .for("update");
      if (quiet.length === 0) return undefined;
      const ids = quiet.map((q) => q.id);
      const counted = sql<number>`coalesce(sum(${images.byteSize}), 0)`.mapWith(Number);
      const off = await tx
        .select({ userId: users.id, recorded: users.bytesUsed, counted })
        .from(users)
        .leftJoin(images, eq(images.ownerId, users.id))
        .where(inArray(users.id, ids))
        .groupBy(users.id)
        .having(sql`${users.bytesUsed} <> ${counted}`);
      for (const user of off) {
        if (!options.dryRun) await tx.update(users).set({ bytesUsed: user.counted }).where(eq(users.id, user.userId));
        miscounted.push(user);
      }
      // Recounted: only a new reservation can put them off again, and it stamps them again.
      if (!options.dryRun) await tx.update(users).set({ bytesReservedAt: null }).where(inArray(users.id, ids));
      return quiet.at(-1)?.id;
    });
    if (last === undefined) return miscounted;
    after = last;
  }
}
