import { and, eq } from "drizzle-orm";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getDb } from "@/db/client";
import { imageVariants } from "@/db/schema";
import { resetEnvForTests } from "@/lib/env";
import { settleInProcessJobs } from "@/lib/queue/thumbnail-jobs";
import { getStorage } from "@/lib/storage";
import {
  api,
  bodyBytes,
  CHROMIUM_ACCEPT as CHROMIUM,
  expectProblem,
  SAFARI_15_ACCEPT as SAFARI_15,
  makeUser,
  type TestUser,
  uploadForm,
  uploadOk,
} from "./harness";

/**
 * Thumbnails in AVIF, WebP or the source format, by Accept or `?format=`: what a browser, an
 * older Safari and curl each get, that a PNG keeps its alpha, an ETag per encoding, one row and
 * one file per (image, height, format), and the queue making WebP and AVIF after the upload.
 */

/** A 900×600 JPEG; each `shade` makes other bytes (the same bytes again would be the same upload). */
const photoOf = (shade: number) =>
  sharp({ create: { width: 900, height: 600, channels: 3, background: { r: 40, g: shade, b: 90 } } })
    .composite([
      { input: Buffer.from('<svg width="900" height="600"><circle cx="450" cy="300" r="200" fill="#c33"/></svg>') },
    ])
    .jpeg({ quality: 90 })
    .toBuffer();
let shades = 100;
const photo = () => photoOf(shades++);
// Left half opaque red, right half fully transparent.
const transparent = await sharp({
  create: { width: 600, height: 400, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } },
})
  .composite([
    {
      input: { create: { width: 300, height: 400, channels: 4, background: { r: 220, g: 0, b: 0, alpha: 1 } } },
      left: 0,
      top: 0,
    },
  ])
  .png()
  .toBuffer();

/** What the bytes really are, by decoding them. */
async function decoded(res: Response) {
  const bytes = await bodyBytes(res);
  const meta = await sharp(bytes).metadata();
  return { bytes, meta, kind: meta.format === "heif" ? `heif/${meta.compression}` : meta.format };
}

async function variantRows(imageId: string) {
  return getDb()
    .select({
      height: imageVariants.height,
      format: imageVariants.format,
      sha256: imageVariants.sha256,
      key: imageVariants.storageKey,
    })
    .from(imageVariants)
    .where(eq(imageVariants.imageId, imageId));
}

