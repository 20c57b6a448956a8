import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { Queue } from "bullmq";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getDb } from "@/db/client";
import { images, imageVariants } from "@/db/schema";
import { env, resetEnvForTests } from "@/lib/env";
import { closeQueue, settleInProcessJobs, THUMBNAIL_QUEUE } from "@/lib/queue/thumbnail-jobs";
import { setStorage } from "@/lib/storage";
import {
  api,
  CHROMIUM_ACCEPT,
  makeUser,
  refusingThumbnailWrites,
  storedHeights,
  type TestUser,
  uploadForm,
  type ImageBody,
} from "../api/harness";
import { orientedJpeg, rgbPng } from "../support/fixtures";

/** The queue path against the real Redis on 127.0.0.1:6379 and a real worker process. */
const REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
const prefix = `tih-test-${randomUUID().slice(0, 8)}`;
let worker: ChildProcess | undefined;
let user: TestUser;

function startWorker(): Promise<ChildProcess> {
  // As `npm run worker` runs it: tsx as a loader, no relaying CLI in between.
  const child = spawn(process.execPath, ["--import", "tsx", "scripts/worker.ts"], {
    env: {
      ...process.env,
      REDIS_URL,
      QUEUE_PREFIX: prefix,
      JOB_ATTEMPTS: "2",
      JOB_BACKOFF_MS: "100",
      // Not the reconciler: it would act on the suite's shared database (tests/stack/reconcile covers it).
      RECONCILE_INTERVAL_SECONDS: "0",
      EAGER_FORMATS: "webp,avif", // the default (the API suites turn it off)
      LOG_LEVEL: "info",
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  return new Promise((resolve, reject) => {
    let output = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('"msg":"worker ready"')) resolve(child);
    });
    child.once("exit", (code) => reject(new Error(`worker exited with ${code}: ${output}`)));
  });
}

async function imageOf(id: string): Promise<ImageBody> {
  return (await (await api.get(user.token, id)).json()) as ImageBody;
}

/** Polls (bounded by count, not by a timing assertion) until the image leaves `processing`. */
async function settled(id: string): Promise<ImageBody> {
  for (let i = 0; i < 300; i++) {
    const image = await imageOf(id);
    if (image.status !== "processing") return image;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`image ${id} still processing`);
}

/** Polls (bounded by count) until the image's job has completed; returns its return value. */
async function jobDone(id: string): Promise<unknown> {
  const queue = new Queue(THUMBNAIL_QUEUE, { connection: { url: REDIS_URL }, prefix });
  try {
    for (let i = 0; i < 300; i++) {
      const job = await queue.getJob(id);
      if (await job?.isCompleted()) return job?.returnvalue;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`the job of ${id} never completed`);
  } finally {
    await queue.close();
  }
}

/** The image's variant rows as "height format", sorted. */
async function variantsOf(id: string): Promise<string[]> {
  const rows = await getDb()
    .select({ height: imageVariants.height, format: imageVariants.format })
    .from(imageVariants)
    .where(eq(imageVariants.imageId, id));
  return rows.map((r) => `${r.height} ${r.format}`).sort();
}

const ALL_FORMATS_200_400 = ["200 avif", "200 jpeg", "200 webp", "400 avif", "400 jpeg", "400 webp"];

const eagerBefore = process.env.EAGER_FORMATS;

beforeAll(async () => {
  process.env.REDIS_URL = REDIS_URL;
  process.env.QUEUE_PREFIX = prefix;
  process.env.EAGER_FORMATS = "webp,avif";
  resetEnvForTests();
  user = await makeUser("Premium");
});

afterAll(async () => {
  worker?.kill("SIGTERM");
  const queue = new Queue(THUMBNAIL_QUEUE, { connection: { url: REDIS_URL }, prefix });
  await queue.obliterate({ force: true });
  await queue.close();
  await closeQueue();
  delete process.env.REDIS_URL;
  delete process.env.QUEUE_PREFIX;
  if (eagerBefore === undefined) delete process.env.EAGER_FORMATS;
  else process.env.EAGER_FORMATS = eagerBefore;
  resetEnvForTests();
});

