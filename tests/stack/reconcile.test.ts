/**
 * Crash recovery in the production topology. An app process killed (SIGKILL) between storing an
 * upload's files and inserting its rows leaves objects nothing points to; one killed between
 * inserting the row of an upload whose thumbnails could not be stored and enqueueing its job
 * leaves an image `processing` that no job will ever finish. The workers' scheduled reconcile, with its default ages, leaves both alone (they are too
 * recent: the first could be an upload in flight); `npm run admin -- reconcile --min-age 0
 * --stuck-after 0` against the stack's database, bucket and Redis removes the first and
 * re-enqueues the second, which the worker then makes ready.
 *
 * The kills are placed by the fault proxies, not by timing: the database proxy hangs at the row's
 * insert (the image name is its parameter), the S3 proxy holds the thumbnails' writes (their keys
 * start with variants/) until the app's S3 timeout fails them, the Redis proxy hangs at the job's
 * add (its data names `imageId`), and the app is killed while it waits there.
 */
import { randomUUID } from "node:crypto";
import { Queue } from "bullmq";
import { describe, expect, it } from "vitest";
import type { ReconcileReport } from "@/lib/maintenance/reconcile";
import { MAINTENANCE_QUEUE } from "@/lib/queue/maintenance-jobs";
import type { Stack } from "../infra/stack/index";
import { describeRun } from "../cli/run-admin";
import {
  adminCli,
  bucketKeys,
  expectBucketMatchesRows,
  expectOneVariantPerHeight,
  imageRows,
  makeUser,
  noisyJpeg,
  sleep,
  thumbnailQueue,
  upload,
  uploadOk,
  useStack,
} from "./helpers";

const stack = useStack({ apps: 2, workers: 0, faults: true });

const admin = (s: Stack, args: string[]) => adminCli(s, ["reconcile", ...args]);

async function statusOf(id: string): Promise<string | undefined> {
  return (await imageRows()).find((row) => row.id === id)?.status;
}

/** Bounded polling of the database (the apps are gone by then) until the image is ready. */
async function waitReady(id: string): Promise<void> {
  for (let i = 0; i < 600 && (await statusOf(id)) !== "ready"; i++) await sleep(100);
  expect(await statusOf(id)).toBe("ready");
}

