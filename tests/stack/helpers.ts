/**
 * Shared by the stack suites: a stack per file (started in beforeAll, stopped in afterAll, its
 * processes' logs printed when a test fails), the test process pointed at the stack's database
 * and bucket (to create users and to check rows and objects), HTTP helpers and bounded polling.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { type Job, Queue } from "bullmq";
import { eq, sql } from "drizzle-orm";
import sharp from "sharp";
import { afterAll, beforeAll, beforeEach, expect } from "vitest";
import { closeDb, getDb } from "@/db/client";
import { imageVariants, images } from "@/db/schema";
import { createApiToken } from "@/lib/accounts/api-tokens";
import { createUser } from "@/lib/accounts/users";
import { resetEnvForTests } from "@/lib/env";
import { createPlan } from "@/lib/plans/create-plan";
import { THUMBNAIL_QUEUE, type ThumbnailJobData } from "@/lib/queue/thumbnail-jobs";
import { describeRun, runAdmin } from "../cli/run-admin";
import { type Stack, type StackOptions, startStack } from "../infra/stack/index";
import { sleep } from "../infra/stack/processes";
import { expectProblem } from "../support/expect-problem";

export { expectProblem, sleep };

/**
 * One stack for the calling test file. Returns a getter (the stack exists once beforeAll ran).
 * The test process then uses the stack's database and bucket directly (not through fault proxies).
 */
export function useStack(options: StackOptions): () => Stack {
  let stack: Stack | undefined;
  const saved = { ...process.env };
  beforeAll(async () => {
    // Quiet, except when it has to build (about 80 s) or clean up after a crashed run.
    const log = (line: string) => {
      if (/build|left behind/.test(line)) console.log(`[stack] ${line}`);
    };
    stack = await startStack({ jobLockMs: 3000, ...options, log });
    Object.assign(process.env, {
      DATABASE_URL: stack.databaseUrl,
      AUTH_SECRET: stack.env.AUTH_SECRET,
      LINK_SIGNING_KEY: stack.env.LINK_SIGNING_KEY,
      STORAGE: "s3",
      S3_BUCKET: stack.s3.bucket,
      S3_ENDPOINT: stack.s3.endpoint,
      S3_FORCE_PATH_STYLE: "true",
      S3_REGION: stack.s3.region,
      AWS_ACCESS_KEY_ID: stack.s3.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: stack.s3.credentials.secretAccessKey,
    });
    resetEnvForTests();
  });
  beforeEach(({ onTestFailed }) => {
    onTestFailed(() => {
      if (stack) console.error(`Logs of stack ${stack.name}:\n${stack.logs()}`);
    });
  });
  afterAll(async () => {
    await closeDb();
    process.env = saved;
    resetEnvForTests();
    await stack?.stop();
  });
  return () => {
    if (!stack) throw new Error("the stack is not up (beforeAll failed?)");
    return stack;
  };
}

export type TestUser = { id: string; token: string };

/** A user on `plan` and an API token, made with the app's own services against the stack's database. */
export async function makeUser(plan: string): Promise<TestUser> {
  const user = await createUser({
    email: `stack-${randomUUID()}@example.com`,
    password: "password-123",
    planName: plan,
  });
  const { token } = await createApiToken(user.id, "stack tests");
  return { id: user.id, token };
}

/** A JPEG of random pixels: every upload distinct, and slow to compress or decode. */
export async function noisyJpeg(width: number, height: number, quality = 85): Promise<Buffer> {
  return sharp(randomBytes(width * height * 3), { raw: { width, height, channels: 3 } })
    .jpeg({ quality })
    .toBuffer();
}

export type ImageBody = {
  id: string;
  status: "processing" | "ready" | "failed";
  thumbnails: { height: number; width: number; url: string }[];
};

