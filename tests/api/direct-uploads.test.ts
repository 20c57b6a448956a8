import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterEach, describe, expect, it, vi } from "vitest";
import { getDb } from "@/db/client";
import { directUploads } from "@/db/schema";
import { uploadImage } from "@/lib/images/upload-image";
import { reconcile } from "@/lib/maintenance/reconcile";
import { createPlan } from "@/lib/plans/create-plan";
import { usageOf } from "@/lib/plans/quota";
import { orientedJpeg, rgbPng } from "../support/fixtures";
import {
  api,
  BASE,
  bodyBytes,
  expectProblem,
  type ImageBody,
  imageRowsOf,
  makeUser,
  snapshot,
  storedHeights,
  storedKeys,
  type TestUser,
  type UploadBody,
  uploadDirect,
  uploadForm,
} from "./harness";

/**
 * Direct uploads on disk storage (the default): the same two calls as on S3 (s3-direct-uploads
 * covers the bucket), the bytes sent to a signed, expiring URL of the app itself.
 */
const jpeg = await orientedJpeg(1, "landscape");

async function start(user: TestUser, body: Record<string, unknown>, headers?: Record<string, string>) {
  const res = await api.createUpload(user.token, body, headers);
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as UploadBody;
}

async function uploadRow(id: string) {
  const [row] = await getDb().select().from(directUploads).where(eq(directUploads.id, id));
  return row;
}

afterEach(() => vi.useRealTimers());

