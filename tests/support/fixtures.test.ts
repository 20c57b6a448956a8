import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { DISPLAYED, greyPng, orientedJpeg, ORIENTATIONS, rgbaPng, rgbPng } from "./fixtures";

/** The generated images have the geometry of the corpus files they stand in for. */
describe("fixtures", () => {
  it.each([
    ["rgbaPng", rgbaPng, 6],
    ["rgbPng", rgbPng, 2],
    ["greyPng", greyPng, 0],
  ] as const)("%s is a 32×32 PNG of colour type %i, 8 bits deep", async (_name, make, colourType) => {
    const bytes = await make();
    // IHDR: width and height at 16 and 20, bit depth at 24, colour type at 25.
    expect([bytes.readUInt32BE(16), bytes.readUInt32BE(20), bytes[24], bytes[25]]).toEqual([32, 32, 8, colourType]);
  });

  it.each((["landscape", "portrait"] as const).flatMap((shape) => ORIENTATIONS.map((o) => [shape, o] as const)))(
    "orientedJpeg(%s, %i) is tagged so, stored turned for 5–8, and upright once oriented",
    async (shape, orientation) => {
      const bytes = await orientedJpeg(orientation, shape);
      const meta = await sharp(bytes).metadata();
      const { width, height } = DISPLAYED[shape];
      expect(meta.format).toBe("jpeg");
      expect(meta.orientation).toBe(orientation === 0 ? undefined : orientation);
      expect([meta.width, meta.height]).toEqual(orientation >= 5 ? [height, width] : [width, height]);
      const coarse = (input: Buffer) => sharp(input).autoOrient().resize(30, 30, { fit: "fill" }).raw().toBuffer();
      const [pixels, upright] = await Promise.all([coarse(bytes), coarse(await orientedJpeg(0, shape))]);
      let diff = 0;
      for (let i = 0; i < pixels.length; i++) diff += Math.abs((pixels[i] ?? 0) - (upright[i] ?? 0));
      expect(diff / pixels.length).toBeLessThan(2);
    },
  );
});
