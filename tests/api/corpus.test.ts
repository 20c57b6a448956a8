import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { env } from "@/lib/env";
import { settleInProcessJobs } from "@/lib/queue/thumbnail-jobs";
import {
  api,
  bodyBytes,
  CORPUS,
  CORPUS_AVAILABLE,
  expectNothingStored,
  expectProblem,
  imageRowsOf,
  makeUser,
  snapshot,
  type ImageBody,
  type TestUser,
  uploadForm,
  uploadOk,
} from "./harness";

/**
 * The suites that need the shared corpus (../shared/corpus, or TEST_CORPUS_DIR); without it they
 * are skipped, with one line saying so. Everything else generates its images (tests/support/fixtures).
 *
 * Every file of realworld/ through the API, as a Premium user (200 and 400 px).
 * Which file is which is found out here with a real decoder, never from a list:
 * - genuine PNG/JPEG (the signature, the format the decoder reports, a full strict decode, within
 *   MAX_IMAGE_PIXELS) → 201, and every plan thumbnail serves a decodable image of its height
 *   (the image's own height when shorter: never upscaled);
 * - damaged PNG/JPEG (the signature, but no such decode) → 415 or 422;
 * - anything else → 415;
 * never a 5xx, and a refusal stores nothing.
 * Then every PngSuite file: the valid ones upload and thumbnail, the corrupt ones (x*.png) are refused.
 */
const DIR = path.join(CORPUS, "realworld");
const HEIGHTS = [200, 400];
const CONCURRENCY = 3;
const PER_USER = 40; // keeps each user far below the plan's request and upload rates

type Kind = "genuine" | "damaged" | "oversized" | "other";

function signature(bytes: Buffer): "png" | "jpeg" | null {
  if (bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return "png";
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return "jpeg";
  return null;
}

async function classify(bytes: Buffer, maxPixels: number): Promise<Kind> {
  const format = signature(bytes);
  if (!format) return "other";
  try {
    const meta = await sharp(bytes, { limitInputPixels: false }).metadata();
    if (meta.format !== format || !meta.width || !meta.height) return "damaged";
    if (meta.width * meta.height > maxPixels) return "oversized";
    await sharp(bytes, { failOn: "warning", limitInputPixels: maxPixels }).raw().toBuffer();
    return "genuine";
  } catch {
    return "damaged";
  }
}

/** Runs fn over items, `limit` at a time, to the end; resolves with every failure's message. */
async function eachLimited<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<string[]> {
  let next = 0;
  const failures: string[] = [];
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) {
        await fn(items[next++] as T).catch((error: unknown) =>
          failures.push(error instanceof Error ? error.message : String(error)),
        );
      }
    }),
  );
  return failures;
}

if (!CORPUS_AVAILABLE) console.warn(`${CORPUS} is missing: skipping the corpus suite (real-world files and PngSuite).`);

