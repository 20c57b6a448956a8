import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { createLimits } from "@/lib/limits";

/** The limiters on real Redis: one budget across app processes, and memory when Redis is gone. */
const REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
const prefix = `tih-test-${randomUUID().slice(0, 8)}`;

const started = async (limits: ReturnType<typeof createLimits>) => {
  await limits.ready(); // before that, requests are counted in memory
  return limits;
};

afterAll(async () => {
  const redis = new Redis(REDIS_URL);
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length) await redis.del(...keys);
  await redis.quit();
});

describe("rate limits on Redis", () => {
  it("two app processes (two limiter sets, two connections) share one budget", async () => {
    const appA = await started(createLimits({ redisUrl: REDIS_URL, prefix }));
    const appB = await started(createLimits({ redisUrl: REDIS_URL, prefix }));
    try {
      const a = appA.limiter("user-minute", 10, 60);
      const b = appB.limiter("user-minute", 10, 60);
      const key = randomUUID();
      const answers = [];
      for (let i = 0; i < 12; i++) answers.push(await (i % 2 ? b : a).consume(key));
      expect(answers.filter((s) => s.allowed)).toHaveLength(10);
      expect(answers.at(9)).toMatchObject({ allowed: true, remaining: 0 });
      expect(answers.at(10)?.allowed).toBe(false);
      // Each alone would have allowed all of its own six.
      const redis = new Redis(REDIS_URL);
      expect(await redis.keys(`${prefix}:rl:user-minute:${key}`)).toHaveLength(1);
      await redis.quit();
      // A reset through one process is seen by the other.
      await a.reset(key);
      expect((await b.consume(key)).remaining).toBe(9);
    } finally {
      await appA.close();
      await appB.close();
    }
  });

  it("a fresh process counts its first requests on Redis, not in memory while it connects", async () => {
    const appA = createLimits({ redisUrl: REDIS_URL, prefix });
    const appB = createLimits({ redisUrl: REDIS_URL, prefix });
    try {
      const a = appA.limiter("user-minute", 4, 60);
      const b = appB.limiter("user-minute", 4, 60);
      const key = randomUUID();
      const answers = [];
      // At once, without ready(): the first answers come while both connections open.
      for (let i = 0; i < 6; i++) answers.push(await (i % 2 ? b : a).consume(key));
      expect(answers.map((s) => s.allowed)).toEqual([true, true, true, true, false, false]);
      expect(answers.slice(0, 4).map((s) => s.remaining)).toEqual([3, 2, 1, 0]);
    } finally {
      await appA.close();
      await appB.close();
    }
  });

  it("counts in memory, without failing or waiting, when Redis is unreachable", async () => {
    const limits = createLimits({ redisUrl: "redis://127.0.0.1:1", prefix });
    try {
      const limiter = limits.limiter("user-minute", 3, 60);
      const states = [];
      for (let i = 0; i < 4; i++) states.push(await limiter.consume("k"));
      expect(states.map((s) => s.allowed)).toEqual([true, true, true, false]);
    } finally {
      await limits.close();
    }
  });
});
