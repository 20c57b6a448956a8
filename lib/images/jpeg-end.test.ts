import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { noisyJpeg } from "@/tests/support/fixtures";
import { jpegReachesEnd } from "./jpeg-end";

const jpeg = (width: number, height: number, progressive: boolean) => noisyJpeg(width, height, { progressive });

/** An APP1 segment holding a small JPEG of its own (as an EXIF thumbnail is), right after SOI. */
function withEmbeddedJpeg(file: Buffer, embedded: Buffer): Buffer {
  const payload = Buffer.concat([Buffer.from("Exif\0\0"), embedded]);
  const header = Buffer.from([0xff, 0xe1, (payload.length + 2) >> 8, (payload.length + 2) & 0xff]);
  return Buffer.concat([file.subarray(0, 2), header, payload, file.subarray(2)]);
}

describe("jpegReachesEnd", () => {
  const files = fc.record({
    width: fc.integer({ min: 1, max: 300 }),
    height: fc.integer({ min: 1, max: 300 }),
    progressive: fc.boolean(),
  });

  it("a whole JPEG reaches its end marker, bytes after it or not", async () => {
    await fc.assert(
      fc.asyncProperty(files, fc.uint8Array({ maxLength: 64 }), async ({ width, height, progressive }, trailer) => {
        const file = await jpeg(width, height, progressive);
        expect(jpegReachesEnd(file)).toBe(true);
        expect(jpegReachesEnd(Buffer.concat([file, trailer]))).toBe(true);
      }),
      { numRuns: 30 },
    );
  });

  it("a JPEG cut short anywhere does not, even with a whole JPEG embedded in its header", async () => {
    const thumbnail = await jpeg(16, 16, false);
    await fc.assert(
      fc.asyncProperty(
        files,
        fc.double({ min: 0, max: 1, noNaN: true }),
        async ({ width, height, progressive }, at) => {
          const file = withEmbeddedJpeg(await jpeg(width, height, progressive), thumbnail);
          expect(jpegReachesEnd(file)).toBe(true);
          const cut = Math.floor(at * (file.length - 1)); // at least the last byte goes
          expect(jpegReachesEnd(file.subarray(0, cut))).toBe(false);
        },
      ),
      { numRuns: 40 },
    );
  });
});
