import { Queue } from "bullmq";
import type { Env } from "@/lib/env";
import { redisConnection } from "./thumbnail-jobs";

/**
 * The reconciler's schedule with REDIS_URL: a BullMQ job scheduler on its own queue makes one job
 * per interval, and whichever worker takes it runs the reconciler, so one process runs it at a
 * time however many workers there are. Every worker sets the schedule when it starts (the same
 * scheduler id, so this is idempotent and a changed interval takes effect).
 */
export const MAINTENANCE_QUEUE = "maintenance";
const RECONCILE_JOB = "reconcile";

/** With RECONCILE_INTERVAL_SECONDS=0 the worker neither sets the schedule nor takes its jobs. */
export async function syncReconcileSchedule(e: Env): Promise<void> {
  if (e.RECONCILE_INTERVAL_SECONDS === 0) return;
  const queue = new Queue(MAINTENANCE_QUEUE, { connection: redisConnection(e, true), prefix: e.QUEUE_PREFIX });
  try {
    await queue.upsertJobScheduler(
      RECONCILE_JOB,
      { every: e.RECONCILE_INTERVAL_SECONDS * 1000 },
      // One try: the next run comes with the next interval.
      { name: RECONCILE_JOB, opts: { attempts: 1, removeOnComplete: { count: 100 }, removeOnFail: { count: 100 } } },
    );
  } finally {
    await queue.close();
  }
}
