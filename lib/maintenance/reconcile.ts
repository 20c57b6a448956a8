import { and, eq, inArray, isNull, lt, sql } from "drizzle-orm";
import { getDb } from "@/db/client";
import { directUploads, imageVariants, images } from "@/db/schema";
import { purgeExpiredIdempotencyKeys } from "@/lib/idempotency/keys";
import { processImageHere } from "@/lib/images/process-image";
import { logger } from "@/lib/log";
import { requeueThumbnails } from "@/lib/queue/thumbnail-jobs";
import { getStorage, type ListedObject } from "@/lib/storage";
import { expireUploads } from "@/lib/uploads/expire-uploads";
import { recountUsage, type UsageMiscount } from "./recount-usage";

/**
 * Repairs what a process killed mid-request leaves behind, and what expires:
 *
 * - stored objects no row points to (killed between the store and the row's insert, or a job's
 *   file whose row never came), once older than `minAgeSeconds`: an upload in flight has stored
 *   its original but not yet inserted its row, and must not lose it;
 * - images still `processing` after `stuckAfterSeconds` (killed between the insert and the
 *   enqueue, or a job lost with its queue): their thumbnail job is enqueued again (jobs are
 *   idempotent);
 * - direct uploads never completed, past their expiry (lib/uploads/expire-uploads), with their
 *   staged objects (uploads/<id>); a pending one's is no orphan, a completed one's is;
 * - idempotency records past their expiry;
 * - storage usage (users.bytes_used) recounted from the user's images once they have reserved
 *   nothing for `usageQuietSeconds` (lib/maintenance/recount-usage): an upload that failed while
 *   the database was unreachable, or was killed, leaves its reservation counted.
 *
 * Safe to run from several processes at once. Each step runs even if another failed.
 */
export const RECONCILE_DEFAULTS = { minAgeSeconds: 3600, stuckAfterSeconds: 600, usageQuietSeconds: 3600 } as const;

export type ReconcileOptions = {
  /** Report what would be done, change nothing. */
  dryRun?: boolean;
  minAgeSeconds?: number;
  stuckAfterSeconds?: number;
  /**
   * Users who reserved nothing for this long have their usage recounted. Apart from minAgeSeconds,
   * so that `--min-age 0` (a stopped app) never recounts a user whose upload is in flight elsewhere.
   */
  usageQuietSeconds?: number;
};

export type ReconcileReport = {
  dryRun: boolean;
  minAgeSeconds: number;
  stuckAfterSeconds: number;
  /** Objects listed under originals/, variants/ and uploads/. */
  objectsScanned: number;
  /** Of those, younger than minAgeSeconds: not examined. */
  objectsTooYoung: number;
  /** Older objects that no images or image_variants row points to. */
  orphansFound: number;
  orphansDeleted: number;
  orphanKeys: string[];
  /** Images `processing` for longer than stuckAfterSeconds (at most STUCK_BATCH per run). */
  stuckFound: number;
  stuckReenqueued: number;
  /** Stuck images whose job is still pending in the queue: left to it. */
  stuckAlreadyQueued: number;
  stuckImageIds: string[];
  /** Direct uploads past their expiry and grace, never completed (at most 1000 per run). */
  uploadsExpired: number;
  uploadsRemoved: number;
  idempotencyExpired: number;
  idempotencyPurged: number;
  usageQuietSeconds: number;
  /** Users quiet for usageQuietSeconds whose bytes_used was not the sum of their images' sizes. */
  usageMiscounted: number;
  usageCorrected: number;
  /** Those users, with the figure recorded and the one counted. */
  usageMiscounts: UsageMiscount[];
  /** Steps that failed, with the reason (the others still ran). */
  errors: string[];
};

/** Without a queue each re-enqueued job runs in the calling process: a bounded number per run. */
const STUCK_BATCH = 100;
/** Ids per lookup of referenced keys, and keys per delete. */
const BATCH = 1000;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The image (or direct upload) an app key belongs to (originals/<id>, variants/<id>/…, uploads/<id>); null for keys the app never makes. */
function imageIdOf(key: string): string | null {
  const [top, id] = key.split("/");
  if ((top !== "originals" && top !== "variants" && top !== "uploads") || !id || !UUID.test(id)) return null;
  return id;
}

