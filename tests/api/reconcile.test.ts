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
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { getDb } from "@/db/client";
import { idempotencyKeys, imageVariants, images } from "@/db/schema";
import { env } from "@/lib/env";
import { originalKey, variantPrefix } from "@/lib/images/variants";
import { reconcile } from "@/lib/maintenance/reconcile";
import { settleInProcessJobs } from "@/lib/queue/thumbnail-jobs";
import { getStorage } from "@/lib/storage";
import { rgbaPng } from "../support/fixtures";
import { makeUser, storedHeights, storedKeys, type TestUser, uploadOk } from "./harness";

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
