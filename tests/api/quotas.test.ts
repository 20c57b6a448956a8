import { randomUUID } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { getDb } from "@/db/client";
import { images } from "@/db/schema";
import { env } from "@/lib/env";
import { createPlan } from "@/lib/plans/create-plan";
import type { PlanInput } from "@/lib/plans/schemas";
import { settleInProcessJobs } from "@/lib/queue/thumbnail-jobs";
import { setStorage } from "@/lib/storage";
import { createDiskStorage } from "@/lib/storage/disk";
import { orientedJpeg, rgbaPng } from "../support/fixtures";
import {
  api,
  bytesUsed,
  expectNothingStored,
  expectProblem,
  makeUser,
  snapshot,
  storedKeys,
  uploadForm,
  type ImageBody,
  type TestUser,
} from "./harness";

/**
 * Plan limits on upload: the largest file (413, refused while reading the body) and the storage
 * quota (403 quota-exceeded), reserved in one conditional UPDATE before anything is stored and
 * given back on every failure and on delete.
 */
const png = await rgbaPng();
const jpeg = await orientedJpeg(1, "landscape");

/** A user on a plan of their own, with no rate limits so only the quota decides. */
async function userOnPlan(limits: Partial<PlanInput>): Promise<TestUser> {
  const plan = await createPlan({
    name: `Quota ${randomUUID().slice(0, 8)}`,
    heights: [100],
    requestsPerMinute: 0,
    uploadsPerHour: 0,
    ...limits,
  });
  return makeUser(plan.name);
}

async function storedOriginalBytes(userId: string): Promise<{ count: number; bytes: number }> {
  const [row] = await getDb()
    .select({
      count: sql<number>`count(*)`.mapWith(Number),
      bytes: sql<number>`coalesce(sum(${images.byteSize}), 0)`.mapWith(Number),
    })
    .from(images)
    .where(eq(images.ownerId, userId));
  return row ?? { count: NaN, bytes: NaN };
}

afterEach(() => setStorage(undefined));

describe("storage quota", () => {
  it("100 concurrent uploads at a quota that fits exactly 37: 37 × 201, 63 × 403 quota-exceeded, no overshoot", async () => {
    const N = 100;
    const K = 37;
    const quota = K * png.length;
    const user = await userOnPlan({ quotaBytes: quota });

    const responses = await Promise.all(
      Array.from({ length: N }, (_, i) => api.upload(user.token, uploadForm(`concurrent ${i}`, png))),
    );
    await settleInProcessJobs();

    const created = responses.filter((r) => r.status === 201);
    const refused = responses.filter((r) => r.status === 403);
    const problems = await Promise.all(refused.map((r) => expectProblem(r, 403)));
    const used = await bytesUsed(user.id);
    const stored = await storedOriginalBytes(user.id);
    const originals = (await storedKeys()).filter((k) => k.startsWith("originals/"));
    const createdIds = await Promise.all(created.map(async (r) => ((await r.json()) as ImageBody).id));
    const overshoot = Math.max(0, used - quota);
    console.info(
      `quota race: ${N} uploads of ${png.length} B at a quota of ${quota} B (${K} files): ` +
        `${created.length} × 201, ${refused.length} × 403; bytes_used ${used}, stored originals ${stored.count} (${stored.bytes} B), overshoot ${overshoot} B`,
    );

    expect(created).toHaveLength(K);
    expect(refused).toHaveLength(N - K);
    for (const problem of problems) {
      expect(problem.type).toMatch(/quota-exceeded$/);
      expect(problem.detail).toContain("MB");
    }
    expect(stored).toEqual({ count: K, bytes: K * png.length });
    expect(used).toBe(stored.bytes);
    expect(overshoot).toBe(0);
    for (const id of createdIds) expect(originals).toContain(`originals/${id}`);
  });

  it("names the quota and the current usage in MB, and stores nothing", async () => {
    const quota = 256 * 1024; // 0.25 MB
    const user = await userOnPlan({ quotaBytes: quota });
    const first = await api.upload(user.token, uploadForm("fits", png));
    expect(first.status).toBe(201);
    await settleInProcessJobs();
    // As many JPEGs as fit beside the PNG; the next one does not.
    const fit = Math.floor((quota - png.length) / jpeg.length);
    expect(fit).toBeGreaterThanOrEqual(2);
    for (let i = 0; i < fit; i++)
      expect((await api.upload(user.token, uploadForm(`jpeg ${i}`, jpeg))).status).toBe(201);
    const before = await snapshot(user);
    const usedBefore = await bytesUsed(user.id);
    const problem = await expectProblem(await api.upload(user.token, uploadForm("one too many", jpeg)), 403);
    expect(problem.type).toBe("about:blank#quota-exceeded");
    expect(problem.detail).toContain("quota of 0.25 MB");
    expect(problem.detail).toContain(`using ${Number((usedBefore / 1048576).toFixed(2))} MB`);
    await expectNothingStored(user, before);
    expect(await bytesUsed(user.id)).toBe(usedBefore);
  });

  it("a quota of 0 refuses every upload; an unlimited plan takes anything", async () => {
    const none = await userOnPlan({ quotaBytes: 0 });
    const problem = await expectProblem(await api.upload(none.token, uploadForm("x", png)), 403);
    expect(problem.type).toMatch(/quota-exceeded$/);
    expect(await bytesUsed(none.id)).toBe(0);

    const unlimited = await userOnPlan({ quotaBytes: null });
    for (let i = 0; i < 3; i++) expect((await api.upload(unlimited.token, uploadForm(`j${i}`, jpeg))).status).toBe(201);
    await settleInProcessJobs();
    expect(await bytesUsed(unlimited.id)).toBe(3 * jpeg.length);
  });

  it("deleting an image gives its bytes back; a delete the storage refuses keeps them", async () => {
    const user = await userOnPlan({ quotaBytes: jpeg.length });
    const res = await api.upload(user.token, uploadForm("one", jpeg));
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as ImageBody;
    await settleInProcessJobs();
    expect(await bytesUsed(user.id)).toBe(jpeg.length);
    expect((await api.upload(user.token, uploadForm("two", png))).status).toBe(403);

    const disk = createDiskStorage(env().MEDIA_DIR);
    setStorage({
      ...disk,
      delete: async () => {
        throw Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
      },
    });
    await expectProblem(await api.delete(user.token, id), 503);
    expect(await bytesUsed(user.id)).toBe(jpeg.length);
    setStorage(undefined);

    expect((await api.delete(user.token, id)).status).toBe(204);
    expect(await bytesUsed(user.id)).toBe(0);
    expect((await api.upload(user.token, uploadForm("fits again", jpeg))).status).toBe(201);
    await settleInProcessJobs();
    expect(await bytesUsed(user.id)).toBe(jpeg.length);
  });

  it("a failed store gives the reservation back: 503, nothing stored, usage unchanged", async () => {
    const user = await userOnPlan({ quotaBytes: jpeg.length });
    const before = await snapshot(user);
    const disk = createDiskStorage(env().MEDIA_DIR);
    setStorage({
      ...disk,
      put: async () => {
        throw Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
      },
    });
    await expectProblem(await api.upload(user.token, uploadForm("x", jpeg)), 503);
    setStorage(undefined);
    await expectNothingStored(user, before);
    expect(await bytesUsed(user.id)).toBe(0);
    // The quota is whole again: the same file fits.
    expect((await api.upload(user.token, uploadForm("x", jpeg))).status).toBe(201);
    await settleInProcessJobs();
    expect(await bytesUsed(user.id)).toBe(jpeg.length);
  });
});

