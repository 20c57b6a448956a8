import { deflateSync } from "node:zlib";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resetEnvForTests } from "@/lib/env";
import { DISPLAYED, orientedJpeg, rgbPng } from "../support/fixtures";
import { api, expectNothingStored, expectProblem, makeUser, snapshot, type TestUser, uploadForm } from "./harness";

const MAX_BYTES = 500_000;

// Small limits for this file only, so "too large" needs no huge fixtures.
beforeAll(() => {
  process.env.MAX_UPLOAD_BYTES = String(MAX_BYTES);
  resetEnvForTests();
});
afterAll(() => {
  delete process.env.MAX_UPLOAD_BYTES;
  resetEnvForTests();
});

function crc32(bytes: Buffer): number {
  let c = ~0;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, "ascii");
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** A well-formed PNG whose header claims width×height (the pixel data is a few bytes). */
function pngClaiming(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 0, 0, 0, 0], 8); // 8-bit greyscale
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr),
    chunk("IDAT", deflateSync(Buffer.alloc(16))),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

const validPng = await rgbPng();
const validJpeg = await orientedJpeg(1, "landscape");

let user: TestUser;
beforeAll(async () => {
  user = await makeUser("Enterprise");
});

async function expectRejected(form: FormData, status: number) {
  const before = await snapshot(user);
  const problem = await expectProblem(await api.upload(user.token, form), status);
  await expectNothingStored(user, before);
  return problem;
}

describe("uploads with bad files are refused and store nothing", () => {
  it("empty file → 422", async () => {
    const p = await expectRejected(uploadForm("empty", new Uint8Array(0), "empty.png", "image/png"), 422);
    expect(p.detail).toMatch(/empty/i);
  });

  it("text named .png → 415", async () => {
    const p = await expectRejected(
      uploadForm("text", new TextEncoder().encode("just some text, honest"), "x.png", "image/png"),
      415,
    );
    expect(p.detail).toMatch(/PNG and JPEG/);
  });

  it.each(["gif", "webp"] as const)("%s → 415", async (format) => {
    const image = sharp({ create: { width: 8, height: 8, channels: 3, background: "red" } });
    const bytes = await (format === "gif" ? image.gif() : image.webp()).toBuffer();
    await expectRejected(uploadForm(format, bytes, `x.${format === "gif" ? "png" : "jpg"}`, "image/png"), 415);
  });

  it("bmp → 415", async () => {
    const bmp = Buffer.alloc(58);
    bmp.write("BM", 0, "ascii");
    bmp.writeUInt32LE(58, 2);
    bmp.writeUInt32LE(54, 10);
    bmp.writeUInt32LE(40, 14);
    bmp.writeInt32LE(1, 18);
    bmp.writeInt32LE(1, 22);
    bmp.writeUInt16LE(1, 26);
    bmp.writeUInt16LE(24, 28);
    await expectRejected(uploadForm("bmp", bmp, "x.jpg", "image/jpeg"), 415);
  });

  it("truncated PNG → 422", async () => {
    await expectRejected(uploadForm("cut", validPng.subarray(0, Math.floor(validPng.length / 2)), "cut.png"), 422);
  });

  it("truncated JPEG → 422", async () => {
    await expectRejected(uploadForm("cut", validJpeg.subarray(0, Math.floor(validJpeg.length * 0.6)), "cut.jpg"), 422);
  });

  it("a PNG whose header claims 100000×100000 → 422 naming the limit, without decoding it", async () => {
    const p = await expectRejected(uploadForm("huge", pngClaiming(100_000, 100_000), "huge.png"), 422);
    expect(p.detail).toMatch(/megapixels/);
  });

  // The corrupt PngSuite files (x*.png) are in the corpus suite (tests/api/corpus.test.ts).
});

