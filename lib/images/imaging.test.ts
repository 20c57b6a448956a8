import fc from "fast-check";
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { thumbHashToApproximateAspectRatio, thumbHashToAverageRGBA } from "thumbhash";
import { noisyJpeg, withEndMarkerAt } from "@/tests/support/fixtures";
import { inSourceFormat, probeImage, renderThumbnails, renderUpload } from "./imaging";

const MAX_PIXELS = 50_000_000;
/** A property below encodes and decodes dozens of images of up to 1.4 MP: seconds when the machine is busy. */
const slow = { timeout: 60_000 };

const refused = (work: Promise<unknown>) =>
  work.then(
    () => false,
    () => true,
  );

const subsamplings = fc.constantFrom("4:2:0" as const, "4:4:4" as const);
const encodings = fc.record({ progressive: fc.boolean(), chromaSubsampling: subsamplings });

/**
 * A JPEG cut short: its end marker and `cutPermille` ‰ more gone, as an interrupted transfer
 * leaves it, or with its end marker put back after the cut.
 */
function cutShort(intact: Buffer, cutPermille: number, endMarker: boolean): Buffer {
  const kept = intact.subarray(0, intact.length - 2 - 2 - Math.floor((intact.length * cutPermille) / 1000));
  return endMarker ? Buffer.concat([kept, Buffer.from([0xff, 0xd9])]) : Buffer.from(kept);
}

const sizes = [
  fc.integer({ min: 64, max: 1200 }),
  fc.integer({ min: 64, max: 1200 }),
  fc.integer({ min: 50, max: 95 }),
] as const;
const planHeights = fc.constantFrom([], [16], [50, 100], [200, 400]);