describe("thumbnail jobs on BullMQ", () => {
  let kept: ImageBody;
  let deletedId: string;
  let young: { id: string; interimEtag: string | null };

  it("a browser asking for a just-uploaded image's AVIF before its job made it gets the JPEG for now, and nothing is encoded twice", async () => {
    const res = await api.upload(user.token, uploadForm("young", await orientedJpeg(1, "landscape")));
    const created = (await res.json()) as ImageBody;
    expect(created.status).toBe("ready");
    // No worker runs yet: the job that makes WebP and AVIF waits in Redis.
    const served = await api.thumbnail(user.token, created.id, 200, { accept: CHROMIUM_ACCEPT });
    expect(served.status).toBe(200);
    expect(served.headers.get("content-type")).toBe("image/jpeg");
    // Not cached for a year under this Accept: the browser asks again and then gets the AVIF.
    expect(served.headers.get("cache-control")).toBe("private, no-cache");
    expect(served.headers.get("vary")).toMatch(/Accept/);
    expect(await variantsOf(created.id)).toEqual(["200 jpeg", "400 jpeg"]);
    // Forced with ?format= it is made on the request all the same.
    const forced = await api.thumbnail(user.token, created.id, 400, { accept: CHROMIUM_ACCEPT }, "avif");
    expect(forced.headers.get("content-type")).toBe("image/avif");
    expect(forced.headers.get("cache-control")).toMatch(/immutable/);
    young = { id: created.id, interimEtag: served.headers.get("etag") };
  });

  it("an upload whose thumbnails could not be stored answers 201, leaving them to the queue", async () => {
    setStorage(refusingThumbnailWrites());
    const [a, b] = await Promise.all(
      ["keep", "delete"].map(
        async (name) =>
          (await (
            await api.upload(user.token, uploadForm(name, await orientedJpeg(2, "portrait")))
          ).json()) as ImageBody,
      ),
    );
    setStorage(undefined);
    kept = a as ImageBody;
    deletedId = (b as ImageBody).id;
    expect(kept.status).toBe("processing");
    await settleInProcessJobs();
    // No worker runs yet and nothing ran here: the job waits in Redis.
    expect(await storedHeights(kept.id)).toEqual([]);
    const queue = new Queue(THUMBNAIL_QUEUE, { connection: { url: REDIS_URL }, prefix });
    expect((await queue.getJob(kept.id))?.data).toEqual({ imageId: kept.id });
    await queue.close();
    // A thumbnail asked for before its job ran is made on demand.
    expect((await api.thumbnail(user.token, kept.id, 200)).status).toBe(200);
    expect((await api.delete(user.token, deletedId)).status).toBe(204);
  });

  it("a worker makes every variant of the plan and marks the image ready; the deleted image's job ends cleanly", async () => {
    worker = await startWorker();
    const image = await settled(kept.id);
    expect(image.status).toBe("ready");
    // Ready once the JPEGs are stored; the same job then makes WebP and AVIF: one file each.
    expect(await jobDone(kept.id)).toBe("ready");
    expect(await variantsOf(kept.id)).toEqual(ALL_FORMATS_200_400);
    expect(await storedHeights(kept.id)).toEqual([200, 200, 200, 400, 400, 400]);

    const queue = new Queue(THUMBNAIL_QUEUE, { connection: { url: REDIS_URL }, prefix });
    let job = await queue.getJob(deletedId);
    for (let i = 0; i < 300 && !(await job?.isCompleted()); i++) {
      await new Promise((r) => setTimeout(r, 100));
      job = await queue.getJob(deletedId);
    }
    expect(await job?.isCompleted()).toBe(true);
    expect(job?.returnvalue).toBe("gone");
    expect(job?.attemptsMade).toBe(1);
    await queue.close();
    expect(await storedHeights(deletedId)).toEqual([]);
  });

  it("an image whose stored original no longer decodes ends failed, with the reason", async () => {
    // The worker runs: with the queue paused, it cannot take the job before the original is damaged.
    const queue = new Queue(THUMBNAIL_QUEUE, { connection: { url: REDIS_URL }, prefix });
    await queue.pause();
    setStorage(refusingThumbnailWrites());
    const res = await api.upload(user.token, uploadForm("doomed", await rgbPng()));
    setStorage(undefined);
    const { id } = (await res.json()) as ImageBody;
    // Damage the stored original (disk storage in this suite), then let the worker have the job.
    await writeFile(path.join(env().MEDIA_DIR, "originals", id), Buffer.from("no longer an image"));
    await queue.resume();
    await queue.close();
    const image = await settled(id);
    expect(image.status).toBe("failed");
    const [row] = await getDb().select({ reason: images.failureReason }).from(images).where(eq(images.id, id));
    expect(row?.reason).toMatch(/decode/i);
  });

  it("a ready upload's job makes its WebP and AVIF thumbnails on a worker; the image stays ready", async () => {
    const res = await api.upload(user.token, uploadForm("formats", await orientedJpeg(3, "landscape")));
    const created = (await res.json()) as ImageBody;
    expect(created.status).toBe("ready");
    expect(await jobDone(created.id)).toBe("ready");
    expect(await variantsOf(created.id)).toEqual(ALL_FORMATS_200_400);
    expect((await imageOf(created.id)).status).toBe("ready");
    const avif = await api.thumbnail(user.token, created.id, 400, { accept: "image/avif" });
    expect(avif.headers.get("content-type")).toBe("image/avif");
  });

  it("once the job has made it, the browser revalidating the interim JPEG gets the AVIF, cached for good", async () => {
    expect(await jobDone(young.id)).toBe("ready");
    expect(await variantsOf(young.id)).toEqual(ALL_FORMATS_200_400);
    const again = await api.thumbnail(user.token, young.id, 200, {
      accept: CHROMIUM_ACCEPT,
      "if-none-match": young.interimEtag ?? "",
    });
    expect(again.status).toBe(200);
    expect(again.headers.get("content-type")).toBe("image/avif");
    expect(again.headers.get("cache-control")).toMatch(/immutable/);
    expect(again.headers.get("etag")).not.toBe(young.interimEtag);
  });
});
