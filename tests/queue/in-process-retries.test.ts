import { eq } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import { getDb } from "@/db/client";
import { images } from "@/db/schema";
import { resetEnvForTests } from "@/lib/env";
import { settleInProcessJobs } from "@/lib/queue/thumbnail-jobs";
import { setStorage, type StorageProvider } from "@/lib/storage";
import { api, makeUser, refusingThumbnailWrites, storedHeights, uploadForm, type ImageBody } from "../api/harness";
import { orientedJpeg } from "../support/fixtures";

/**
 * Without REDIS_URL the thumbnail job runs in the app process, retried like the queue's:
 * JOB_ATTEMPTS tries, JOB_BACKOFF_MS doubling; the image is marked failed after the last one only.
 */
const ATTEMPTS = 3;
const saved = { ...process.env };

beforeAll(() => {
  delete process.env.REDIS_URL;
  process.env.JOB_ATTEMPTS = String(ATTEMPTS);
  process.env.JOB_BACKOFF_MS = "50";
  resetEnvForTests();
});

afterEach(() => setStorage(undefined));

afterAll(() => {
  process.env = saved;
  resetEnvForTests();
});

/**
 * The store, except that the upload's thumbnail writes fail (so the job gets the work) and reading
 * an original (which every try of the job does once) fails while `failing()` says so. Each read is
 * a try: it is counted with the image's status at that moment.
 */
function faultyOriginals(failing: (attempt: number) => boolean) {
  const real = refusingThumbnailWrites(2);
  const tries: string[] = [];
  const store: StorageProvider = Object.assign(Object.create(real) as StorageProvider, {
    async get(key: string) {
      if (key.startsWith("originals/")) {
        const [row] = await getDb().select({ status: images.status }).from(images).where(eq(images.storageKey, key));
        tries.push(row?.status ?? "none");
        if (failing(tries.length))
          throw Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:9"), { code: "ECONNREFUSED" });
      }
      return real.get(key);
    },
  });
  setStorage(store);
  return tries;
}

async function upload(token: string): Promise<string> {
  const res = await api.upload(token, uploadForm("x", await orientedJpeg(2, "landscape")));
  expect(res.status).toBe(201);
  return ((await res.json()) as ImageBody).id;
}

it("a storage fault on the first try, recovered before the second → the image ends ready", async () => {
  const user = await makeUser("Premium");
  const tries = faultyOriginals((attempt) => attempt === 1);
  const id = await upload(user.token);
  await settleInProcessJobs();
  expect(tries).toEqual(["processing", "processing"]);
  const image = (await (await api.get(user.token, id)).json()) as ImageBody;
  expect(image.status).toBe("ready");
  expect(await storedHeights(id)).toEqual([200, 400]);
});

it("a permanent fault → failed after exactly JOB_ATTEMPTS tries, and not before the last", async () => {
  const user = await makeUser("Premium");
  const tries = faultyOriginals(() => true);
  const id = await upload(user.token);
  await settleInProcessJobs();
  expect(tries).toEqual(Array.from({ length: ATTEMPTS }, () => "processing"));
  const [row] = await getDb().select().from(images).where(eq(images.id, id));
  expect(row?.status).toBe("failed");
  expect(row?.failureReason).toContain("ECONNREFUSED");
  expect(await storedHeights(id)).toEqual([]);
});
