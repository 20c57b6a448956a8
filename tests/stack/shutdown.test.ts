/**
 * Graceful shutdown. SIGTERM to an app while an upload is still streaming in: the app stops taking
 * new connections, finishes that request (201, row and object stored), then exits. SIGTERM to a
 * worker holding a job: the job finishes (not left to stall), the worker exits, and what was still
 * waiting is done by the next worker.
 */
import net from "node:net";
import { describe, expect, it } from "vitest";
import {
  expectBucketMatchesRows,
  expectOneVariantPerHeight,
  gainHeight,
  imageRows,
  makeGrowingPlan,
  makeUser,
  noisyJpeg,
  sleep,
  thumbnailQueue,
  uploadOk,
  useStack,
  waitAllJobsDone,
  waitAllReady,
} from "./helpers";

const stack = useStack({ apps: 2, workers: 1 });

/** A multipart upload whose body arrives in two parts: the second only when `release` is called. */
function slowUpload(appUrl: string, token: string, bytes: Buffer) {
  const boundary = "----tih-shutdown-test";
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="name"\r\n\r\nslow\r\n--${boundary}\r\nContent-Disposition: form-data; name="image"; filename="slow.jpg"\r\nContent-Type: image/jpeg\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const half = Math.floor(bytes.length / 2);
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let firstSent!: () => void;
  const started = new Promise<void>((resolve) => (firstSent = resolve));
  let step = 0;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (step === 0) {
        controller.enqueue(Buffer.concat([head, bytes.subarray(0, half)]));
        step = 1;
        firstSent();
      } else {
        await released;
        controller.enqueue(Buffer.concat([bytes.subarray(half), tail]));
        controller.close();
      }
    },
  });
  const response = fetch(`${appUrl}/api/v1/images`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": `multipart/form-data; boundary=${boundary}` },
    body,
    duplex: "half",
  } as RequestInit);
  return { response, started, release };
}

describe("graceful shutdown", () => {
  it("an app told to stop finishes the upload in flight, refuses new connections, then exits", async () => {
    const s = stack();
    const user = await makeUser("Enterprise");
    const bytes = await noisyJpeg(1200, 800);
    const app = s.apps[1];
    if (!app?.url) throw new Error("no second app");

    const upload = slowUpload(app.url, user.token, bytes);
    await upload.started;
    await sleep(200); // let the first part reach the server (a bound, not an assertion)
    process.kill(app.pid, "SIGTERM");
    // Stopped accepting: a fresh connection (not one of fetch's pooled keep-alive ones) is refused.
    let refused = false;
    for (let i = 0; i < 100 && !refused; i++) {
      refused = await new Promise<boolean>((resolve) => {
        const socket = net.connect({ port: app.port as number, host: "127.0.0.1" });
        socket.once("connect", () => {
          socket.destroy();
          resolve(false);
        });
        socket.once("error", () => resolve(true));
      });
      if (!refused) await sleep(20);
    }
    expect(refused).toBe(true);
    upload.release();
    const res = await upload.response;
    const text = await res.text();
    expect(res.status, text).toBe(201);
    const { id } = JSON.parse(text) as { id: string };
    for (let i = 0; i < 100 && app.alive(); i++) await sleep(50);
    expect(app.alive()).toBe(false);

    // The other app and the worker carry on: the image it accepted becomes ready.
    expect((await imageRows(user.id)).map((r) => r.id)).toEqual([id]);
    await waitAllReady([s.appUrls[0] as string], user.token, [id]);
  });

  it("a worker told to stop finishes the job it holds, and the next worker does the rest", async () => {
    const s = stack();
    const plan = await makeGrowingPlan();
    const user = await makeUser(plan);
    const queue = thumbnailQueue(s);
    const appUrl = s.appUrls[0] as string;
    const big = await noisyJpeg(3000, 2000, 90);
    const ids = await Promise.all(
      Array.from({ length: 6 }, async (_, i) => (await uploadOk(appUrl, user.token, big, `big ${i}`)).id),
    );
    // Uploads beyond the app's render slots left their thumbnails to the worker: let it finish.
    await waitAllReady([appUrl], user.token, ids);
    for (let i = 0; i < 200 && (await queue.getActiveCount()) + (await queue.getWaitingCount()) > 0; i++)
      await sleep(50);
    s.signalWorker(0, "SIGSTOP");
    await gainHeight(s, plan, 6); // a job per image
    s.signalWorker(0, "SIGCONT");
    let active = 0;
    for (let i = 0; i < 500 && active === 0; i++) {
      active = await queue.getActiveCount();
      if (active === 0) await sleep(10);
    }
    expect(active, "the worker never took a job").toBeGreaterThan(0);
    const held = (await queue.getActive()).map((job) => job.id);

    await s.killWorker(0, "SIGTERM");
    // What it held was finished by it, not abandoned for another worker to retake.
    for (const jobId of held) {
      const job = await queue.getJob(jobId as string);
      expect(await job?.isCompleted()).toBe(true);
      expect(job?.stalledCounter ?? 0).toBe(0);
    }
    await s.startWorker();
    await waitAllJobsDone(queue, ids);
    await expectOneVariantPerHeight(ids, [200, 400]);
    await expectBucketMatchesRows(s);
    await queue.close();
  });
});