describe("uploads with bad fields are refused and store nothing", () => {
  it("missing name → 422 on the name field", async () => {
    const p = await expectRejected(uploadForm(null, validPng), 422);
    expect(p.errors?.name).toEqual(["name is required"]);
  });

  it.each([
    ["blank", "   "],
    ["too long", "x".repeat(201)],
    ["NUL in the", "a\u0000b"],
    ["control character in the", "a\u001bb"],
  ])("%s name → 422", async (_label, name) => {
    const p = await expectRejected(uploadForm(name, validPng), 422);
    expect(p.errors?.name?.[0]).toMatch(/name must/);
  });

  it("a 200-character name is accepted", async () => {
    const res = await api.upload(user.token, uploadForm("n".repeat(200), validPng));
    expect(res.status).toBe(201);
  });

  it("missing file → 422 on the image field", async () => {
    const p = await expectRejected(uploadForm("no file", null), 422);
    expect(p.errors?.image).toBeDefined();
  });

  it("two files → 422", async () => {
    const form = uploadForm("two", validPng);
    form.append("image", new Blob([new Uint8Array(validPng)]), "second.png");
    await expectRejected(form, 422);
  });

  it("not multipart → 415", async () => {
    const before = await snapshot(user);
    const res = await api.upload(user.token, JSON.stringify({ name: "x" }), { "content-type": "application/json" });
    await expectProblem(res, 415);
    await expectNothingStored(user, before);
  });
});

describe("too-large uploads → 413 without buffering the body", () => {
  it("by Content-Length: refused before reading any of the body", async () => {
    let pulled = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled += 65536;
        controller.enqueue(new Uint8Array(65536));
      },
    });
    const before = await snapshot(user);
    const res = await api.upload(user.token, body, {
      "content-type": "multipart/form-data; boundary=abc",
      "content-length": String(10 * MAX_BYTES),
    });
    const p = await expectProblem(res, 413);
    expect(p.detail).toContain(String(MAX_BYTES));
    expect(pulled).toBeLessThanOrEqual(65536 * 2); // at most what the stream pre-buffers
    await expectNothingStored(user, before);
  });

  it("chunked, without Content-Length: stops reading just past the limit", async () => {
    const chunkSize = 16384;
    let pulled = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled += chunkSize;
        if (pulled > 100 * MAX_BYTES) controller.close();
        else controller.enqueue(new TextEncoder().encode("--abc\r\n".padEnd(chunkSize, "x")));
      },
    });
    const before = await snapshot(user);
    const res = await api.upload(user.token, body, { "content-type": "multipart/form-data; boundary=abc" });
    await expectProblem(res, 413);
    expect(pulled).toBeLessThan(MAX_BYTES + 64 * 1024 + 4 * chunkSize);
    await expectNothingStored(user, before);
  });

  it("a file just over the limit inside a small multipart body → 413", async () => {
    const big = Buffer.concat([validPng, Buffer.alloc(MAX_BYTES + 1 - validPng.length)]);
    await expectRejected(uploadForm("big", big), 413);
  });
});

describe("too many pixels", () => {
  const { width, height } = DISPLAYED.landscape;
  const limit = 200_000;
  beforeAll(() => {
    expect(width * height).toBeGreaterThan(limit);
    process.env.MAX_IMAGE_PIXELS = String(limit);
    resetEnvForTests();
  });
  afterAll(() => {
    delete process.env.MAX_IMAGE_PIXELS;
    resetEnvForTests();
  });

  it("an image over MAX_IMAGE_PIXELS → 422 with the limit in the message", async () => {
    const p = await expectRejected(uploadForm("big", validJpeg), 422);
    expect(p.detail).toContain(`${width}×${height}`);
    expect(p.detail).toMatch(/limit is 0\.2 megapixels/);
  });
});

describe("no credentials", () => {
  it("→ 401 and nothing stored", async () => {
    const before = await snapshot(user);
    const res = await api.upload(null, uploadForm("x", validPng));
    await expectProblem(res, 401);
    await expectNothingStored(user, before);
  });
});
