/**
 * `npm run admin -- reconcile`, run as a real child process against the suite's database and this
 * file's media directory (nothing else uploads into it, so --min-age 0 cannot take an upload in
 * flight). Without REDIS_URL the re-enqueued job runs in the CLI, which waits for it before exiting.
 * Stuck images are planted two days old and looked for with --stuck-after of a day, so images of
 * other files sharing the database are not involved.
 */
import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getDb } from "@/db/client";
import { idempotencyKeys, images } from "@/db/schema";
import { originalKey } from "@/lib/images/variants";
import { getStorage } from "@/lib/storage";
import { makeUser, storedHeights, storedKeys } from "../api/harness";
import { rgbaPng } from "../support/fixtures";
import { describeRun, runAdmin } from "./run-admin";

const png = await rgbaPng(); // 32 × 32
const DAY = 86_400_000;
const cliEnv = { ...process.env, REDIS_URL: "" };

async function stuckImage(ownerId: string): Promise<string> {
  const id = randomUUID();
  await getStorage().put(originalKey(id), png, "image/png");
  await getDb()
    .insert(images)
    .values({
      id,
      ownerId,
      name: "never enqueued",
      storageKey: originalKey(id),
      contentType: "image/png",
      width: 32,
      height: 32,
      byteSize: png.length,
      sha256: "0".repeat(64),
      createdAt: new Date(Date.now() - 2 * DAY),
    });
  return id;
}

const statusOf = async (id: string) =>
  (await getDb().select({ status: images.status }).from(images).where(eq(images.id, id)))[0]?.status;

describe("admin CLI: reconcile", () => {
  it("--dry-run prints what it found and changes nothing; without it the orphan goes and the stuck image is made ready", async () => {
    const user = await makeUser("Basic");
    const orphan = originalKey(randomUUID());
    await getStorage().put(orphan, png, "image/png");
    const stuck = await stuckImage(user.id);
    const past = new Date(Date.now() - DAY);
    await getDb().insert(idempotencyKeys).values({
      userId: user.id,
      key: "old",
      fingerprint: "f",
      claim: randomUUID(),
      lockedUntil: past,
      expiresAt: past,
    });
    const before = await storedKeys();
    const flags = ["--min-age", "0", "--stuck-after", "86400"];

    const dry = await runAdmin(["reconcile", "--dry-run", ...flags], cliEnv);
    expect(dry.code, describeRun(dry)).toBe(0);
    expect(dry.stdout).toContain("dry run: nothing changed");
    expect(dry.stdout).toContain("Orphaned objects (no row points to them): 1 found");
    expect(dry.stdout).toContain(`\n  ${orphan}\n`);
    expect(dry.stdout).toContain(`\n  ${stuck}`);
    expect(dry.stdout).toMatch(/\nStorage usage of users who reserved nothing for 3600 s: \d+ miscounted\n/);
    expect(await storedKeys()).toEqual(before);
    expect(await statusOf(stuck)).toBe("processing");

    const run = await runAdmin(["reconcile", ...flags], cliEnv);
    expect(run.code, describeRun(run)).toBe(0);
    expect(run.stdout).toContain("Orphaned objects (no row points to them): 1 found, 1 deleted");
    expect(run.stdout).toMatch(/Images processing for more than 86400 s: \d+ found, \d+ re-enqueued/);
    expect(run.stdout).toContain(`\n  ${stuck}`);
    expect(run.stdout).toMatch(
      /\nStorage usage of users who reserved nothing for 3600 s: \d+ miscounted, \d+ corrected/,
    );
    expect(await statusOf(stuck)).toBe("ready");
    expect(await storedHeights(stuck)).toEqual([200]);
    expect(await storedKeys()).not.toContain(orphan);
    const keys = await getDb()
      .select({ key: idempotencyKeys.key })
      .from(idempotencyKeys)
      .where(eq(idempotencyKeys.userId, user.id));
    expect(keys).toEqual([]);
  });

  it("without --min-age an object stored just now is kept: it may be an upload between its store and its insert", async () => {
    const orphan = originalKey(randomUUID());
    await getStorage().put(orphan, png, "image/png");
    const run = await runAdmin(["reconcile", "--stuck-after", "86400"], cliEnv);
    expect(run.code, describeRun(run)).toBe(0);
    expect(run.stdout).toContain("younger than 3600 s not examined");
    expect(run.stdout).toContain("Orphaned objects (no row points to them): 0 found, 0 deleted");
    expect(await storedKeys()).toContain(orphan);
  });

  it("refuses a --min-age that is not a whole number of seconds, and deletes nothing", async () => {
    const orphan = originalKey(randomUUID());
    await getStorage().put(orphan, png, "image/png");
    const run = await runAdmin(["reconcile", "--min-age", "soon"], cliEnv);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain('--min-age must be a whole number of seconds, got "soon"');
    expect(await storedKeys()).toContain(orphan);
  });
});