export function upload(
  appUrl: string,
  token: string,
  bytes: Buffer,
  name = "picture",
  headers: Record<string, string> = {},
): Promise<Response> {
  const form = new FormData();
  form.set("name", name);
  form.set("image", new Blob([new Uint8Array(bytes)], { type: "image/jpeg" }), "upload.jpg");
  return fetch(`${appUrl}/api/v1/images`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, ...headers },
    body: form,
  });
}

export async function uploadOk(appUrl: string, token: string, bytes: Buffer, name = "picture"): Promise<ImageBody> {
  const res = await upload(appUrl, token, bytes, name);
  const text = await res.text();
  expect(res.status, text).toBe(201);
  return JSON.parse(text) as ImageBody;
}

async function getImage(appUrl: string, token: string, id: string): Promise<ImageBody> {
  const res = await fetch(`${appUrl}/api/v1/images/${id}`, { headers: { authorization: `Bearer ${token}` } });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`GET image ${id}: ${res.status} ${text}`);
  return JSON.parse(text) as ImageBody;
}

/**
 * Polls GET /api/v1/images/{id} (spread over the apps) until every image is ready, bounded by a
 * number of rounds, not a clock. A failed image fails at once.
 */
export async function waitAllReady(
  appUrls: readonly string[],
  token: string,
  ids: readonly string[],
  rounds = 600,
): Promise<Map<string, ImageBody>> {
  const done = new Map<string, ImageBody>();
  for (let round = 0; round < rounds && done.size < ids.length; round++) {
    const pending = ids.filter((id) => !done.has(id));
    const bodies = await Promise.all(
      pending.map((id, i) => getImage(appUrls[(round + i) % appUrls.length] as string, token, id)),
    );
    for (const body of bodies) {
      if (body.status === "failed") throw new Error(`image ${body.id} failed: ${JSON.stringify(body)}`);
      if (body.status === "ready") done.set(body.id, body);
    }
    if (done.size < ids.length) await sleep(250);
  }
  const missing = ids.filter((id) => !done.has(id));
  if (missing.length)
    throw new Error(
      `${missing.length} image(s) still processing after ${rounds} rounds: ${missing.slice(0, 5).join(", ")}…`,
    );
  return done;
}

/** Every key in the stack's bucket, listed directly on the S3 server (never through a proxy). */
export async function bucketKeys(stack: Stack, prefix = ""): Promise<string[]> {
  const client = new S3Client({
    region: stack.s3.region,
    endpoint: stack.s3.endpoint,
    forcePathStyle: true,
    credentials: stack.s3.credentials,
  });
  try {
    const keys: string[] = [];
    let ContinuationToken: string | undefined;
    do {
      const out = await client.send(
        new ListObjectsV2Command({ Bucket: stack.s3.bucket, Prefix: prefix, ContinuationToken }),
      );
      for (const o of out.Contents ?? []) if (o.Key) keys.push(o.Key);
      ContinuationToken = out.IsTruncated ? out.NextContinuationToken : undefined;
    } while (ContinuationToken);
    return keys.sort();
  } finally {
    client.destroy();
  }
}

/** Every variant row. */
async function variantRows(): Promise<{ imageId: string; height: number; storageKey: string }[]> {
  return getDb()
    .select({ imageId: imageVariants.imageId, height: imageVariants.height, storageKey: imageVariants.storageKey })
    .from(imageVariants);
}

export async function imageRows(ownerId?: string): Promise<{ id: string; storageKey: string; status: string }[]> {
  const query = getDb().select({ id: images.id, storageKey: images.storageKey, status: images.status }).from(images);
  return ownerId ? query.where(eq(images.ownerId, ownerId)) : query;
}

async function duplicateVariants(): Promise<unknown[]> {
  return getDb().execute(
    sql`select image_id, height, format, count(*) from image_variants group by image_id, height, format having count(*) > 1`,
  );
}

/**
 * The bucket holds exactly what the database points to: every image's original plus every
 * variant row's file, nothing else. Checked with no job running.
 */