describe("reconciling after app processes were killed mid-upload", () => {
  let completeId: string;
  let orphanKeys: string[];
  let stuckId: string;

  const proxies = () => {
    const p = stack().proxies;
    if (!p) throw new Error("no proxies");
    return p;
  };

  it("killed between store and insert: the original and its thumbnails are in the bucket and no row points to them", async () => {
    const s = stack();
    const user = await makeUser("Enterprise");
    const file = await noisyJpeg(320, 240);
    completeId = (await uploadOk(s.appUrls[0] as string, user.token, file, "complete")).id;
    const before = await bucketKeys(s);
    const name = `killed-before-insert-${randomUUID()}`;

    const held = proxies().db.blackholeWhen(name);
    const res = upload(s.appUrls[0] as string, user.token, file, name).catch((error: unknown) => error);
    try {
      await held;
      await s.killApp(0);
    } finally {
      await proxies().db.restore();
    }
    expect(await res).toBeInstanceOf(Error); // the connection died with the app
    expect((await imageRows(user.id)).map((row) => row.id)).toEqual([completeId]);
    orphanKeys = (await bucketKeys(s)).filter((key) => !before.includes(key)).sort();
    expect(orphanKeys).toEqual([
      expect.stringMatching(/^originals\//),
      expect.stringMatching(/^variants\/.*\/200-/),
      expect.stringMatching(/^variants\/.*\/400-/),
    ]);
  });

  it("killed between insert and enqueue: the row is `processing`, its original stored, and no job exists", async () => {
    const s = stack();
    const user = await makeUser("Enterprise");
    const file = await noisyJpeg(320, 240);

    proxies().s3.holdConnectionsWhen("/variants/");
    const held = proxies().redis.blackholeWhen('"imageId"');
    const res = upload(s.appUrls[1] as string, user.token, file, "killed-before-enqueue").catch((e: unknown) => e);
    try {
      await held;
      // The app would give up on Redis after a while and make the thumbnails itself: hold its
      // database too (it waits on Redis now, so nothing of it reaches the database in between).
      proxies().db.blackhole();
      await s.killApp(1);
    } finally {
      await proxies().s3.restore();
      await proxies().redis.restore();
      await proxies().db.restore();
    }
    expect(await res).toBeInstanceOf(Error);
    const rows = await imageRows(user.id);
    expect(rows).toEqual([{ id: expect.any(String), storageKey: expect.any(String), status: "processing" }]);
    stuckId = rows[0]?.id as string;
    expect(await bucketKeys(s, `originals/${stuckId}`)).toEqual([`originals/${stuckId}`]);
    const queue = thumbnailQueue(s);
    try {
      expect(await queue.getJob(stuckId)).toBeUndefined();
    } finally {
      await queue.close();
    }
  });

  it("a worker's scheduled reconcile, with the default ages, leaves both alone", async () => {
    const s = stack();
    await s.startWorker();
    const maintenance = new Queue(MAINTENANCE_QUEUE, { connection: { url: s.redisUrl }, prefix: s.queuePrefix });
    try {
      expect(await maintenance.getJobSchedulers()).toEqual([
        expect.objectContaining({ key: "reconcile", every: 900_000 }),
      ]);
      // The scheduler's first job is due at once.
      let done = await maintenance.getJobs(["completed", "failed"]);
      for (let i = 0; i < 300 && done.length === 0; i++) {
        await sleep(100);
        done = await maintenance.getJobs(["completed", "failed"]);
      }
      expect(done).toHaveLength(1);
      const report = done[0]?.returnvalue as ReconcileReport;
      expect(report).toMatchObject({ dryRun: false, orphansFound: 0, stuckFound: 0, errors: [] });
      expect(report.objectsTooYoung).toBe(report.objectsScanned);
    } finally {
      await maintenance.close();
    }
    expect(await bucketKeys(s)).toEqual(expect.arrayContaining(orphanKeys));
    expect(await statusOf(stuckId)).toBe("processing");
  });

  it("reconcile --dry-run --min-age 0 --stuck-after 0 prints both and changes nothing", async () => {
    const s = stack();
    const before = await bucketKeys(s);
    const run = await admin(s, ["--dry-run", "--min-age", "0", "--stuck-after", "0"]);
    expect(run.code, describeRun(run)).toBe(0);
    expect(run.stdout).toContain("Orphaned objects (no row points to them): 3 found");
    for (const key of orphanKeys) expect(run.stdout).toContain(`\n  ${key}\n`);
    expect(run.stdout).toContain("Images processing for more than 0 s: 1 found");
    expect(run.stdout).toContain(`\n  ${stuckId}`);
    expect(await bucketKeys(s)).toEqual(before);
    expect(await statusOf(stuckId)).toBe("processing");
  });

  it("reconcile --min-age 0 --stuck-after 0 removes the orphan and re-enqueues the stuck image; the worker makes it ready", async () => {
    const s = stack();
    const run = await admin(s, ["--min-age", "0", "--stuck-after", "0"]);
    expect(run.code, describeRun(run)).toBe(0);
    expect(run.stdout).toContain("Orphaned objects (no row points to them): 3 found, 3 deleted");
    expect(run.stdout).toContain("Images processing for more than 0 s: 1 found, 1 re-enqueued, 0 already queued");

    await waitReady(stuckId);
    for (const key of orphanKeys) expect(await bucketKeys(s)).not.toContain(key);
    await expectOneVariantPerHeight([completeId, stuckId], [200, 400]);
    await expectBucketMatchesRows(s); // every object has its row, every row its object
  });
});
