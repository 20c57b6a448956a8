import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { startReconcileTimer } from "./schedule";

const MINUTE = 60_000;

describe("the app's reconcile timer (no Redis)", () => {
  let stop: (() => void) | null = null;
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => {
    stop?.();
    stop = null;
    vi.useRealTimers();
  });

  it("runs a minute after start, then every RECONCILE_INTERVAL_SECONDS", async () => {
    const run = vi.fn(async () => {});
    stop = startReconcileTimer({ REDIS_URL: undefined, RECONCILE_INTERVAL_SECONDS: 900 }, run);
    await vi.advanceTimersByTimeAsync(MINUTE - 1);
    expect(run).toHaveBeenCalledTimes(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(run).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(15 * MINUTE - MINUTE); // 15 min after start
    expect(run).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(30 * MINUTE);
    expect(run).toHaveBeenCalledTimes(4);
  });

  it("does not start a run while the last one is still going", async () => {
    let finish = () => {};
    const run = vi.fn(() => new Promise<void>((resolve) => (finish = resolve)));
    stop = startReconcileTimer({ REDIS_URL: undefined, RECONCILE_INTERVAL_SECONDS: 60 }, run);
    await vi.advanceTimersByTimeAsync(5 * MINUTE);
    expect(run).toHaveBeenCalledTimes(1);
    finish();
    await vi.advanceTimersByTimeAsync(MINUTE);
    expect(run).toHaveBeenCalledTimes(2);
  });

  it.for([
    { REDIS_URL: "redis://127.0.0.1:6379", RECONCILE_INTERVAL_SECONDS: 900 }, // the workers' scheduler runs it
    { REDIS_URL: undefined, RECONCILE_INTERVAL_SECONDS: 0 }, // off
  ])("does not run with %o", async (e) => {
    const run = vi.fn(async () => {});
    stop = startReconcileTimer(e, run);
    expect(stop).toBeNull();
    await vi.advanceTimersByTimeAsync(60 * MINUTE);
    expect(run).toHaveBeenCalledTimes(0);
  });
});