export async function expectBucketMatchesRows(stack: Stack): Promise<void> {
  const expected = [
    ...(await imageRows()).map((i) => i.storageKey),
    ...(await variantRows()).map((v) => v.storageKey),
  ].sort();
  expect(await bucketKeys(stack)).toEqual(expected);
}

/** Each image has exactly one row per height of the plan, and nothing else. */
export async function expectOneVariantPerHeight(ids: readonly string[], heights: readonly number[]): Promise<void> {
  expect(await duplicateVariants()).toEqual([]);
  const rows = await variantRows();
  const byImage = new Map<string, number[]>();
  for (const row of rows) byImage.set(row.imageId, [...(byImage.get(row.imageId) ?? []), row.height]);
  for (const id of ids)
    expect(
      [...(byImage.get(id) ?? [])].sort((a, b) => a - b),
      `variants of ${id}`,
    ).toEqual([...heights]);
}

export function thumbnailQueue(stack: Stack): Queue<ThumbnailJobData> {
  return new Queue<ThumbnailJobData>(THUMBNAIL_QUEUE, {
    connection: { url: stack.redisUrl },
    prefix: stack.queuePrefix,
  });
}

/** Bounded polling of GET /api/ready until it answers `status`; returns that response. */
export async function readyAnswers(appUrl: string, status: number, rounds = 100): Promise<Response> {
  let last = "";
  for (let i = 0; i < rounds; i++) {
    const res = await fetch(`${appUrl}/api/ready`);
    if (res.status === status) return res;
    last = `${res.status} ${await res.text()}`;
    await sleep(200);
  }
  throw new Error(`/api/ready never answered ${status} (last: ${last})`);
}

/** The admin CLI as an operator runs it: straight to the stack's database, bucket and Redis. */
export const adminCli = (s: Stack, args: string[]) =>
  runAdmin(args, {
    ...s.env,
    NODE_ENV: "production",
    DATABASE_URL: s.databaseUrl,
    S3_ENDPOINT: s.s3.endpoint,
    REDIS_URL: s.redisUrl,
    LOG_LEVEL: "silent",
  });

/** A plan of one height (200), to which a test adds 400 later with gainHeight. */
export async function makeGrowingPlan(): Promise<string> {
  const plan = await createPlan({ name: `Growing ${randomUUID().slice(0, 8)}`, heights: [200] });
  return plan.name;
}

/**
 * Adds the 400 px height to the plan through the admin CLI: the thumbnail queue gets a job for
 * each image of the plan's users (the way jobs arise now that uploads make their own thumbnails).
 */
export async function gainHeight(s: Stack, planName: string, images: number): Promise<void> {
  const run = await adminCli(s, ["update-plan", "--name", planName, "--heights", "200,400"]);
  expect(run.code, describeRun(run)).toBe(0);
  expect(run.stdout).toContain(`${images} image${images === 1 ? "" : "s"} queued for the new thumbnail heights.`);
}

/** The jobs of these images, in their order (a plan change's job ids carry its batch id). */
export async function jobsOf(queue: Queue<ThumbnailJobData>, imageIds: readonly string[]) {
  const all = await queue.getJobs(["waiting", "active", "delayed", "completed", "failed", "prioritized"]);
  return imageIds.map((id) => all.find((job) => job.data.imageId === id) as Job<ThumbnailJobData> | undefined);
}

/** Bounded polling until the images' jobs have all completed (a plan change's jobs leave status alone). */
export async function waitAllJobsDone(queue: Queue<ThumbnailJobData>, imageIds: readonly string[], rounds = 600) {
  for (let round = 0; round < rounds; round++) {
    const jobs = await jobsOf(queue, imageIds);
    const states = await Promise.all(jobs.map((job) => job?.getState()));
    if (states.every((state) => state === "completed")) return;
    if (states.includes("failed")) throw new Error(`a job failed: ${JSON.stringify(states)}`);
    await sleep(250);
  }
  throw new Error(`jobs of ${imageIds.length} images still not completed after ${rounds} rounds`);
}