describe("format negotiation", () => {
  let user: TestUser;
  beforeAll(async () => {
    user = await makeUser("Premium");
  });

  it("gives Chromium AVIF, an older Safari WebP and curl the JPEG, with Vary: Accept and an ETag each", async () => {
    const image = await uploadOk(user, await photo());
    const etags = new Set<string>();
    for (const [accept, type, kind] of [
      [CHROMIUM, "image/avif", "heif/av1"],
      [SAFARI_15, "image/webp", "webp"],
      ["*/*", "image/jpeg", "jpeg"],
      [undefined, "image/jpeg", "jpeg"],
    ] as const) {
      const res = await api.thumbnail(user.token, image.id, 400, accept ? { accept } : {});
      expect(res.status, accept).toBe(200);
      expect(res.headers.get("content-type")).toBe(type);
      expect(res.headers.get("vary")).toBe("Accept");
      const { meta, kind: actual } = await decoded(res);
      expect(actual).toBe(kind);
      expect([meta.width, meta.height]).toEqual([600, 400]);
      etags.add(res.headers.get("etag") ?? "");
    }
    expect(etags.size).toBe(3); // curl and no Accept share the JPEG's
    // Each encoding revalidates under its own ETag only.
    const avif = await api.thumbnail(user.token, image.id, 400, { accept: CHROMIUM });
    const avifTag = avif.headers.get("etag") as string;
    expect(
      (await api.thumbnail(user.token, image.id, 400, { accept: CHROMIUM, "if-none-match": avifTag })).status,
    ).toBe(304);
    expect((await api.thumbnail(user.token, image.id, 400, { "if-none-match": avifTag })).status).toBe(200);
  });

  it("lists the formats of every thumbnail in the Image JSON", async () => {
    const image = await uploadOk(user, await photo());
    expect(image.thumbnails.map((t) => t.formats)).toEqual([
      ["avif", "webp", "jpeg", "png"],
      ["avif", "webp", "jpeg", "png"],
    ]);
    const png = await uploadOk(user, transparent);
    expect(png.thumbnails[0]?.formats).toEqual(["avif", "webp", "png", "jpeg"]);
  });

  it("forces a format with ?format=, also the other source format, and refuses any other value with 422", async () => {
    const image = await uploadOk(user, await photo());
    for (const [format, kind] of [
      ["avif", "heif/av1"],
      ["webp", "webp"],
      ["png", "png"],
      ["jpeg", "jpeg"],
    ] as const) {
      const res = await api.thumbnail(user.token, image.id, 200, { accept: SAFARI_15 }, format);
      expect(res.status).toBe(200);
      expect((await decoded(res)).kind).toBe(kind);
      expect(res.headers.get("content-disposition")).toContain(format === "jpeg" ? ".jpg" : `.${format}`);
    }
    for (const bad of ["gif", "AVIF", "", "jpg"]) {
      const res = await api.thumbnail(user.token, image.id, 200, undefined, bad);
      const problem = await expectProblem(res, 422);
      expect(problem.detail ?? JSON.stringify(problem)).toMatch(/avif, webp, jpeg, png/);
    }
  });

  it("keeps a PNG's alpha in WebP and AVIF, and lays its JPEG on white", async () => {
    const image = await uploadOk(user, transparent);
    const pixelAt = async (bytes: Buffer, x: number) => [
      ...(await sharp(bytes).ensureAlpha().extract({ left: x, top: 100, width: 1, height: 1 }).raw().toBuffer()),
    ];
    for (const format of ["webp", "avif"]) {
      const { bytes, meta } = await decoded(await api.thumbnail(user.token, image.id, 200, undefined, format));
      expect(meta.hasAlpha, format).toBe(true);
      const [, , , clear = 255] = await pixelAt(bytes, 250);
      const [red = 0, , , opaque = 0] = await pixelAt(bytes, 50);
      expect(clear, format).toBeLessThan(10);
      expect(opaque, format).toBeGreaterThan(245);
      expect(red, format).toBeGreaterThan(180);
    }
    const { bytes, meta } = await decoded(await api.thumbnail(user.token, image.id, 200, undefined, "jpeg"));
    expect(meta.hasAlpha).toBe(false);
    expect((await pixelAt(bytes, 250)).slice(0, 3).every((c) => c > 245)).toBe(true);
  });

  it("makes a format on the first request for it, once: concurrent requests share one row and one file", async () => {
    const image = await uploadOk(user, await photo());
    expect((await variantRows(image.id)).filter((v) => v.format === "avif")).toEqual([]); // EAGER_FORMATS is off here
    const answers = await Promise.all(
      Array.from({ length: 6 }, () => api.thumbnail(user.token, image.id, 200, { accept: CHROMIUM })),
    );
    expect(new Set(answers.map((r) => r.status))).toEqual(new Set([200]));
    const rows = (await variantRows(image.id)).filter((v) => v.format === "avif");
    expect(rows.map((r) => r.height)).toEqual([200]);
    expect(new Set(answers.map((r) => r.headers.get("etag")))).toEqual(new Set([`"${rows[0]?.sha256}"`]));
    const files = await getStorage().list(`variants/${image.id}/`);
    expect(files).toHaveLength(3); // 200 and 400 in JPEG, 200 in AVIF
  });
});

describe("WebP and AVIF made by the queue after the upload (EAGER_FORMATS)", () => {
  let user: TestUser;
  let before: string | undefined;
  beforeAll(async () => {
    before = process.env.EAGER_FORMATS;
    delete process.env.EAGER_FORMATS; // the default: webp,avif
    resetEnvForTests();
    user = await makeUser("Premium");
  });
  afterAll(() => {
    if (before === undefined) delete process.env.EAGER_FORMATS;
    else process.env.EAGER_FORMATS = before;
    resetEnvForTests();
  });

  it("answers the upload ready in its own format, then stores WebP and AVIF of every plan height", async () => {
    const res = await api.upload(user.token, uploadForm("queued formats", await photo()));
    expect(res.status).toBe(201);
    const created = (await res.json()) as { id: string; status: string };
    expect(created.status).toBe("ready");
    await settleInProcessJobs();
    const rows = await variantRows(created.id);
    expect(rows.map((r) => `${r.height} ${r.format}`).sort()).toEqual([
      "200 avif",
      "200 jpeg",
      "200 webp",
      "400 avif",
      "400 jpeg",
      "400 webp",
    ]);
    // Served from what the queue stored, not made again.
    for (const [accept, format] of [
      [CHROMIUM, "avif"],
      [SAFARI_15, "webp"],
    ] as const) {
      const served = await api.thumbnail(user.token, created.id, 400, { accept });
      const row = rows.find((r) => r.height === 400 && r.format === format);
      expect(served.headers.get("etag")).toBe(`"${row?.sha256}"`);
    }
    expect(await getStorage().list(`variants/${created.id}/`)).toHaveLength(6);
    const [avif] = await getDb()
      .select({ key: imageVariants.storageKey })
      .from(imageVariants)
      .where(
        and(eq(imageVariants.imageId, created.id), eq(imageVariants.format, "avif"), eq(imageVariants.height, 200)),
      );
    expect(
      (
        await sharp(
          Buffer.from(await new Response((await getStorage().get(avif?.key ?? ""))?.body).arrayBuffer()),
        ).metadata()
      ).compression,
    ).toBe("av1");
  });
});
