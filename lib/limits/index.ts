import { once } from "node:events";
import { Redis } from "ioredis";
import { type RateLimiterAbstract, RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from "rate-limiter-flexible";
import { env } from "@/lib/env";
import { logger } from "@/lib/log";

/**
 * Fixed-window rate limiters (rate-limiter-flexible). With REDIS_URL they live in Redis, so every
 * app process shares one budget per key; without it, in this process's memory. A Redis outage
 * never fails a request: each Redis limiter has an in-memory insurance limiter that answers
 * instead, and the Redis client gives up fast (no offline queue, one retry, short timeouts).
 * A fresh process waits for its first connection attempt before counting (see firstAttempt).
 */

/** Where one key stands in one limiter after a request was counted (or refused). */
export type LimitState = {
  /** The limit of the window. */
  limit: number;
  /** Requests left in the current window (0 when refused). */
  remaining: number;
  /** Seconds until the window resets, rounded up (at least 1). */
  resetSeconds: number;
  /** False when the request is over the limit. */
  allowed: boolean;
};

type Limiter = {
  /** Counts one request for `key` and says whether it is within the limit. */
  consume: (key: string) => Promise<LimitState>;
  /** The state without counting; null when nothing was counted in the window. */
  peek: (key: string) => Promise<LimitState | null>;
  /** Forgets one counted request. */
  reward: (key: string) => Promise<void>;
  /** Forgets every request counted for `key`. */
  reset: (key: string) => Promise<void>;
};

export type Limits = {
  /** A limiter of `points` per `seconds`, its keys under `name` (one name, one kind of limit). */
  limiter: (name: string, points: number, seconds: number) => Limiter;
  /** Resolves once the Redis connection is up (at once without Redis); memory answers meanwhile, after the first attempt. */
  ready: () => Promise<void>;
  close: () => Promise<void>;
};

function stateOf(res: RateLimiterRes, limit: number, allowed: boolean): LimitState {
  return {
    limit,
    remaining: allowed ? Math.max(0, res.remainingPoints) : 0,
    resetSeconds: Math.max(1, Math.ceil(res.msBeforeNext / 1000)),
    allowed,
  };
}

function wrap(rl: RateLimiterAbstract, points: number, connecting: Promise<void>): Limiter {
  return {
    async consume(key) {
      await connecting;
      try {
        return stateOf(await rl.consume(key), points, true);
      } catch (rejection) {
        if (rejection instanceof RateLimiterRes) return stateOf(rejection, points, false);
        throw rejection; // only without insurance: a memory limiter does not fail
      }
    },
    async peek(key) {
      await connecting;
      const res = await rl.get(key);
      return res && stateOf(res, points, res.consumedPoints <= points);
    },
    async reward(key) {
      await connecting;
      await rl.reward(key);
    },
    async reset(key) {
      await connecting;
      await rl.delete(key);
    },
  };
}

/** How long a request may wait on Redis before the in-memory insurance answers. */
const REDIS_TIMEOUTS = { connectTimeout: 1000, commandTimeout: 500 };

/**
 * Settles when the client's first connection attempt does: ready, failed, or after `ms`. Until
 * then the limiters would count in this process's memory, unseen by the other apps, so a freshly
 * started app would let its first requests through on top of the shared budget.
 */
function firstAttempt(redis: Redis, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      for (const event of ["ready", "error", "end"]) redis.off(event, done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    timer.unref();
    for (const event of ["ready", "error", "end"]) redis.once(event, done);
  });
}

/**
 * Limiters under `prefix`; on Redis when `redisUrl` is given (each call opens its own connection:
 * two calls stand for two app processes).
 */
export function createLimits(options: { redisUrl?: string; prefix: string }): Limits {
  let redis: Redis | undefined;
  let warned = false;
  if (options.redisUrl) {
    redis = new Redis(options.redisUrl, {
      ...REDIS_TIMEOUTS,
      maxRetriesPerRequest: 1,
      enableOfflineQueue: false,
      // Keep reconnecting in the background (at most every 2 s); requests use memory meanwhile.
      retryStrategy: (times) => Math.min(times * 200, 2000),
    });
    redis.on("error", (error) => {
      if (warned) return;
      warned = true;
      logger.warn({ err: error }, "rate limits: Redis unreachable, counting in memory until it is back");
    });
    redis.on("ready", () => {
      warned = false;
    });
  }
  const connecting = redis ? firstAttempt(redis, REDIS_TIMEOUTS.connectTimeout) : Promise.resolve();
  const made = new Map<string, Limiter>();
  return {
    limiter(name, points, seconds) {
      const id = `${name}:${points}:${seconds}`;
      let limiter = made.get(id);
      if (!limiter) {
        // The key prefix leaves out `points`, so a plan change keeps what was already counted.
        const common = { keyPrefix: `${options.prefix}:rl:${name}`, points, duration: seconds };
        const memory = new RateLimiterMemory(common);
        const rl = redis
          ? new RateLimiterRedis({
              ...common,
              storeClient: redis,
              rejectIfRedisNotReady: true,
              insuranceLimiter: memory,
            })
          : memory;
        limiter = wrap(rl, points, connecting);
        made.set(id, limiter);
      }
      return limiter;
    },
    async ready() {
      if (redis && redis.status !== "ready") await once(redis, "ready");
    },
    async close() {
      if (redis) await redis.quit().catch(() => redis?.disconnect());
    },
  };
}

let shared: Limits | undefined;

/** This process's limiters: on REDIS_URL (keys under QUEUE_PREFIX:rl:) or in memory. */
export function limits(): Limits {
  shared ??= createLimits({ redisUrl: env().REDIS_URL, prefix: env().QUEUE_PREFIX });
  return shared;
}