describe("renderUpload: the upload's one decode", () => {
  it("refuses a JPEG cut short, whatever the thumbnail heights (a reduced-size decode too)", slow, async () => {
    await fc.assert(
      fc.asyncProperty(
        ...sizes,
        encodings,
        fc.integer({ min: 0, max: 30 }),
        planHeights,
        async (width, height, quality, encoding, cutPermille, heights) => {
          const bytes = cutShort(await noisyJpeg(width, height, { quality, ...encoding }), cutPermille, false);
          const info = await probeImage(bytes, "image/jpeg", MAX_PIXELS);
          expect(await refused(renderUpload(bytes, info, heights, MAX_PIXELS))).toBe(true);
        },
      ),
      { numRuns: 40 },
    );
  });

  it(
    "refuses a JPEG with an end marker inside its data, which only the decode can tell, whatever the heights",
    slow,
    async () => {
      // Above its last rows: in the last 8 rows a reduced-size decode writes, libvips hears of damage
      // too late to fail (see uploadDecode); at 400 px high and 1/8 scale those are its last 64.
      await fc.assert(
        fc.asyncProperty(
          fc.integer({ min: 64, max: 1200 }),
          fc.integer({ min: 400, max: 1200 }),
          fc.integer({ min: 50, max: 95 }),
          encodings,
          fc.double({ min: 0.05, max: 0.6, noNaN: true }),
          planHeights,
          async (width, height, quality, encoding, at, heights) => {
            const intact = await noisyJpeg(width, height, { quality, ...encoding });
            const scan = intact.indexOf(Buffer.from([0xff, 0xda]));
            const inside = scan + Math.floor((intact.length - scan) * at);
            const bytes = withEndMarkerAt(intact, inside);
            const info = await probeImage(bytes, "image/jpeg", MAX_PIXELS);
            expect(await refused(renderUpload(bytes, info, heights, MAX_PIXELS))).toBe(true);
          },
        ),
        { numRuns: 40 },
      );
    },
  );

  it(
    "refuses a progressive JPEG cut short with its end marker put back, as a full-size decode does",
    slow,
    async () => {
      await fc.assert(
        fc.asyncProperty(
          ...sizes,
          subsamplings,
          fc.integer({ min: 0, max: 30 }),
          planHeights,
          async (width, height, quality, chromaSubsampling, cutPermille, heights) => {
            const intact = await noisyJpeg(width, height, { quality, progressive: true, chromaSubsampling });
            const bytes = cutShort(intact, cutPermille, true);
            const fullDecodeFails = await refused(sharp(bytes, { failOn: "warning" }).raw().toBuffer());
            const info = await probeImage(bytes, "image/jpeg", MAX_PIXELS);
            expect(await refused(renderUpload(bytes, info, heights, MAX_PIXELS))).toBe(fullDecodeFails);
          },
        ),
        { numRuns: 30 },
      );
    },
  );

  it("renders every height from one decode, oriented, at the plan's sizes", async () => {
    // Stored as 300×200 with EXIF orientation 6: displayed 200×300.
    const bytes = await sharp({ create: { width: 300, height: 200, channels: 3, background: "#3366cc" } })
      .jpeg()
      .withMetadata({ orientation: 6 })
      .toBuffer();
    const info = await probeImage(bytes, "image/jpeg", MAX_PIXELS);
    expect(info).toEqual({ width: 200, height: 300, format: "jpeg" });
    const { renditions, placeholder } = await renderUpload(bytes, info, [400, 100, 150], MAX_PIXELS);
    const sizes = await Promise.all(
      renditions.map(async (r) => {
        const meta = await sharp(r.data).metadata();
        return { planHeight: r.planHeight, width: meta.width, height: meta.height, orientation: meta.orientation };
      }),
    );
    expect(sizes).toEqual([
      { planHeight: 100, width: 67, height: 100, orientation: undefined },
      { planHeight: 150, width: 100, height: 150, orientation: undefined },
      // Never upscaled: the image's own size.
      { planHeight: 400, width: 200, height: 300, orientation: undefined },
    ]);
    // The placeholder is of the displayed (rotated) image, in its colour.
    const hash = Buffer.from(placeholder, "base64");
    expect(thumbHashToApproximateAspectRatio(hash)).toBeCloseTo(200 / 300, 1);
    const average = thumbHashToAverageRGBA(hash);
    expect([average.r * 255, average.g * 255, average.b * 255].map(Math.round)).toEqual([
      expect.closeTo(0x33, -1),
      expect.closeTo(0x66, -1),
      expect.closeTo(0xcc, -1),
    ]);
  });

  it("makes the placeholder with no thumbnail heights too, keeping a PNG's transparency", async () => {
    const bytes = await sharp({
      create: { width: 640, height: 320, channels: 4, background: { r: 255, g: 0, b: 0, alpha: 0.25 } },
    })
      .png()
      .toBuffer();
    const info = await probeImage(bytes, "image/png", MAX_PIXELS);
    const { renditions, placeholder } = await renderUpload(bytes, info, [], MAX_PIXELS);
    expect(renditions).toEqual([]);
    const hash = Buffer.from(placeholder, "base64");
    expect(thumbHashToApproximateAspectRatio(hash)).toBeCloseTo(2, 0);
    expect(thumbHashToAverageRGBA(hash).a).toBeLessThan(0.5);
  });

  it("refuses more pixels than the limit even when the header was not asked", async () => {
    const bytes = await sharp({ create: { width: 400, height: 300, channels: 3, background: "#000" } })
      .png()
      .toBuffer();
    const info = { width: 400, height: 300, format: "png" } as const;
    await expect(renderUpload(bytes, info, [200], 100_000)).rejects.toThrow(/too many pixels/);
  });
});

describe("renderThumbnails: heights of a stored original", () => {
  it("gives one height the same pixels as sharp's own resize of the file", async () => {
    const bytes = await sharp({
      create: {
        width: 1600,
        height: 1200,
        channels: 3,
        background: "#888",
        noise: { type: "gaussian", mean: 100, sigma: 30 },
      },
    })
      .jpeg({ quality: 90 })
      .toBuffer();
    const info = await probeImage(bytes, "image/jpeg", MAX_PIXELS);
    const [rendition] = await renderThumbnails(bytes, info, inSourceFormat(info, [300]));
    const reference = await sharp(bytes).rotate().resize({ height: 300 }).raw().toBuffer({ resolveWithObject: true });
    const ours = await sharp(rendition?.data).raw().toBuffer({ resolveWithObject: true });
    expect(ours.info).toMatchObject({ width: reference.info.width, height: 300 });
    // Both are JPEG-shrunk on load then resized: the decoded thumbnails differ by compression only.
    let error = 0;
    for (let i = 0; i < ours.data.length; i++) error += Math.abs((ours.data[i] ?? 0) - (reference.data[i] ?? 0));
    expect(error / ours.data.length).toBeLessThan(6);
  });
});
