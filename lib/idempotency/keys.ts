import { randomUUID } from "node:crypto";
import { and, eq, lt, or, sql } from "drizzle-orm";
import { getDb } from "@/db/client";
import { idempotencyKeys } from "@/db/schema";
import { AppError } from "@/lib/errors";
import { IDEMPOTENCY_LEASE_SECONDS, IDEMPOTENCY_TTL_SECONDS } from "./rules";

/**
 * Idempotency-Key records with Stripe's semantics: for 24 h the same key from the same user gets
 * the first answer again, without the work being done twice; the same key with another request is
 * refused; a second request while the first still runs is refused too, until the first's lease
 * runs out (it crashed), when the second takes over.
 */
export type StoredAnswer = { status: number; headers: Record<string, string>; body: string };

/** A claimed key comes with the claim's id, which completing or releasing it must name. */
export type Claim = { kind: "claimed"; claim: string } | { kind: "replay"; answer: StoredAnswer };

/**
 * Claims `key` for a request whose fingerprint is `fingerprint`, or answers what the first request
 * with that key answered. One statement claims a new key, an expired one or a dead request's
 * (lease over, same fingerprint); otherwise one more reads the row to say why not.
 */
export async function claimIdempotencyKey(userId: string, key: string, fingerprint: string): Promise<Claim> {
  const db = getDb();
  const claim = randomUUID();
  const lease = sql`now() + make_interval(secs => ${IDEMPOTENCY_LEASE_SECONDS})`;
  const [claimed] = await db
    .insert(idempotencyKeys)
    .values({
      userId,
      key,
      fingerprint,
      claim,
      lockedUntil: lease,
      expiresAt: sql`now() + make_interval(secs => ${IDEMPOTENCY_TTL_SECONDS})`,
    })
    .onConflictDoUpdate({
      target: [idempotencyKeys.userId, idempotencyKeys.key],
      set: {
        fingerprint,
        claim,
        state: "running",
        lockedUntil: lease,
        responseStatus: null,
        responseHeaders: null,
        responseBody: null,
        createdAt: sql`now()`,
        expiresAt: sql`excluded.expires_at`,
      },
      setWhere: or(
        lt(idempotencyKeys.expiresAt, sql`now()`),
        and(
          eq(idempotencyKeys.state, "running"),
          lt(idempotencyKeys.lockedUntil, sql`now()`),
          eq(idempotencyKeys.fingerprint, fingerprint),
        ),
      ),
    })
    .returning({ key: idempotencyKeys.key });
  if (claimed) return { kind: "claimed", claim };

  const [row] = await db
    .select()
    .from(idempotencyKeys)
    .where(and(eq(idempotencyKeys.userId, userId), eq(idempotencyKeys.key, key)));
  // Gone between the two statements: the first request failed and gave the key back.
  if (!row) return claimIdempotencyKey(userId, key, fingerprint);
  if (row.fingerprint !== fingerprint) {
    throw new AppError(
      "idempotency-key-reused",
      "This Idempotency-Key was already used for a different request (another operation, body or file) in the last 24 hours; use a new key for a new request.",
      { fields: { "Idempotency-Key": ["already used for a different request"] } },
    );
  }
  if (row.state === "running" || row.responseStatus === null) {
    throw new AppError(
      "idempotency-key-in-use",
      "A request with this Idempotency-Key is still in progress; retry once it has finished.",
      { retryAfterSeconds: 1 },
    );
  }
  return {
    kind: "replay",
    answer: { status: row.responseStatus, headers: row.responseHeaders ?? {}, body: row.responseBody ?? "" },
  };
}

/** The key, still running under this claim (not taken over since). */
const held = (userId: string, key: string, claim: string) =>
  and(
    eq(idempotencyKeys.userId, userId),
    eq(idempotencyKeys.key, key),
    eq(idempotencyKeys.claim, claim),
    eq(idempotencyKeys.state, "running"),
  );

/** Keeps the first request's answer for the rest of the key's 24 h. */
export async function completeIdempotencyKey(
  userId: string,
  key: string,
  claim: string,
  answer: StoredAnswer,
): Promise<void> {
  await getDb()
    .update(idempotencyKeys)
    .set({
      state: "done",
      responseStatus: answer.status,
      responseHeaders: answer.headers,
      responseBody: answer.body,
    })
    .where(held(userId, key, claim));
}

/** Gives the key back (the request failed in a way a retry may fix), so a retry does the work. */
export async function releaseIdempotencyKey(userId: string, key: string, claim: string): Promise<void> {
  await getDb()
    .delete(idempotencyKeys)
    .where(held(userId, key, claim));
}

/** Deletes records past their 24 h (the reconciler's purge). Answers how many went. */
export async function purgeExpiredIdempotencyKeys(options: { dryRun?: boolean } = {}): Promise<number> {
  const expired = lt(idempotencyKeys.expiresAt, sql`now()`);
  if (options.dryRun) {
    const [row] = await getDb()
      .select({ n: sql<number>`count(*)`.mapWith(Number) })
      .from(idempotencyKeys)
      .where(expired);
    return row?.n ?? 0;
  }
  const gone = await getDb().delete(idempotencyKeys).where(expired).returning({ key: idempotencyKeys.key });
  return gone.length;
}
