import { and, eq, sql } from "drizzle-orm";
import { type Database, getDb } from "@/db/client";
import { plans, users } from "@/db/schema";
import { AppError } from "@/lib/errors";
import { formatMb } from "./sizes";

/**
 * Storage quotas. users.bytes_used counts the user's originals plus uploads in flight: an upload
 * reserves its size with one conditional UPDATE (never past the plan's quota, however many
 * uploads race: each one rechecks the row as the previous one left it) before it stores
 * anything, and gives the bytes back if it then fails; a delete subtracts them in its transaction.
 * The reservation also stamps users.bytes_reserved_at, by which the reconciler knows when no
 * upload of the user's can be in flight (lib/maintenance/recount-usage).
 */
type Executor = Pick<Database, "update">;

/** Reserves `bytes` for an upload, or throws quota-exceeded (nothing reserved). Answers the new usage. */
export async function reserveBytes(userId: string, bytes: number): Promise<number> {
  const db = getDb();
  const [row] = await db
    .update(users)
    .set({ bytesUsed: sql`"users"."bytes_used" + ${bytes}`, bytesReservedAt: sql`now()` })
    .where(
      and(
        eq(users.id, userId),
        // Spelled out: drizzle leaves an update's own columns unqualified, which inside the subquery is ambiguous to read.
        sql`(select p.quota_bytes is null or "users"."bytes_used" + ${bytes} <= p.quota_bytes from plans p where p.id = "users"."plan_id")`,
      ),
    )
    .returning({ bytesUsed: users.bytesUsed });
  if (row) return row.bytesUsed;
  throw quotaExceeded(bytes, await usageAndQuota(userId));
}

/**
 * Throws quota-exceeded if `bytes` more would not fit now; reserves nothing (a direct upload asks
 * before its bytes are sent; completing it reserves them).
 */
export async function assertQuotaRoom(userId: string, bytes: number): Promise<void> {
  const current = await usageAndQuota(userId);
  if (current.quota !== null && current.used + bytes > current.quota) throw quotaExceeded(bytes, current);
}

async function usageAndQuota(userId: string): Promise<{ used: number; quota: number | null }> {
  const [current] = await getDb()
    .select({ bytesUsed: users.bytesUsed, quotaBytes: plans.quotaBytes })
    .from(users)
    .innerJoin(plans, eq(plans.id, users.planId))
    .where(eq(users.id, userId));
  return { used: current?.bytesUsed ?? 0, quota: current ? current.quotaBytes : 0 };
}

function quotaExceeded(bytes: number, { used, quota }: { used: number; quota: number | null }): AppError {
  return new AppError(
    "quota-exceeded",
    `This upload (${formatMb(bytes)}) would exceed your plan's storage quota of ${formatMb(quota ?? 0)}: ` +
      `you are using ${formatMb(used)}. Delete some images or ask for a larger plan.`,
    { fields: { image: ["storage quota exceeded"] } },
  );
}

/** Gives back bytes reserved for an upload that failed, or of an image deleted (pass the transaction). */
export async function releaseBytes(userId: string, bytes: number, db: Executor = getDb()): Promise<void> {
  await db
    .update(users)
    .set({ bytesUsed: sql`"users"."bytes_used" - ${bytes}` })
    .where(eq(users.id, userId));
}

export type Usage = { images: number; bytes: number; quotaBytes: number | null };

/** What a user has stored and may store. */
export async function usageOf(userId: string): Promise<Usage> {
  const db = getDb();
  const [row] = await db
    .select({
      bytes: users.bytesUsed,
      quotaBytes: plans.quotaBytes,
      images: sql<number>`(select count(*) from images where images.owner_id = "users"."id")`.mapWith(Number),
    })
    .from(users)
    .innerJoin(plans, eq(plans.id, users.planId))
    .where(eq(users.id, userId));
  return { images: row?.images ?? 0, bytes: row?.bytes ?? 0, quotaBytes: row?.quotaBytes ?? null };
}
