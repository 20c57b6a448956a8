/**
 * `npm run worker`: runs thumbnail jobs from the BullMQ queue (REDIS_URL), WORKER_CONCURRENCY at a
 * time. A job is retried with exponential backoff up to JOB_ATTEMPTS times, then the image is
 * marked failed with the reason. A worker killed mid-job loses nothing: its lock expires after
 * JOB_LOCK_MS and another worker takes the job again. On SIGTERM it finishes its current jobs.
 * Workers also run the reconciler (lib/maintenance/reconcile.ts) from a BullMQ job scheduler,
 * every RECONCILE_INTERVAL_SECONDS, one run at a time across all of them.
 */
import { UnrecoverableError, Worker } from "bullmq";
import { closeDb } from "@/db/client";
import { markFailed, processImage } from "@/lib/images/process-image";
import { TooManyPixelsError, UndecodableImageError } from "@/lib/images/imaging";
import { logger as rootLogger } from "@/lib/log";
import { reconcileAndLog } from "@/lib/maintenance/reconcile";
import { MAINTENANCE_QUEUE, syncReconcileSchedule } from "@/lib/queue/maintenance-jobs";
import {
  closeQueue,
  redisConnection,
  settleInProcessJobs,
  THUMBNAIL_QUEUE,
  type ThumbnailJobData,
} from "@/lib/queue/thumbnail-jobs";
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
  // A plan change's job failing for good leaves the image as it was (its thumbnails render on demand).
  if (final && !job.data.gained)
    void markFailed(job.data.imageId, error.message).catch((err) =>
      logger.error({ err }, "could not mark image failed"),
    );
});
worker.on("error", (error) => logger.error({ err: error }, "worker error"));

// One reconcile at a time per worker; the scheduler makes one job per interval for all of them.
// With RECONCILE_INTERVAL_SECONDS=0 this worker sets no schedule and takes no such jobs.
await syncReconcileSchedule(e);
const maintenance =
  e.RECONCILE_INTERVAL_SECONDS > 0
    ? new Worker(MAINTENANCE_QUEUE, () => reconcileAndLog("scheduler"), {
        connection: redisConnection(e, true),
        prefix: e.QUEUE_PREFIX,
        concurrency: 1,
      })
    : undefined;
maintenance?.on("failed", (_job, error) => logger.error({ err: error }, "reconcile failed"));
maintenance?.on("error", (error) => logger.error({ err: error }, "maintenance worker error"));

await worker.waitUntilReady();
await maintenance?.waitUntilReady();
logger.info({ concurrency: e.WORKER_CONCURRENCY, queue: THUMBNAIL_QUEUE, prefix: e.QUEUE_PREFIX }, "worker ready");

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, "worker stopping: finishing current jobs");
  await Promise.all([worker.close(), maintenance?.close()]);
  await settleInProcessJobs(); // a re-enqueue that found Redis down made its thumbnails here
  await closeQueue();
  await closeDb();
  await database.close();
  logger.info("worker stopped");
  process.exit(0);
}
process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("SIGINT", () => void shutdown("SIGINT"));
