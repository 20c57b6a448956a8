/**
 * `npm run worker`: runs thumbnail jobs from the BullMQ queue (REDIS_URL), WORKER_CONCURRENCY at a
 * time. A job is retried with exponential backoff up to JOB_ATTEMPTS times, then the image is
 * marked failed with the reason. A worker killed mid-job loses nothing: its lock expires after
 * JOB_LOCK_MS and another worker takes the job again. On SIGTERM it finishes its current jobs.
 */
import { UnrecoverableError, Worker } from "bullmq";
import { closeDb } from "@/db/client";
import { markFailed, processImage } from "@/lib/images/process-image";
import { TooManyPixelsError, UndecodableImageError } from "@/lib/images/imaging";
import { logger as rootLogger } from "@/lib/log";
import { redisConnection, THUMBNAIL_QUEUE, type ThumbnailJobData } from "@/lib/queue/thumbnail-jobs";
import { loadEnvOrExit, prepareDatabase } from "./db";

const logger = rootLogger.child({ service: "worker" });
const e = loadEnvOrExit();
if (!e.REDIS_URL) {
  console.error("The worker needs REDIS_URL (without it, the app makes thumbnails in its own process).");
  process.exit(1);
}
const database = await prepareDatabase(e);

const worker = new Worker<ThumbnailJobData>(
  THUMBNAIL_QUEUE,
  async (job) => {
    try {
      const outcome = await processImage(job.data.imageId);
      logger.info(
        { jobId: job.id, imageId: job.data.imageId, attempt: job.attemptsMade + 1, outcome },
        "thumbnail job done",
      );
      return outcome;
    } catch (error) {
      // A file that cannot be decoded will not decode on the next try either.
      if (error instanceof UndecodableImageError || error instanceof TooManyPixelsError)
        throw new UnrecoverableError(error.message);
      throw error;
    }
  },
  {
    connection: redisConnection(e, true),
    prefix: e.QUEUE_PREFIX,
    concurrency: e.WORKER_CONCURRENCY,
    lockDuration: e.JOB_LOCK_MS,
    stalledInterval: Math.max(1000, Math.floor(e.JOB_LOCK_MS / 2)),
    maxStalledCount: 3,
  },
);

worker.on("failed", (job, error) => {
  if (!job) return;
  const final = job.attemptsMade >= (job.opts.attempts ?? 1) || error instanceof UnrecoverableError;
  logger.error(
    { err: error, jobId: job.id, imageId: job.data.imageId, attempt: job.attemptsMade, final },
    "thumbnail job failed",
  );
  if (final)
    void markFailed(job.data.imageId, error.message).catch((err) =>
      logger.error({ err }, "could not mark image failed"),
    );
});
worker.on("error", (error) => logger.error({ err: error }, "worker error"));
await worker.waitUntilReady();
logger.info({ concurrency: e.WORKER_CONCURRENCY, queue: THUMBNAIL_QUEUE, prefix: e.QUEUE_PREFIX }, "worker ready");

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, "worker stopping: finishing current jobs");
  await worker.close();
  await closeDb();
  await database.close();
  logger.info("worker stopped");
  process.exit(0);
}
process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("SIGINT", () => void shutdown("SIGINT"));
