/**
 * The production topology under load: two `next start` apps and two workers on real PostgreSQL,
 * Redis and an S3-compatible server. Uploads spread over both apps all end ready with every
 * variant of the plan, one row per (image, height), and a bucket holding exactly what the rows
 * point to — also when a worker is killed with SIGKILL while it holds jobs, and when an upload's
 * answer is lost after the server committed it and the client retries on the other app.
 */
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { startTcpProxy } from "../infra/tcp-proxy";
import {
  bucketKeys,
  expectBucketMatchesRows,
  gainHeight,
  imageRows,
  expectOneVariantPerHeight,
  jobsOf,
  makeGrowingPlan,
  makeUser,
  noisyJpeg,
  sleep,
  thumbnailQueue,
  type TestUser,
  upload,
  uploadOk,
  useStack,
  waitAllJobsDone,
  waitAllReady,
} from "./helpers";

const stack = useStack({ apps: 2, workers: 2 });
const ENTERPRISE_HEIGHTS = [200, 400];

describe("stack: 2 apps, 2 workers", () => {
  let user: TestUser;

  it("50 concurrent uploads over both apps all end ready, one variant row per height, no stray object", async () => {
    const { appUrls } = stack();
    user = await makeUser("Enterprise");
    const files = await Promise.all(Array.from({ length: 50 }, (_, i) => noisyJpeg(560 + (i % 5) * 20, 420)));

    const created = await Promise.all(
      files.map((file, i) => uploadOk(appUrls[i % appUrls.length] as string, user.token, file, `upload ${i}`)),
    );
    const ids = created.map((image) => image.id);
    expect(new Set(ids).size).toBe(50);

    const ready = await waitAllReady(appUrls, user.token, ids);
    for (const image of ready.values()) expect(image.thumbnails.map((t) => t.height)).toEqual(ENTERPRISE_HEIGHTS);
    await expectOneVariantPerHeight(ids, ENTERPRISE_HEIGHTS);
    await expectBucketMatchesRows(stack());

    // Either app serves what a worker made (shared database and bucket).
    for (const [i, id] of ids.slice(0, 4).entries()) {
      const res = await fetch(`${appUrls[(i + 1) % appUrls.length]}/api/v1/images/${id}/thumbnails/400`, {
        headers: { authorization: `Bearer ${user.token}` },
      });
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe("image/jpeg");
      await res.arrayBuffer();
    }
  });

  it("a worker killed with SIGKILL while it holds jobs loses none: the other one takes them again", async () => {
    const s = stack();
    const queue = thumbnailQueue(s);
    try {
      // The previous test's jobs may still be finishing in Redis (the image is ready first).
      for (let i = 0; i < 200 && (await queue.getActiveCount()) > 0; i++) await sleep(50);
      // Both workers frozen while a plan change queues a job per image; then only worker 0 runs,
      // so the jobs it takes are certainly its own when it is killed.
      const plan = await makeGrowingPlan();
      const owner = await makeUser(plan);
      const big = await noisyJpeg(3000, 2000, 90);
      const created = await Promise.all(
        Array.from({ length: 20 }, (_, i) => uploadOk(s.appUrls[i % 2] as string, owner.token, big, `big ${i}`)),
      );
      const ids = created.map((image) => image.id);
      // Uploads beyond an app's render slots left their thumbnails to the workers: let them finish.
      await waitAllReady(s.appUrls, owner.token, ids);
      for (let i = 0; i < 200 && (await queue.getActiveCount()) + (await queue.getWaitingCount()) > 0; i++)
        await sleep(50);
      s.signalWorker(0, "SIGSTOP");
      s.signalWorker(1, "SIGSTOP");
      await gainHeight(s, plan, 20);
      expect(await queue.getWaitingCount()).toBe(20);

      s.signalWorker(0, "SIGCONT");
      let active = 0;
      // Bounded: a worker that missed the wake-up polls again after BullMQ's drainDelay (5 s).
      for (let i = 0; i < 1000 && active === 0; i++) {
        active = await queue.getActiveCount();
        if (active === 0) await sleep(20);
      }
      expect(active, "worker 0 never took a job").toBeGreaterThan(0);
      await s.killWorker(0, "SIGKILL");
      expect(s.workers[0]?.alive()).toBe(false);
      s.signalWorker(1, "SIGCONT");

      await waitAllJobsDone(queue, ids);
      // The kill landed while jobs were held: at least one was found stalled and run again.
      const jobs = await jobsOf(queue, ids);
      expect(jobs.every((job) => job?.returnvalue === "ready")).toBe(true);
      expect(jobs.filter((job) => (job?.stalledCounter ?? 0) > 0).length).toBeGreaterThan(0);

      await expectOneVariantPerHeight(ids, ENTERPRISE_HEIGHTS);
      await expectBucketMatchesRows(s);
      expect((await bucketKeys(s, "originals/")).length).toBe(70);
    } finally {
      await queue.close();
    }
  });

  it("an upload whose 201 is lost on the wire, retried with its Idempotency-Key on the other app, is stored once", async () => {
    const { appUrls } = stack();
    const [appA, appB] = appUrls as [string, string];
    const owner = await makeUser("Premium");
    const file = await noisyJpeg(900, 600);
    const key = randomUUID();
    // The client reaches app A through a proxy that drops the connection as the 201 comes back.
    const a = new URL(appA);
    const proxy = await startTcpProxy({ target: { host: a.hostname, port: Number(a.port) } });
    try {
      const lost = proxy.cutWhenAnswered("HTTP/1.1 201");
      const first = upload(`http://${proxy.host}:${proxy.port}`, owner.token, file, "holiday", {
        "idempotency-key": key,
      });
      await expect(first).rejects.toThrow();
      await lost;
    } finally {
      await proxy.close();
    }
    const committed = await imageRows(owner.id);
    expect(committed).toHaveLength(1); // the server did the work; the client never heard

    const retry = await upload(appB, owner.token, file, "holiday", { "idempotency-key": key });
    expect(retry.status).toBe(201);
    expect(retry.headers.get("idempotent-replayed")).toBe("true");
    expect(((await retry.json()) as { id: string }).id).toBe(committed[0]?.id);
    expect(await imageRows(owner.id)).toHaveLength(1);
    await waitAllReady(appUrls, owner.token, [committed[0]?.id as string]);
    await expectBucketMatchesRows(stack());
  });

  it("an upload over 10 MB (what Next buffers of a body by default) arrives whole: 201 and the original byte for byte", async () => {
    const { appUrls } = stack();
    const owner = await makeUser("Premium"); // 25 MiB per file
    const file = await noisyJpeg(4500, 3500, 92); // about 13 MB
    expect(file.length).toBeGreaterThan(10 * 1024 * 1024);
    const image = await uploadOk(appUrls[0] as string, owner.token, file, "large");
    const original = await fetch(`${appUrls[1]}/api/v1/images/${image.id}/original`, {
      headers: { authorization: `Bearer ${owner.token}` },
    });
    expect(original.status).toBe(200);
    expect(Buffer.from(await original.arrayBuffer()).equals(file)).toBe(true);
  });
});
