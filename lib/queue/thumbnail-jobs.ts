import { Queue } from "bullmq";
import { env, type Env } from "@/lib/env";
import { logger } from "@/lib/log";
import { withTimeout } from "@/lib/timeout";

/**
 * Thumbnail jobs. With REDIS_URL: one BullMQ job per image (job id = image id, so a repeated
 * enqueue is a no-op), run by `npm run worker` processes, retried with exponential backoff.
 * Without it (the embedded default): the caller's job function runs in this process after the
 * response, so nothing else needs to run. The queue knows nothing of images: the worker and the
 * producer hand it the job.
 */
export const THUMBNAIL_QUEUE = "thumbnails";

/** `gained`: a plan change's job (queueGainedHeights), whose failure leaves the image as it was. */
export type ThumbnailJobData = { imageId: string; gained?: true };

export function redisConnection(e: Env, forWorker: boolean) {
  return {
    url: e.REDIS_URL,
    // Workers wait out Redis outages; producers fail fast and fall back to running the job here.
    maxRetriesPerRequest: forWorker ? null : 1,
    enableOfflineQueue: forWorker,
  };
}

let queue: Queue<ThumbnailJobData> | undefined;

function getQueue(e: Env): Queue<ThumbnailJobData> {
  queue ??= new Queue<ThumbnailJobData>(THUMBNAIL_QUEUE, {
    connection: redisConnection(e, false),
    prefix: e.QUEUE_PREFIX,
    defaultJobOptions: {
      attempts: e.JOB_ATTEMPTS,
      backoff: { type: "exponential", delay: e.JOB_BACKOFF_MS },
      removeOnComplete: { count: 1000 },
      removeOnFail: { count: 10_000 },
    },
  });
  return queue;
}

const ENQUEUE_TIMEOUT_MS = 2000;

const running = new Set<Promise<void>>();

/** Which try of a job this is; on the last one the job records its own failure. */
export type Attempt = { number: number; last: boolean };

/** The job as run in this process: it must record its own failure on the last try. */
export type LocalJob = (imageId: string, attempt: Attempt) => Promise<void>;

/** BullMQ's exponential backoff: the wait before try n (n ≥ 2) is delay × 2^(n-2). */
function backoffBefore(attempt: number, delayMs: number): number {
  return delayMs * 2 ** (attempt - 2);
}

/**
 * Runs the job after the response, as the queue would: up to JOB_ATTEMPTS tries with exponential
 * backoff (JOB_BACKOFF_MS, doubling). settleInProcessJobs() waits for the pending retries too.
 */
function runHere(imageId: string, job: LocalJob): void {
  const run = (async () => {
    await new Promise<void>((resolve) => setImmediate(resolve));
    await runWithRetries(imageId, job);
  })().finally(() => running.delete(run));
  running.add(run);
}

async function runWithRetries(imageId: string, job: LocalJob): Promise<void> {
  const { JOB_ATTEMPTS, JOB_BACKOFF_MS } = env();
  for (let number = 1; number <= JOB_ATTEMPTS; number++) {
    const last = number === JOB_ATTEMPTS;
    try {
      await job(imageId, { number, last });
      return;
    } catch (error) {
      if (last) {
        logger.error({ err: error, imageId, attempt: number }, "thumbnail job failed");
        return;
      }
      const waitMs = backoffBefore(number + 1, JOB_BACKOFF_MS);
      logger.warn({ err: error, imageId, attempt: number, retryInMs: waitMs }, "thumbnail job failed: retrying");
      await new Promise<void>((resolve) => setTimeout(resolve, waitMs));
    }
  }
}

/**
 * Hands the image to the queue, or runs the job here if there is no queue or it does not answer
 * (should the enqueue land late after all, the job is idempotent: both runs agree).
 */
export async function enqueueThumbnails(imageId: string, runLocally: LocalJob): Promise<void> {
  const e = env();
  if (!e.REDIS_URL) return runHere(imageId, runLocally);
  try {
    // BullMQ waits for a connection before sending; an upload must not wait for a Redis outage.
    await withTimeout(getQueue(e).add("generate", { imageId }, { jobId: imageId }), ENQUEUE_TIMEOUT_MS, "Redis");
  } catch (error) {
    logger.warn({ err: error, imageId }, "queue unavailable: making thumbnails in this process");
    runHere(imageId, runLocally);
  }
}

/**
 * Hands many images to the queue at once (a plan gained heights): one job each, under ids of
 * this batch (`batchId`), so that images whose earlier jobs Redis still keeps as completed get
 * one too. Without a queue, or if it does not answer, the jobs run here one after another, so a
 * plan of a hundred thousand images does not start them all at once.
 */
export async function enqueueThumbnailBatch(imageIds: readonly string[], batchId: string, runLocally: LocalJob) {
  if (!imageIds.length) return;
  const e = env();
  if (e.REDIS_URL) {
    try {
      const jobs = imageIds.map((imageId) => ({
        name: "generate",
        data: { imageId, gained: true as const },
        opts: { jobId: `${imageId}-${batchId}` },
      }));
      await withTimeout(getQueue(e).addBulk(jobs), ENQUEUE_TIMEOUT_MS, "Redis");
      return;
    } catch (error) {
      logger.warn({ err: error, images: imageIds.length }, "queue unavailable: making thumbnails in this process");
    }
  }
  const run = (async () => {
    for (const imageId of imageIds) await runWithRetries(imageId, runLocally);
  })().finally(() => running.delete(run));
  running.add(run);
}

/**
 * For the reconciler: hands an image that is still `processing` to the queue again. A job still
 * pending under its id (waiting, delayed, running) is left alone: "pending". A finished one
 * (completed or failed, kept for inspection) is removed first, since BullMQ ignores an add under
 * the id of a job it still holds.
 */
export async function requeueThumbnails(imageId: string, runLocally: LocalJob): Promise<"queued" | "pending"> {
  const e = env();
  if (e.REDIS_URL) {
    try {
      const job = await withTimeout(getQueue(e).getJob(imageId), ENQUEUE_TIMEOUT_MS, "Redis");
      const state = job ? await withTimeout(job.getState(), ENQUEUE_TIMEOUT_MS, "Redis") : "unknown";
      if (job && (state === "completed" || state === "failed"))
        await withTimeout(job.remove(), ENQUEUE_TIMEOUT_MS, "Redis");
      else if (state !== "unknown") return "pending";
    } catch (error) {
      // enqueueThumbnails finds the queue unavailable too and makes the thumbnails here.
      logger.warn({ err: error, imageId }, "queue unavailable: could not look up the image's job");
    }
  }
  await enqueueThumbnails(imageId, runLocally);
  return "queued";
}

/** Readiness: the queue answers (always true without one). */
export async function checkQueue(): Promise<void> {
  const e = env();
  if (!e.REDIS_URL) return;
  await getQueue(e).count();
}

/** Tests and shutdown: wait until jobs running in this process have finished. */
export async function settleInProcessJobs(): Promise<void> {
  while (running.size) await Promise.allSettled([...running]);
}

export async function closeQueue(): Promise<void> {
  await queue?.close();
  queue = undefined;
}
