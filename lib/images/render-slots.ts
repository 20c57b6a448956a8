import os from "node:os";
import { env } from "@/lib/env";

/** Gives a slot back; calling it again does nothing. */
export type ReleaseSlot = () => void;

export type RenderSlots = {
  /** A slot now, or null when every one is taken: the app is busy. */
  tryTake(): ReleaseSlot | null;
  /** A slot as soon as one is free, first come first served. */
  take(): Promise<ReleaseSlot>;
  /** How many wait in take() now. */
  readonly waiting: number;
};

/**
 * How many uploads an app renders at once. libvips spreads each decode over its own threads, so
 * more at once than CPUs only makes every one of them slower; past this the app is busy, and an
 * upload either waits for a slot or, with a queue and its workers, leaves its thumbnails to them.
 */
export function createRenderSlots(size: number): RenderSlots {
  let free = size;
  const queue: ((release: ReleaseSlot) => void)[] = [];
  const slot = (): ReleaseSlot => {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = queue.shift();
      if (next) next(slot());
      else free++;
    };
  };
  return {
    tryTake() {
      if (free === 0) return null;
      free--;
      return slot();
    },
    take() {
      const now = this.tryTake();
      return now ? Promise.resolve(now) : new Promise((resolve) => queue.push(resolve));
    },
    get waiting() {
      return queue.length;
    },
  };
}

let slots: RenderSlots | undefined;

/** This process's slots, sized by UPLOAD_RENDER_CONCURRENCY (0: one per CPU). */
export function renderSlots(): RenderSlots {
  slots ??= createRenderSlots(env().UPLOAD_RENDER_CONCURRENCY || os.availableParallelism());
  return slots;
}
