import { and, eq } from "drizzle-orm";
import sharp from "sharp";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { getDb } from "@/db/client";
import { imageVariants } from "@/db/schema";
import { setUserPlan } from "@/lib/accounts/users";
import { getStorage, setStorage } from "@/lib/storage";
import { createDiskStorage } from "@/lib/storage/disk";
import { env } from "@/lib/env";
import { DISPLAYED, orientedJpeg, ORIENTATIONS, rgbaPng, type Shape } from "../support/fixtures";
import { api, bodyBytes, makePlan, makeUser, storedHeights, type TestUser, uploadOk } from "./harness";

async function thumbnailOf(user: TestUser, id: string, height: number) {
  const res = await api.thumbnail(user.token, id, height);
  expect(res.status).toBe(200);
  const bytes = await bodyBytes(res);
  return { bytes, meta: await sharp(bytes).metadata() };
}

/** Coarse pixels of a thumbnail, to compare pictures without caring about JPEG noise. */
async function coarse(bytes: Buffer): Promise<Buffer> {
  return sharp(bytes).resize(32, 32, { fit: "fill" }).raw().toBuffer();
}

// The exif-orientation set (as ../shared/corpus/exif-orientation): orientations 0–8 of a landscape and a portrait.
describe("EXIF orientation", () => {
  const files = (["landscape", "portrait"] as const).flatMap((shape) =>
    ORIENTATIONS.map((orientation) => ({ shape, orientation })),
  );
  let user: TestUser;
  const reference = new Map<Shape, Buffer>();
  beforeAll(async () => {
    user = await makeUser("Premium");
    for (const shape of ["landscape", "portrait"] as const) {
      const image = await uploadOk(user, await orientedJpeg(0, shape));
      reference.set(shape, await coarse((await thumbnailOf(user, image.id, 200)).bytes));
    }
  });

  it.each(files)("$shape $orientation is upright in every variant", async ({ shape, orientation }) => {
    const image = await uploadOk(user, await orientedJpeg(orientation, shape), `${shape} ${orientation}`);
    expect([image.width, image.height]).toEqual([DISPLAYED[shape].width, DISPLAYED[shape].height]);
    const landscape = shape === "landscape";
    for (const height of [200, 400]) {
      const { meta } = await thumbnailOf(user, image.id, height);
      expect(meta.height).toBe(height);
      expect(meta.width).toBe(landscape ? height * 1.5 : Math.round(height / 1.5));
      expect(meta.orientation ?? 1).toBe(1);
    }
    // Same picture once oriented: compare to orientation 0 on a coarse grid (a wrong turn or mirror is far off).
    const pixels = await coarse((await thumbnailOf(user, image.id, 200)).bytes);
    const expected = reference.get(shape) as Buffer;
    let diff = 0;
    for (let i = 0; i < pixels.length; i++) diff += Math.abs((pixels[i] ?? 0) - (expected[i] ?? 0));
    expect(diff / pixels.length).toBeLessThan(12);
  });
});

describe("metadata", () => {
  it("is stripped from every stored variant while the original is kept byte for byte", async () => {
    const user = await makeUser("Premium");
    const tagged = await sharp({
      create: { width: 900, height: 600, channels: 3, background: { r: 10, g: 120, b: 200 } },
    })
      .withExif({
        IFD0: { Copyright: "Someone", Artist: "Somebody" },
        IFD3: { GPSLatitudeRef: "N", GPSLatitude: "48/1 51/1 0/1" },
      })
      .withXmp(
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/></x:xmpmeta>',
      )
      .jpeg()
      .toBuffer();
    const source = await sharp(tagged).metadata();
    expect(source.exif).toBeDefined();
    expect(source.xmp).toBeDefined();

    const image = await uploadOk(user, tagged);
    for (const height of [200, 400]) {
      const { meta } = await thumbnailOf(user, image.id, height);
      expect(meta.exif).toBeUndefined();
      expect(meta.xmp).toBeUndefined();
      expect(meta.icc).toBeUndefined();
      expect(meta.comments).toBeUndefined();
    }
    expect((await bodyBytes(await api.original(user.token, image.id))).equals(tagged)).toBe(true);
  });
});

describe("variants the owner gains later", () => {
  afterEach(() => setStorage(undefined));

  it("are produced on first request, stored once, and reused", async () => {
    const user = await makeUser("Basic");
    const image = await uploadOk(user, await orientedJpeg(3, "portrait"));
    const plan = await makePlan({ heights: [150, 250], originalLink: false });
    await setUserPlan(user.email, plan.name);

    // Count what reaches the store while concurrent first requests race.
    const disk = createDiskStorage(env().MEDIA_DIR);
    const puts: string[] = [];
    setStorage({ ...disk, put: async (key, data, type) => (puts.push(key), disk.put(key, data, type)) });

    const results = await Promise.all(Array.from({ length: 6 }, () => api.thumbnail(user.token, image.id, 250)));
    const bodies = await Promise.all(results.map(bodyBytes));
    expect(results.map((r) => r.status)).toEqual(Array(6).fill(200));
    expect(new Set(bodies.map((b) => b.toString("base64"))).size).toBe(1);
    expect(puts).toHaveLength(1);
    expect(puts[0]).toMatch(new RegExp(`^variants/${image.id}/250-[0-9a-f]{16}$`));
    const meta = await sharp(bodies[0]).metadata();
    expect([meta.width, meta.height]).toEqual([167, 250]);

    const rows = await getDb()
      .select()
      .from(imageVariants)
      .where(and(eq(imageVariants.imageId, image.id), eq(imageVariants.height, 250)));
    expect(rows).toHaveLength(1);
    expect(rows[0]?.byteSize).toBe(bodies[0]?.length);

    const again = await api.thumbnail(user.token, image.id, 250);
    expect(again.status).toBe(200);
    expect(puts).toHaveLength(1);
    expect(await storedHeights(image.id)).toEqual([200, 250]);
  });

  it("are rendered again if the stored file went missing", async () => {
    const user = await makeUser("Basic");
    const image = await uploadOk(user, await rgbaPng());
    await getStorage().delete(await getStorage().list(`variants/${image.id}/`));
    expect(await storedHeights(image.id)).toEqual([]);
    const { meta } = await thumbnailOf(user, image.id, 200);
    expect([meta.width, meta.height]).toEqual([32, 32]);
    expect(await storedHeights(image.id)).toEqual([200]);
  });
});
