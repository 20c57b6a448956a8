import type { Env } from "@/lib/env";
import { logger } from "@/lib/log";

/** After a start (perhaps after a crash), the first run need not wait a whole interval. */
const FIRST_RUN_AFTER_MS = 60_000;

/**
 * The reconciler's schedule without REDIS_URL (the embedded default): a timer in the app process,
 * first after a minute, then every RECONCILE_INTERVAL_SECONDS (0: off). With REDIS_URL the
 * workers' job scheduler runs it instead (lib/queue/maintenance-jobs.ts). A run still going when
 * the next is due is not doubled. The timers never keep the process alive. Returns a stop function.
 */
export function startReconcileTimer(
  e: Pick<Env, "REDIS_URL" | "RECONCILE_INTERVAL_SECONDS">,
  run: () => Promise<unknown>,
): (() => void) | null {
  if (e.REDIS_URL || e.RECONCILE_INTERVAL_SECONDS === 0) return null;
  const intervalMs = e.RECONCILE_INTERVAL_SECONDS * 1000;
  let running = false;
  const tick = () => {
    if (running) return;
    running = true;
    run()
      .catch((error: unknown) => logger.error({ err: error }, "reconcile failed"))
      .finally(() => (running = false));
  };
  const first = setTimeout(tick, Math.min(FIRST_RUN_AFTER_MS, intervalMs)).unref();
  const every = setInterval(tick, intervalMs).unref();
  return () => {
    clearTimeout(first);
    clearInterval(every);
  };
}