describe("largest upload of the plan", () => {
  it("a file over the plan's limit is 413 while streaming and from Content-Length; nothing stored, nothing reserved", async () => {
    const limit = 100_000;
    expect(limit).toBeLessThan(env().MAX_UPLOAD_BYTES);
    // The size is refused before anything decodes the file. Padded far past what a request body
    // reads ahead, so the counts of bytes read below can tell "stopped early" from "read it all".
    const big = Buffer.concat([jpeg, Buffer.alloc(350_000)]);
    const user = await userOnPlan({ maxUploadBytes: limit, quotaBytes: null });
    const before = await snapshot(user);

    const streamed = await expectProblem(await api.upload(user.token, uploadForm("big", big)), 413);
    expect(streamed.detail).toContain(String(limit));

    // Read by the route wrapper, not after: a declared or streamed body over the plan's limit is
    // refused before the rest of it is read (the body here is read in 16 KB chunks and counted).
    const form = new Response(uploadForm("big", big));
    const bytes = new Uint8Array(await form.arrayBuffer());
    const contentType = form.headers.get("content-type") ?? "";
    const counted = () => {
      let offset = 0;
      const stream = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (offset >= bytes.length) return controller.close();
          controller.enqueue(bytes.slice(offset, offset + 16_384));
          offset += 16_384;
        },
      });
      return { stream, read: () => Math.min(offset, bytes.length) };
    };
    const declared = counted();
    await expectProblem(
      await api.upload(user.token, declared.stream, {
        "content-type": contentType,
        "content-length": String(bytes.length),
      }),
      413,
    );
    const chunked = counted();
    await expectProblem(await api.upload(user.token, chunked.stream, { "content-type": contentType }), 413);
    expect(declared.read()).toBeLessThan(bytes.length);
    expect(chunked.read()).toBeLessThan(bytes.length);

    await expectNothingStored(user, before);
    expect(await bytesUsed(user.id)).toBe(0);
    // Under the limit is fine.
    expect((await api.upload(user.token, uploadForm("small", png))).status).toBe(201);
  });

  it("a new plan gets Premium's limits, its largest upload never above MAX_UPLOAD_BYTES; more is refused naming it", async () => {
    const { MAX_UPLOAD_BYTES } = env();
    const plan = await createPlan({ name: `Defaults ${randomUUID().slice(0, 8)}`, heights: [100] });
    expect(plan).toMatchObject({
      maxUploadBytes: Math.min(25 * 1024 * 1024, MAX_UPLOAD_BYTES),
      quotaBytes: 20 * 1024 * 1024 * 1024,
      requestsPerMinute: 600,
      uploadsPerHour: 1000,
    });
    const refused = await createPlan({
      name: `Too big ${randomUUID().slice(0, 8)}`,
      heights: [100],
      maxUploadBytes: MAX_UPLOAD_BYTES + 1,
    }).catch((error: unknown) => error);
    expect(refused).toMatchObject({ kind: "invalid" });
    expect((refused as { fields: Record<string, string[]> }).fields.maxUploadBytes?.join()).toContain(
      "MAX_UPLOAD_BYTES",
    );
  });
});