describe.skipIf(!CORPUS_AVAILABLE)("real-world corpus", () => {
  const files = CORPUS_AVAILABLE
    ? readdirSync(DIR)
        .filter((f) => statSync(path.join(DIR, f)).isFile())
        .sort()
    : [];
  const classes = new Map<string, Kind>();
  const started = performance.now();

  beforeAll(async () => {
    const { MAX_IMAGE_PIXELS } = env();
    for (const f of files) classes.set(f, await classify(readFileSync(path.join(DIR, f)), MAX_IMAGE_PIXELS));
  });

  afterAll(() => {
    const counts: Record<string, number> = {};
    for (const kind of classes.values()) counts[kind] = (counts[kind] ?? 0) + 1;
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.log(`real-world corpus: ${files.length} files ${JSON.stringify(counts)} in ${seconds} s`);
  });

  const named = (kinds: Kind[]) => files.filter((f) => kinds.includes(classes.get(f) as Kind));

  it("has the files", () => {
    expect(files.length).toBeGreaterThan(400);
  });

  it("every genuine PNG/JPEG uploads (201) and serves every plan thumbnail at its height", async () => {
    const genuine = named(["genuine"]);
    expect(genuine.length).toBeGreaterThan(100);
    const users: TestUser[] = [];
    for (let i = 0; i < genuine.length; i += PER_USER) users.push(await makeUser("Premium"));
    const uploaded: { file: string; user: TestUser; id: string }[] = [];

    const failures = await eachLimited(
      genuine.map((file, i) => ({ file, user: users[Math.floor(i / PER_USER)] as TestUser })),
      CONCURRENCY,
      async ({ file, user }) => {
        const bytes = readFileSync(path.join(DIR, file));
        const res = await api.upload(user.token, uploadForm(file.slice(0, 200), bytes, file));
        const text = await res.text();
        expect(res.status, `${file}: ${text}`).toBe(201);
        const image = JSON.parse(text) as ImageBody;
        expect(
          image.thumbnails.map((t) => t.height),
          file,
        ).toEqual(HEIGHTS);
        for (const entry of image.thumbnails) {
          const thumb = await api.thumbnail(user.token, image.id, entry.height);
          expect(thumb.status, `${file} @${entry.height}`).toBe(200);
          expect(thumb.headers.get("content-type"), file).toBe(image.content_type);
          const meta = await sharp(await bodyBytes(thumb), { failOn: "warning" }).metadata();
          expect(meta.format, file).toBe(image.content_type === "image/png" ? "png" : "jpeg");
          expect(meta.height, `${file} @${entry.height}`).toBe(Math.min(entry.height, image.height));
          expect(meta.width, `${file} @${entry.height}`).toBe(entry.width);
        }
        uploaded.push({ file, user, id: image.id });
      },
    );

    expect(failures).toEqual([]);
    await settleInProcessJobs();
    for (const user of users) {
      for (const row of await imageRowsOf(user.id)) expect(row.status, row.name).toBe("ready");
    }
    expect(uploaded).toHaveLength(genuine.length);
  });

  it("every damaged PNG/JPEG gets 415 or 422, anything else 415; never a 5xx, and nothing is stored", async () => {
    const refused = named(["damaged", "oversized", "other"]);
    let user = await makeUser("Premium");
    let before = await snapshot(user);
    for (const [i, file] of refused.entries()) {
      if (i > 0 && i % PER_USER === 0) {
        await expectNothingStored(user, before);
        user = await makeUser("Premium");
        before = await snapshot(user);
      }
      const res = await api.upload(user.token, uploadForm("x", readFileSync(path.join(DIR, file)), file));
      const kind = classes.get(file);
      const expected = kind === "other" ? [415] : kind === "oversized" ? [422] : [415, 422];
      expect(expected, `${file} (${kind}) answered ${res.status}`).toContain(res.status);
      await expectProblem(res, res.status);
    }
    await expectNothingStored(user, before);
  });
});

const PNGSUITE = path.join(CORPUS, "pngsuite");
const pngSuite = (pattern: RegExp) =>
  CORPUS_AVAILABLE ? readdirSync(PNGSUITE).filter((f) => pattern.test(f) && f.endsWith(".png")) : [];

describe.skipIf(!CORPUS_AVAILABLE)("PngSuite: every valid file uploads and thumbnails", () => {
  const valid = pngSuite(/^[^x]/);
  let user: TestUser;
  beforeAll(async () => {
    user = await makeUser("Premium");
  });

  it("has the 161 valid files", () => expect(valid).toHaveLength(161));

  it.each(valid)("%s", async (file) => {
    const bytes = readFileSync(path.join(PNGSUITE, file));
    const source = await sharp(bytes).metadata();
    const image = await uploadOk(user, bytes, file);
    expect([image.width, image.height]).toEqual([source.width, source.height]);
    // PngSuite images are at most 32 px high: never upscaled, so every thumbnail is the image's own size.
    const res = await api.thumbnail(user.token, image.id, 200);
    expect(res.status).toBe(200);
    const meta = await sharp(await bodyBytes(res)).metadata();
    expect(meta.format).toBe("png");
    expect([meta.width, meta.height]).toEqual([source.width, source.height]);
    expect(image.thumbnails.map((t) => [t.height, t.width])).toEqual([
      [200, source.width],
      [400, source.width],
    ]);
    const sourceHasAlpha = source.hasAlpha || (await sharp(bytes).stats()).isOpaque === false;
    if (sourceHasAlpha) expect(meta.hasAlpha).toBe(true);
  });
});

describe.skipIf(!CORPUS_AVAILABLE)("PngSuite: every corrupt file is refused and stores nothing", () => {
  const corrupt = pngSuite(/^x/);
  let user: TestUser;
  beforeAll(async () => {
    user = await makeUser("Premium");
  });

  it("has the 14 corrupt files", () => expect(corrupt).toHaveLength(14));

  it.each(corrupt)("%s → 415 (bad signature) or 422 (bad content)", async (file) => {
    const bytes = readFileSync(path.join(PNGSUITE, file));
    const signatureOk = bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    const before = await snapshot(user);
    await expectProblem(
      await api.upload(user.token, uploadForm(file, bytes, file, "image/png")),
      signatureOk ? 422 : 415,
    );
    await expectNothingStored(user, before);
  });
});