export async function reconcile(options: ReconcileOptions = {}): Promise<ReconcileReport> {
  const report: ReconcileReport = {
    dryRun: options.dryRun === true,
    minAgeSeconds: options.minAgeSeconds ?? RECONCILE_DEFAULTS.minAgeSeconds,
    stuckAfterSeconds: options.stuckAfterSeconds ?? RECONCILE_DEFAULTS.stuckAfterSeconds,
    objectsScanned: 0,
    objectsTooYoung: 0,
    orphansFound: 0,
    orphansDeleted: 0,
    orphanKeys: [],
    stuckFound: 0,
    stuckReenqueued: 0,
    stuckAlreadyQueued: 0,
    stuckImageIds: [],
    uploadsExpired: 0,
    uploadsRemoved: 0,
    idempotencyExpired: 0,
    idempotencyPurged: 0,
    usageQuietSeconds: options.usageQuietSeconds ?? RECONCILE_DEFAULTS.usageQuietSeconds,
    usageMiscounted: 0,
    usageCorrected: 0,
    usageMiscounts: [],
    errors: [],
  };
  const step = async (name: string, run: () => Promise<void>) => {
    try {
      await run();
    } catch (error) {
      report.errors.push(`${name}: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  await step("orphaned objects", () => removeOrphans(report));
  await step("stuck images", () => reenqueueStuck(report));
  await step("expired uploads", () => removeExpiredUploads(report));
  await step("expired idempotency records", () => purgeIdempotency(report));
  await step("storage usage", () => recountStorageUsage(report));
  return report;
}

async function removeOrphans(report: ReconcileReport): Promise<void> {
  const storage = getStorage();
  // Listed before the rows are read: whatever is referenced when listed is still referenced then.
  const listed = [
    ...(await storage.listWithDates("originals/")),
    ...(await storage.listWithDates("variants/")),
    ...(await storage.listWithDates("uploads/")),
  ];
  report.objectsScanned = listed.length;
  const cutoff = Date.now() - report.minAgeSeconds * 1000;
  const old: (ListedObject & { imageId: string })[] = [];
  for (const object of listed) {
    const imageId = imageIdOf(object.key);
    if (!imageId) continue;
    if (object.lastModified.getTime() > cutoff) report.objectsTooYoung++;
    else old.push({ ...object, imageId });
  }

  const db = getDb();
  for (let i = 0; i < old.length; i += BATCH) {
    const batch = old.slice(i, i + BATCH);
    const ids = [...new Set(batch.map((o) => o.imageId))];
    const [originals, variants, uploads] = await Promise.all([
      db.select({ key: images.storageKey }).from(images).where(inArray(images.id, ids)),
      db.select({ key: imageVariants.storageKey }).from(imageVariants).where(inArray(imageVariants.imageId, ids)),
      db
        .select({ key: directUploads.storageKey })
        .from(directUploads)
        .where(and(inArray(directUploads.id, ids), isNull(directUploads.completedAt))),
    ]);
    const referenced = new Set([...originals, ...variants, ...uploads].map((r) => r.key));
    for (const object of batch) if (!referenced.has(object.key)) report.orphanKeys.push(object.key);
  }
  report.orphansFound = report.orphanKeys.length;
  if (report.dryRun) return;
  for (let i = 0; i < report.orphanKeys.length; i += BATCH) {
    const chunk = report.orphanKeys.slice(i, i + BATCH);
    await storage.delete(chunk);
    report.orphansDeleted += chunk.length;
  }
}

async function reenqueueStuck(report: ReconcileReport): Promise<void> {
  // The database's clock, which wrote created_at.
  const stuck = await getDb()
    .select({ id: images.id })
    .from(images)
    .where(
      and(
        eq(images.status, "processing"),
        lt(images.createdAt, sql`now() - make_interval(secs => ${report.stuckAfterSeconds})`),
      ),
    )
    .orderBy(images.createdAt)
    .limit(STUCK_BATCH);
  report.stuckImageIds = stuck.map((s) => s.id);
  report.stuckFound = stuck.length;
  if (report.dryRun) return;
  for (const { id } of stuck) {
    if ((await requeueThumbnails(id, processImageHere)) === "pending") report.stuckAlreadyQueued++;
    else report.stuckReenqueued++;
  }
}

async function removeExpiredUploads(report: ReconcileReport): Promise<void> {
  const ids = await expireUploads({ dryRun: report.dryRun });
  report.uploadsExpired = ids.length;
  if (!report.dryRun) report.uploadsRemoved = ids.length;
}

async function purgeIdempotency(report: ReconcileReport): Promise<void> {
  const n = await purgeExpiredIdempotencyKeys({ dryRun: report.dryRun });
  report.idempotencyExpired = n;
  if (!report.dryRun) report.idempotencyPurged = n;
}

async function recountStorageUsage(report: ReconcileReport): Promise<void> {
  report.usageMiscounts = await recountUsage({ quietSeconds: report.usageQuietSeconds, dryRun: report.dryRun });
  report.usageMiscounted = report.usageMiscounts.length;
  if (!report.dryRun) report.usageCorrected = report.usageMiscounts.length;
}

/** The periodic run (worker's job scheduler, or the app's timer): one log line with the report. */
export async function reconcileAndLog(trigger: "scheduler" | "timer"): Promise<ReconcileReport> {
  const report = await reconcile();
  const { orphanKeys, stuckImageIds, usageMiscounts, ...counts } = report;
  // The counts say how much; the first few keys and ids say where to look.
  const line = {
    trigger,
    ...counts,
    orphanKeys: orphanKeys.slice(0, 20),
    stuckImageIds: stuckImageIds.slice(0, 20),
    usageMiscounts: usageMiscounts.slice(0, 20),
  };
  if (report.errors.length) logger.error(line, "reconcile finished with errors");
  else logger.info(line, "reconcile done");
  return report;
}