describe("direct uploads (disk storage)", () => {
  it("create → PUT to the app's signed URL → complete: a ready image with the upload's id", async () => {
    const user = await makeUser("Premium");
    const before = Date.now();
    const upload = await start(user, { name: "Holiday", bytes: jpeg.length, content_type: "image/jpeg" });

    expect(upload.method).toBe("PUT");
    const url = new URL(upload.url);
    expect(url.origin).toBe(BASE);
    expect(url.pathname).toBe(`/api/v1/uploads/${upload.id}/content`);
    expect(upload.headers).toEqual({ "Content-Type": "image/jpeg", "Content-Length": String(jpeg.length) });
    // Made during the call, so at most 15 minutes after its end (the server's clock may tick past `before`).
    const after = Date.now();
    expect(Date.parse(upload.expires_at) - before).toBeGreaterThan(14 * 60_000);
    expect(Date.parse(upload.expires_at) - after).toBeLessThanOrEqual(15 * 60_000);
    // Nothing is an image until it is completed.
    expect(await imageRowsOf(user.id)).toHaveLength(0);

    expect((await api.sendUpload(upload.url, jpeg, upload.headers)).status).toBe(204);
    const completed = await api.completeUpload(user.token, upload.id);
    expect(completed.status).toBe(201);
    const image = (await completed.json()) as ImageBody;
    expect(image).toMatchObject({ id: upload.id, name: "Holiday", status: "ready", content_type: "image/jpeg" });
    expect(completed.headers.get("location")).toBe(`${BASE}/api/v1/images/${upload.id}`);
    expect(await storedHeights(image.id)).toEqual([200, 400]);
    expect((await bodyBytes(await api.original(user.token, image.id))).equals(jpeg)).toBe(true);
    expect((await uploadRow(upload.id))?.completedAt).toBeInstanceOf(Date);
    expect(await storedKeys()).not.toContain(`uploads/${upload.id}`);
  });

  it("the original is the bytes validated: a PUT to the URL after completion changes nothing", async () => {
    const user = await makeUser("Premium");
    const { upload, completed } = await uploadDirect(user, jpeg);
    expect(completed.status).toBe(201);
    const other = Buffer.alloc(jpeg.length, 0x41);
    expect((await api.sendUpload(upload.url, other, upload.headers)).status).toBe(204);
    expect((await bodyBytes(await api.original(user.token, upload.id))).equals(jpeg)).toBe(true);
    expect(await storedKeys()).not.toContain(`uploads/${upload.id}`);
    expect((await api.completeUpload(user.token, upload.id)).status).toBe(201);
  });

  it("only an upload can be completed: an image's id is 404, and so is a completed upload whose image was deleted", async () => {
    const user = await makeUser();
    const multipart = (await (await api.upload(user.token, uploadForm("plain", jpeg))).json()) as ImageBody;
    await expectProblem(await api.completeUpload(user.token, multipart.id), 404);
    const { upload } = await uploadDirect(user, jpeg);
    expect((await api.delete(user.token, upload.id)).status).toBe(204);
    await expectProblem(await api.completeUpload(user.token, upload.id), 404);
  });

  it("completing twice does the work once and answers the same image", async () => {
    const user = await makeUser();
    const { upload, completed } = await uploadDirect(user, jpeg);
    const first = (await completed.json()) as ImageBody;
    const again = await api.completeUpload(user.token, upload.id);
    expect(again.status).toBe(201);
    expect(((await again.json()) as ImageBody).id).toBe(first.id);
    expect(await imageRowsOf(user.id)).toHaveLength(1);
  });

  it("a completion that loses a race to record the same id leaves the winner's files and gives its bytes back", async () => {
    const user = await makeUser("Premium");
    const { upload, completed } = await uploadDirect(user, jpeg);
    expect(completed.status).toBe(201);
    const files = (await storedKeys()).filter((k) => k.includes(upload.id));
    expect(files.length).toBeGreaterThanOrEqual(3);
    // What a second request past an expired claim does: the same bytes, recorded under the same id.
    await expect(uploadImage(await user.principal(), { name: "again", bytes: jpeg, id: upload.id })).rejects.toThrow();
    expect((await storedKeys()).filter((k) => k.includes(upload.id))).toEqual(files);
    expect(await usageOf(user.id)).toMatchObject({ images: 1, bytes: jpeg.length });
  });

  it("an Idempotency-Key on create replays the same upload", async () => {
    const user = await makeUser();
    const body = { name: "once", bytes: jpeg.length, content_type: "image/jpeg" };
    const headers = { "Idempotency-Key": randomUUID() };
    const a = await start(user, body, headers);
    const b = await start(user, body, headers);
    expect(b.id).toBe(a.id);
    expect(await getDb().select().from(directUploads).where(eq(directUploads.ownerId, user.id))).toHaveLength(1);
  });

  it("refuses what the plan or the type does not allow before any byte is sent, and records nothing", async () => {
    const png = await rgbPng();
    const plan = await createPlan({
      name: `Small ${randomUUID().slice(0, 8)}`,
      heights: [100],
      maxUploadBytes: 4000,
      quotaBytes: 2 * png.length + 10,
    });
    const user = await makeUser(plan.name);
    const create = (body: Record<string, unknown>) => api.createUpload(user.token, body);
    const tooLarge = await expectProblem(await create({ name: "big", bytes: 4001, content_type: "image/png" }), 413);
    expect(tooLarge.detail).toMatch(/limit of 4000 bytes/);
    await expectProblem(await create({ name: "gif", bytes: 10, content_type: "image/gif" }), 415);
    await expectProblem(await create({ name: "", bytes: 10, content_type: "image/png" }), 422);
    await expectProblem(await create({ name: "x", bytes: 0, content_type: "image/png" }), 422);
    await expectProblem(await create({ name: "x", bytes: 1.5, content_type: "image/png" }), 422);
    await expectProblem(await create({ name: "x", content_type: "image/png" }), 422);
    await expectProblem(await api.createUpload(null, { name: "x", bytes: 10, content_type: "image/png" }), 401);
    expect(await getDb().select().from(directUploads).where(eq(directUploads.ownerId, user.id))).toHaveLength(0);

    // The quota holds two of these files: the third is refused before its bytes are sent.
    for (const name of ["one", "two"])
      expect((await uploadDirect(user, png, name, "image/png")).completed.status).toBe(201);
    const over = await expectProblem(
      await create({ name: "three", bytes: png.length, content_type: "image/png" }),
      403,
    );
    expect(over.type).toMatch(/quota-exceeded$/);
  });

  it("the quota is enforced again on completion: uploads started while there was room cannot overshoot it", async () => {
    const png = await rgbPng();
    const plan = await createPlan({ name: `Race ${randomUUID().slice(0, 8)}`, heights: [100], quotaBytes: png.length });
    const user = await makeUser(plan.name);
    const a = await start(user, { name: "a", bytes: png.length, content_type: "image/png" });
    const b = await start(user, { name: "b", bytes: png.length, content_type: "image/png" });
    for (const u of [a, b]) expect((await api.sendUpload(u.url, png, u.headers)).status).toBe(204);
    expect((await api.completeUpload(user.token, a.id)).status).toBe(201);
    const before = await snapshot(user);
    expect((await expectProblem(await api.completeUpload(user.token, b.id), 403)).type).toMatch(/quota-exceeded$/);
    // The refused file is deleted, as a refused multipart upload stores nothing.
    expect(await storedKeys()).toEqual(before.keys.filter((k) => k !== `uploads/${b.id}`));
    expect(await imageRowsOf(user.id)).toHaveLength(1);
  });

  it("the app's URL is held to what S3 holds a presigned PUT to: signature, expiry, size and type", async () => {
    const user = await makeUser();
    const upload = await start(user, { name: "strict", bytes: jpeg.length, content_type: "image/jpeg" });
    const before = await snapshot(user);
    const url = new URL(upload.url);
    const signature = url.searchParams.get("signature") as string;

    const tampered = new URL(url);
    tampered.searchParams.set("signature", signature.slice(0, -1) + (signature.endsWith("A") ? "B" : "A"));
    await expectProblem(await api.sendUpload(tampered.toString(), jpeg, upload.headers), 403);
    const later = new URL(url);
    later.searchParams.set("expires", String(Number(url.searchParams.get("expires")) + 3600));
    await expectProblem(await api.sendUpload(later.toString(), jpeg, upload.headers), 403);
    const shorter = jpeg.subarray(0, jpeg.length - 1);
    const wrongSize = { ...upload.headers, "Content-Length": String(shorter.length) };
    expect((await expectProblem(await api.sendUpload(upload.url, shorter, wrongSize), 403)).detail).toMatch(
      /Content-Length/,
    );
    const wrongType = { ...upload.headers, "Content-Type": "image/png" };
    expect((await expectProblem(await api.sendUpload(upload.url, jpeg, wrongType), 403)).detail).toMatch(
      /Content-Type/,
    );
    // A body longer than the Content-Length it gives is cut off, not stored.
    await expectProblem(await api.sendUpload(upload.url, Buffer.concat([jpeg, Buffer.alloc(10)]), upload.headers), 400);
    expect(await storedKeys()).toEqual(before.keys);

    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.parse(upload.expires_at) + 1000);
    expect((await expectProblem(await api.sendUpload(upload.url, jpeg, upload.headers), 403)).detail).toMatch(
      /expired/,
    );
    vi.useRealTimers();
    expect(await storedKeys()).toEqual(before.keys);

    // Still valid for the right request.
    expect((await api.sendUpload(upload.url, jpeg, upload.headers)).status).toBe(204);
  });

  it("complete before the file was sent is 409, and works once it is", async () => {
    const user = await makeUser();
    const upload = await start(user, { name: "early", bytes: jpeg.length, content_type: "image/jpeg" });
    expect((await expectProblem(await api.completeUpload(user.token, upload.id), 409)).detail).toMatch(/PUT it/);
    expect((await api.sendUpload(upload.url, jpeg, upload.headers)).status).toBe(204);
    expect((await api.completeUpload(user.token, upload.id)).status).toBe(201);
  });

  it("a refused file gets the multipart upload's status, and its object and upload are deleted", async () => {
    const user = await makeUser();
    const truncated = jpeg.subarray(0, Math.floor(jpeg.length / 2));
    const cases = [
      { what: "not an image", bytes: Buffer.from("GIF89a not really an image at all"), type: "image/png" },
      { what: "truncated JPEG", bytes: truncated, type: "image/jpeg" },
    ];
    for (const c of cases) {
      const multipart = await api.upload(user.token, uploadForm("bad", c.bytes));
      const before = await snapshot(user);
      const upload = await start(user, { name: "bad", bytes: c.bytes.length, content_type: c.type });
      expect((await api.sendUpload(upload.url, c.bytes, upload.headers)).status).toBe(204);
      expect(await storedKeys()).toContain(`uploads/${upload.id}`);
      const completed = await api.completeUpload(user.token, upload.id);
      expect(completed.status, c.what).toBe(multipart.status);
      expect(completed.status).toBeGreaterThanOrEqual(400);
      expect(completed.status).toBeLessThan(500);
      expect(await storedKeys()).toEqual(before.keys);
      expect(await uploadRow(upload.id)).toBeUndefined();
      await expectProblem(await api.completeUpload(user.token, upload.id), 404);
    }
    expect(await imageRowsOf(user.id)).toHaveLength(0);
  });

  it("someone else's upload is 404, and can be neither sent to without its URL nor completed", async () => {
    const owner = await makeUser();
    const other = await makeUser();
    const upload = await start(owner, { name: "mine", bytes: jpeg.length, content_type: "image/jpeg" });
    expect((await api.sendUpload(upload.url, jpeg, upload.headers)).status).toBe(204);
    await expectProblem(await api.completeUpload(other.token, upload.id), 404);
    await expectProblem(await api.completeUpload(other.token, randomUUID()), 404);
    expect((await api.completeUpload(owner.token, upload.id)).status).toBe(201);
  });

  it("an upload never completed expires: complete answers 410, the reconciler removes it and its file", async () => {
    const user = await makeUser();
    const late = await start(user, { name: "late", bytes: jpeg.length, content_type: "image/jpeg" });
    const abandoned = await start(user, { name: "abandoned", bytes: jpeg.length, content_type: "image/jpeg" });
    const pending = await start(user, { name: "pending", bytes: jpeg.length, content_type: "image/jpeg" });
    for (const u of [late, abandoned, pending]) expect((await api.sendUpload(u.url, jpeg, u.headers)).status).toBe(204);
    const longAgo = new Date(Date.now() - 3 * 3600_000);
    await getDb().update(directUploads).set({ expiresAt: longAgo }).where(eq(directUploads.id, late.id));
    await getDb().update(directUploads).set({ expiresAt: longAgo }).where(eq(directUploads.id, abandoned.id));

    await expectProblem(await api.completeUpload(user.token, late.id), 410);
    expect(await storedKeys()).not.toContain(`uploads/${late.id}`);

    // Objects written long ago too: only the upload's row keeps the pending one from being an orphan.
    const dry = await reconcile({ dryRun: true, minAgeSeconds: 0 });
    expect(dry.orphanKeys).not.toContain(`uploads/${pending.id}`);
    const report = await reconcile({ minAgeSeconds: 0 });
    expect(report.errors).toEqual([]);
    expect(report.uploadsRemoved).toBeGreaterThanOrEqual(1);
    const keys = await storedKeys();
    expect(keys).not.toContain(`uploads/${abandoned.id}`);
    expect(await uploadRow(abandoned.id)).toBeUndefined();
    expect(keys).toContain(`uploads/${pending.id}`);
    expect((await api.completeUpload(user.token, pending.id)).status).toBe(201);

    // A day after completion the upload is forgotten; its object is the image's original and stays.
    await getDb()
      .update(directUploads)
      .set({ completedAt: new Date(Date.now() - 25 * 3600_000) })
      .where(eq(directUploads.id, pending.id));
    expect((await reconcile({ minAgeSeconds: 0 })).errors).toEqual([]);
    expect(await uploadRow(pending.id)).toBeUndefined();
    expect(await storedKeys()).toContain(`originals/${pending.id}`);
    expect((await api.get(user.token, pending.id)).status).toBe(200);
  });
});
