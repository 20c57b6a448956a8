/**
 * The reconciler against real PostgreSQL and the file's own media directory: what a killed
 * process leaves behind (an object with no row, an image never handed to a job) and expired
 * idempotency records are found, reported, and repaired; nothing anything points to is touched.
 * The database is shared with other files running at the same time, so figures about rows are
 * checked for this file's rows; the media directory is this file's alone, so objects are exact.
 */
import { randomUUID } from "node:crypto";
import { utimes } from "node:fs/promises";
import path from "node:path";
import { eq, sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { getDb } from "@/db/client";
import { idempotencyKeys, imageVariants, images, users } from "@/db/schema";
import { env } from "@/lib/env";
import { deleteImageFiles } from "@/lib/images/store-variants";
import { originalKey, variantPrefix } from "@/lib/images/variants";
import { reconcile } from "@/lib/maintenance/reconcile";
import { recountUsage } from "@/lib/maintenance/recount-usage";
import { releaseBytes, reserveBytes } from "@/lib/plans/quota";
import { settleInProcessJobs } from "@/lib/queue/thumbnail-jobs";
import { getStorage } from "@/lib/storage";
import { rgbaPng } from "../support/fixtures";
import { bytesUsed, makeUser, storedHeights, storedKeys, type TestUser, uploadOk } from "./harness";

const png = await rgbaPng(); // 32 × 32

const HOUR = 3600_000;

/** Makes a stored object look `ms` old (disk storage: its modification time). */
async function age(key: string, ms: number) {
  const when = new Date(Date.now() - ms);
  await utimes(path.join(env().MEDIA_DIR, ...key.split("/")), when, when);
}

/** A `processing` row as the upload inserts it, `ms` old, its original stored; never enqueued. */
async function processingImage(owner: TestUser, ms: number): Promise<string> {
  const id = randomUUID();
  await getStorage().put(originalKey(id), png, "image/png");
  await age(originalKey(id), ms);
  await getDb()
    .insert(images)
    .values({
      id,
      ownerId: owner.id,
      name: "killed before its job",
      storageKey: originalKey(id),
      contentType: "image/png",
      width: 32,
      height: 32,
      byteSize: png.length,
      sha256: "0".repeat(64),
      createdAt: new Date(Date.now() - ms),
    });
  return id;
}

/** Whether a statement of this database whose text contains `text` waits on a lock now. */
async function waitsOnLock(text: string): Promise<boolean> {
  const rows = await getDb().execute<{ waiting: number }>(
    sql`select count(*)::int as waiting from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock' and query like ${`%${text}%`} and pid <> pg_backend_pid()`,
  );
  return (rows[0]?.waiting ?? 0) > 0;
}

const statusOf = async (id: string) =>
  (await getDb().select({ status: images.status }).from(images).where(eq(images.id, id)))[0]?.status;

const idempotencyKeysOf = async (userId: string) =>
  (await getDb().select({ key: idempotencyKeys.key }).from(idempotencyKeys).where(eq(idempotencyKeys.userId, userId)))
    .map((r) => r.key)
    .sort();

describe("reconcile", () => {
  let user: TestUser;
  let kept: string[];
  let stuckId: string;
  let freshId: string;
  let oldOrphan: string;
  let orphanVariant: string;
  let youngOrphan: string;

  beforeAll(async () => {
    user = await makeUser("Premium");
    // An image as it should be, with its thumbnails; all its objects old.
    const good = await uploadOk(user, png, "complete");
    for (const key of await storedKeys()) await age(key, 2 * HOUR);

    // Killed between the store and the insert: an original with no row, two hours old.
    oldOrphan = originalKey(randomUUID());
    await getStorage().put(oldOrphan, png, "image/png");
    await age(oldOrphan, 2 * HOUR);
    // A rendition of an existing image that no variant row records (a job killed before its insert).
    orphanVariant = `${variantPrefix(good.id)}200-${"ab".repeat(8)}`;
    await getStorage().put(orphanVariant, png, "image/png");
    await age(orphanVariant, 2 * HOUR);
    // An upload in flight: stored, its row not inserted yet.
    youngOrphan = originalKey(randomUUID());
    await getStorage().put(youngOrphan, png, "image/png");

    // Killed between the insert and the enqueue, two hours ago; and one inserted just now.
    stuckId = await processingImage(user, 2 * HOUR);
    freshId = await processingImage(user, 0);

    const past = new Date(Date.now() - HOUR);
    const future = new Date(Date.now() + HOUR);
    await getDb()
      .insert(idempotencyKeys)
      .values([
        { userId: user.id, key: "expired", fingerprint: "f", claim: randomUUID(), lockedUntil: past, expiresAt: past },
        { userId: user.id, key: "live", fingerprint: "f", claim: randomUUID(), lockedUntil: past, expiresAt: future },
      ]);
    kept = (await storedKeys()).filter((k) => k !== oldOrphan && k !== orphanVariant);
  });

  it("a dry run reports the old orphans, the stuck image and the expired record, and changes nothing", async () => {
    const before = await storedKeys();
    const report = await reconcile({ dryRun: true });

    expect(report).toMatchObject({
      dryRun: true,
      minAgeSeconds: 3600,
      stuckAfterSeconds: 600,
      objectsScanned: before.length,
      objectsTooYoung: 2, // the young orphan and the fresh image's original
      orphansFound: 2,
      orphansDeleted: 0,
      orphanKeys: [oldOrphan, orphanVariant],
      stuckReenqueued: 0,
      idempotencyPurged: 0,
      errors: [],
    });
    expect(report.stuckImageIds).toContain(stuckId);
    expect(report.stuckImageIds).not.toContain(freshId);
    expect(report.idempotencyExpired).toBeGreaterThanOrEqual(1);

    await settleInProcessJobs();
    expect(await storedKeys()).toEqual(before);
    expect(await statusOf(stuckId)).toBe("processing");
    expect(await idempotencyKeysOf(user.id)).toEqual(["expired", "live"]);
  });

  it("deletes only the old orphans, re-enqueues the stuck image until it is ready, purges the expired record", async () => {
    const report = await reconcile();
    expect(report).toMatchObject({ dryRun: false, orphansFound: 2, orphansDeleted: 2, errors: [] });
    expect(report.orphanKeys).toEqual([oldOrphan, orphanVariant]);
    expect(report.stuckImageIds).toContain(stuckId);
    expect(report.stuckImageIds).not.toContain(freshId);
    expect(report.stuckReenqueued).toBe(report.stuckImageIds.length);
    expect(report.idempotencyPurged).toBeGreaterThanOrEqual(1);

    await settleInProcessJobs(); // without Redis the job runs in this process
    expect(await statusOf(stuckId)).toBe("ready");
    expect(await storedHeights(stuckId)).toEqual([200, 400]);
    expect(await statusOf(freshId)).toBe("processing");
    expect(await idempotencyKeysOf(user.id)).toEqual(["live"]);

    // Everything a row points to, and the young orphan, is still there; the new thumbnails too.
    const newVariants = (
      await getDb()
        .select({ key: imageVariants.storageKey })
        .from(imageVariants)
        .where(eq(imageVariants.imageId, stuckId))
    ).map((v) => v.key);
    expect(await storedKeys()).toEqual([...kept, ...newVariants].sort());
    expect(kept).toContain(youngOrphan);
  });

  it("a second run finds nothing more of this file's to do", async () => {
    const report = await reconcile();
    expect(report).toMatchObject({ orphansFound: 0, orphansDeleted: 0, orphanKeys: [], errors: [] });
    expect(report.stuckImageIds).not.toContain(stuckId);
  });

  it("--min-age 0 takes the young orphan too, but never what a row points to", async () => {
    const report = await reconcile({ minAgeSeconds: 0 });
    expect(report).toMatchObject({ objectsTooYoung: 0, orphanKeys: [youngOrphan], orphansDeleted: 1, errors: [] });
    const rows = await getDb().select({ key: images.storageKey }).from(images).where(eq(images.ownerId, user.id));
    const variants = await getDb()
      .select({ key: imageVariants.storageKey })
      .from(imageVariants)
      .innerJoin(images, eq(images.id, imageVariants.imageId))
      .where(eq(images.ownerId, user.id));
    expect(await storedKeys()).toEqual([...rows, ...variants].map((r) => r.key).sort());
  });
});

describe("reconcile: storage usage", () => {
  const reservedAt = async (userId: string) =>
    (await getDb().select({ at: users.bytesReservedAt }).from(users).where(eq(users.id, userId)))[0]?.at ?? null;
  /** As if the user's last reservation were `ms` old. */
  const quietFor = (userId: string, ms: number) =>
    getDb()
      .update(users)
      .set({ bytesReservedAt: new Date(Date.now() - ms) })
      .where(eq(users.id, userId));
  const miscountOf = (report: Awaited<ReturnType<typeof reconcile>>, userId: string) =>
    report.usageMiscounts.find((m) => m.userId === userId);

  let lost: TestUser;
  let right: TestUser;
  let stored: number;

  beforeAll(async () => {
    [lost, right] = [await makeUser("Premium"), await makeUser("Premium")];
    expect(await reservedAt(lost.id)).toBeNull();
    await uploadOk(lost, png, "kept");
    await uploadOk(right, png, "kept");
    stored = png.length;
    // An upload killed after its reservation, or failing while the database was unreachable:
    // the reservation is made, and nothing gives it back.
    await reserveBytes(lost.id, 5000);
  });

  it("an upload's reservation is stamped; a user who reserved within the hour keeps their count, whatever it is", async () => {
    const at = await reservedAt(lost.id);
    expect(at).not.toBeNull();
    expect(Date.now() - (at?.getTime() ?? 0)).toBeLessThan(60_000);
    const report = await reconcile();
    expect(report).toMatchObject({ usageQuietSeconds: 3600, errors: [] });
    expect(miscountOf(report, lost.id)).toBeUndefined();
    expect(await bytesUsed(lost.id)).toBe(stored + 5000);
  });

  it("once quiet for the hour, a dry run reports the lost reservation and changes nothing; a run corrects it", async () => {
    await quietFor(lost.id, 2 * HOUR);
    await quietFor(right.id, 2 * HOUR);

    const dry = await reconcile({ dryRun: true });
    expect(dry.errors).toEqual([]);
    expect(miscountOf(dry, lost.id)).toEqual({ userId: lost.id, recorded: stored + 5000, counted: stored });
    expect(miscountOf(dry, right.id)).toBeUndefined();
    expect(dry.usageCorrected).toBe(0);
    expect(await bytesUsed(lost.id)).toBe(stored + 5000);

    const run = await reconcile();
    expect(run.errors).toEqual([]);
    expect(miscountOf(run, lost.id)).toEqual({ userId: lost.id, recorded: stored + 5000, counted: stored });
    expect(run.usageCorrected).toBe(run.usageMiscounted);
    expect(await bytesUsed(lost.id)).toBe(stored);
    expect(await bytesUsed(right.id)).toBe(stored);
    // Both recounted: neither is again until a new reservation stamps them.
    expect(await reservedAt(lost.id)).toBeNull();
    expect(await reservedAt(right.id)).toBeNull();

    const again = await reconcile();
    expect(miscountOf(again, lost.id)).toBeUndefined();
  });

  it("a delete whose transaction is open as the recount starts: the recount waits for it, and counts without its image", async () => {
    const second = await uploadOk(lost, png, "second");
    await reserveBytes(lost.id, 777); // lost again
    await quietFor(lost.id, 2 * HOUR);
    // deleteImage's transaction, held open after its row delete and its give-back.
    let commit = () => {};
    const open = new Promise<void>((resolve) => (commit = resolve));
    let held = () => {};
    const holding = new Promise<void>((resolve) => (held = resolve));
    const deletion = getDb().transaction(async (tx) => {
      await tx.delete(images).where(eq(images.id, second.id));
      await releaseBytes(lost.id, png.length, tx);
      held();
      await open;
    });
    await holding;
    const recount = recountUsage({ quietSeconds: 3600, dryRun: false });
    // Until the recount waits on the user's row lock (bounded by count, not time).
    for (let i = 0; i < 200 && !(await waitsOnLock("bytes_reserved_at")); i++)
      await new Promise((r) => setTimeout(r, 10));
    expect(await waitsOnLock("bytes_reserved_at")).toBe(true);
    commit();
    await deletion;
    const miscounts = await recount;
    expect(miscounts.find((m) => m.userId === lost.id)).toEqual({
      userId: lost.id,
      recorded: stored + 777,
      counted: stored,
    });
    expect(await bytesUsed(lost.id)).toBe(stored);
    await deleteImageFiles(second.id);
  });
});
