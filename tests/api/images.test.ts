import { createHash, randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getDb } from "@/db/client";
import { images } from "@/db/schema";
import { usageOf } from "@/lib/plans/quota";
import sharp from "sharp";
import { DISPLAYED, orientedJpeg, rgbaPng } from "../support/fixtures";
import {
  api,
  BASE,
  bodyBytes,
  expectProblem,
  imageRowsOf,
  makeUser,
  storedHeights,
  storedKeys,
  uploadForm,
  uploadOk,
  type ImageBody,
  JPEG_FORMATS,
} from "./harness";

const png = await rgbaPng();
const jpeg = await orientedJpeg(1, "landscape"); // 600×400

describe("POST /api/v1/images", () => {
  it("stores a JPEG and answers 201 with Location and the Image resource of the owner's plan", async () => {
    const user = await makeUser("Premium");
    const res = await api.upload(user.token, uploadForm("  Holiday  ", jpeg, "whatever.gif", "image/gif"));
    expect(res.status).toBe(201);
    const body = (await res.json()) as ImageBody;
    expect(res.headers.get("location")).toBe(`${BASE}/api/v1/images/${body.id}`);
    // Set by the API itself: multipart uploads do not pass proxy.ts.
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("x-frame-options")).toBe("DENY");
    expect(body).toEqual({
      id: expect.any(String),
      name: "Holiday",
      width: DISPLAYED.landscape.width,
      height: DISPLAYED.landscape.height,
      content_type: "image/jpeg",
      bytes: jpeg.length,
      created_at: expect.any(String),
      status: "ready",
      placeholder: expect.stringMatching(/^[A-Za-z0-9+/]+=*$/),
      thumbnails: [
        { height: 200, width: 300, url: `${BASE}/api/v1/images/${body.id}/thumbnails/200`, formats: JPEG_FORMATS },
        { height: 400, width: 600, url: `${BASE}/api/v1/images/${body.id}/thumbnails/400`, formats: JPEG_FORMATS },
      ],
      original: { url: `${BASE}/api/v1/images/${body.id}/original` },
    });
    expect(new Date(body.created_at).getTime()).toBeGreaterThan(Date.now() - 60_000);
  });

  it("shows a Basic user one 200 px thumbnail and no original", async () => {
    const user = await makeUser("Basic");
    const body = await uploadOk(user, png);
    expect(body.content_type).toBe("image/png");
    expect(body.thumbnails.map((t) => t.height)).toEqual([200]);
    expect(body.original).toBeNull();
  });

  it("keeps the original bytes exactly as uploaded and serves them with the detected type", async () => {
    const user = await makeUser("Premium");
    const body = await uploadOk(user, jpeg);
    const res = await api.original(user.token, body.id);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("image/jpeg");
    expect((await bodyBytes(res)).equals(jpeg)).toBe(true);
  });

  it("records the original's SHA-256, hashed once whether or not an Idempotency-Key asked for it first", async () => {
    const user = await makeUser("Premium");
    const expected = createHash("sha256").update(jpeg).digest("hex");
    const plain = await uploadOk(user, jpeg);
    const keyed = await api.upload(user.token, uploadForm("keyed", jpeg), { "idempotency-key": randomUUID() });
    expect(keyed.status).toBe(201);
    for (const id of [plain.id, ((await keyed.json()) as ImageBody).id]) {
      const [row] = await getDb().select({ sha256: images.sha256 }).from(images).where(eq(images.id, id));
      expect(row?.sha256).toBe(expected);
    }
  });

  it("makes the plan's thumbnails before answering, under generated keys only", async () => {
    const user = await makeUser("Premium");
    const res = await api.upload(user.token, uploadForm("../../etc/passwd", png, "../../etc/passwd.png"));
    expect(res.status).toBe(201);
    const body = (await res.json()) as ImageBody;
    // Ready in the 201 itself: the thumbnails are stored and recorded, and no job is left to run.
    expect(body.status).toBe("ready");
    expect(await storedHeights(body.id)).toEqual([200, 400]);
    for (const { height } of body.thumbnails)
      expect((await api.thumbnail(user.token, body.id, height)).status).toBe(200);
    const keys = (await storedKeys()).filter((k) => k.includes(body.id));
    expect(keys).toHaveLength(3);
    expect(keys).toContain(`originals/${body.id}`);
    expect(keys.join()).not.toContain("passwd");
  });
});

describe("GET /api/v1/images", () => {
  it("lists newest first with keyset pagination that stays stable while uploads happen", async () => {
    const user = await makeUser("Basic");
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await uploadOk(user, png, `p${i}`)).id);

    const first = await api.list(user.token, "?limit=2");
    expect(first.status).toBe(200);
    const page1 = (await first.json()) as { items: ImageBody[]; next_cursor: string | null };
    expect(page1.items.map((i) => i.id)).toEqual([ids[4], ids[3]]);
    expect(page1.next_cursor).toEqual(expect.any(String));

    // A new upload between pages must not shift or repeat what follows.
    await uploadOk(user, png, "late");
    const page2 = (await (await api.list(user.token, `?limit=2&cursor=${page1.next_cursor}`)).json()) as typeof page1;
    expect(page2.items.map((i) => i.id)).toEqual([ids[2], ids[1]]);
    const page3 = (await (await api.list(user.token, `?limit=2&cursor=${page2.next_cursor}`)).json()) as typeof page1;
    expect(page3.items.map((i) => i.id)).toEqual([ids[0]]);
    expect(page3.next_cursor).toBeNull();
  });

  it("defaults to 20 items and never shows another user's images", async () => {
    const owner = await makeUser("Basic");
    const other = await makeUser("Basic");
    for (let i = 0; i < 21; i++) await uploadOk(owner, png, `n${i}`);
    await uploadOk(other, png, "not yours");
    const page = (await (await api.list(owner.token)).json()) as { items: ImageBody[]; next_cursor: string | null };
    expect(page.items).toHaveLength(20);
    expect(page.next_cursor).not.toBeNull();
    expect(page.items.some((i) => i.name === "not yours")).toBe(false);
  });

  it.each(["?limit=0", "?limit=101", "?limit=abc", "?limit=2.5", "?cursor=not-a-cursor"])(
    "rejects %s with 422",
    async (q) => {
      const user = await makeUser();
      const problem = await expectProblem(await api.list(user.token, q), 422);
      expect(Object.keys(problem.errors ?? {})).toHaveLength(1);
    },
  );
});

describe("GET and DELETE /api/v1/images/{id}", () => {
  it("returns the owner's image and hides everyone else's as 404", async () => {
    const owner = await makeUser("Premium");
    const other = await makeUser("Premium");
    const body = await uploadOk(owner, png);
    const res = await api.get(owner.token, body.id);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(body);
    await expectProblem(await api.get(other.token, body.id), 404);
    await expectProblem(await api.get(owner.token, "00000000-0000-4000-8000-000000000000"), 404);
    await expectProblem(await api.get(owner.token, "not-a-uuid"), 404);
  });

  it("deletes the image, its variants, files and links; another user cannot", async () => {
    const owner = await makeUser("Enterprise");
    const other = await makeUser("Enterprise");
    const body = await uploadOk(owner, jpeg);
    const link = (await (await api.createLink(owner.token, { image_id: body.id, alive_duration: 600 })).json()) as {
      url: string;
    };

    await expectProblem(await api.delete(other.token, body.id), 404);
    expect((await storedKeys()).filter((k) => k.includes(body.id))).toHaveLength(3);

    const res = await api.delete(owner.token, body.id);
    expect(res.status).toBe(204);
    expect(await imageRowsOf(owner.id)).toHaveLength(0);
    expect((await storedKeys()).filter((k) => k.includes(body.id))).toEqual([]);
    await expectProblem(await api.get(owner.token, body.id), 404);
    await expectProblem(await api.openLink(link.url), 404);
    await expectProblem(await api.delete(owner.token, body.id), 404);
  });

  it("deletes the files too when the id is sent in capitals (still the same UUID)", async () => {
    const owner = await makeUser("Premium");
    const body = await uploadOk(owner, png);
    expect(await api.delete(owner.token, body.id.toUpperCase()).then((r) => r.status)).toBe(204);
    expect(await imageRowsOf(owner.id)).toHaveLength(0);
    expect((await storedKeys()).filter((k) => k.includes(body.id))).toEqual([]);
  });
});

describe("POST /api/v1/images/delete", () => {
  it("deletes the owner's images among up to 100 ids at once, with a result per id, and gives their bytes back", async () => {
    const owner = await makeUser("Premium");
    const other = await makeUser("Premium");
    const mine = [await uploadOk(owner, png, "a"), await uploadOk(owner, jpeg, "b"), await uploadOk(owner, png, "c")];
    const theirs = await uploadOk(other, png, "theirs");
    const missing = randomUUID();
    const [a, b, c] = mine as [ImageBody, ImageBody, ImageBody];
    const ids = [a.id, theirs.id, b.id.toUpperCase(), missing];

    const res = await api.deleteMany(owner.token, { ids });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      results: [
        { id: a.id, status: "deleted" },
        { id: theirs.id, status: "not_found" },
        { id: b.id.toUpperCase(), status: "deleted" },
        { id: missing, status: "not_found" },
      ],
    });
    expect((await imageRowsOf(owner.id)).map((r) => r.id)).toEqual([c.id]);
    const keys = await storedKeys();
    for (const gone of [a.id, b.id]) expect(keys.filter((k) => k.includes(gone))).toEqual([]);
    expect(keys.some((k) => k.includes(c.id))).toBe(true);
    expect((await api.get(other.token, theirs.id)).status).toBe(200);
    expect(await usageOf(owner.id)).toMatchObject({ images: 1, bytes: c.bytes });

    // Again: nothing left to delete, nothing else touched.
    const again = (await (await api.deleteMany(owner.token, { ids: [a.id, c.id] })).json()) as {
      results: { status: string }[];
    };
    expect(again.results.map((r) => r.status)).toEqual(["not_found", "deleted"]);
  });

  it("refuses anything but 1 to 100 distinct UUIDs with 422, deleting nothing", async () => {
    const owner = await makeUser();
    const image = await uploadOk(owner, png);
    const many = Array.from({ length: 101 }, () => randomUUID());
    for (const body of [
      {},
      { ids: [] },
      { ids: many },
      { ids: ["nope"] },
      { ids: [image.id, image.id.toUpperCase()] },
      { ids: image.id },
    ])
      await expectProblem(await api.deleteMany(owner.token, body), 422);
    await expectProblem(await api.deleteMany(null, { ids: [image.id] }), 401);
    expect((await api.get(owner.token, image.id)).status).toBe(200);
    const hundred = [image.id, ...many.slice(0, 99)];
    expect((await api.deleteMany(owner.token, { ids: hundred })).status).toBe(200);
    expect(await imageRowsOf(owner.id)).toEqual([]);
  });
});

describe("PATCH /api/v1/images/{id}", () => {
  it("renames the owner's image (trimmed) and nothing else; the list and downloads use the new name", async () => {
    const user = await makeUser("Premium");
    const image = await uploadOk(user, jpeg, "Before");
    const res = await api.rename(user.token, image.id, { name: "  Café terrace  " });
    expect(res.status).toBe(200);
    const renamed = (await res.json()) as ImageBody;
    expect(renamed).toEqual({ ...image, name: "Café terrace" });
    const listed = (await (await api.list(user.token)).json()) as { items: ImageBody[] };
    expect(listed.items.find((i) => i.id === image.id)?.name).toBe("Café terrace");
    const original = await api.original(user.token, image.id);
    expect(original.headers.get("content-disposition")).toContain("filename*=UTF-8''Caf%C3%A9%20terrace.jpg");
  });

  it("refuses a bad name with 422 and someone else's image with 404, changing nothing", async () => {
    const owner = await makeUser();
    const other = await makeUser();
    const image = await uploadOk(owner, png, "Kept");
    for (const body of [{ name: "" }, { name: "a".repeat(201) }, { name: "tab\there" }, {}, { name: 7 }])
      await expectProblem(await api.rename(owner.token, image.id, body), 422);
    await expectProblem(await api.rename(owner.token, image.id, "{not json"), 400);
    await expectProblem(await api.rename(other.token, image.id, { name: "Mine now" }), 404);
    await expectProblem(await api.rename(owner.token, randomUUID(), { name: "Nothing" }), 404);
    await expectProblem(await api.rename(null, image.id, { name: "Anyone" }), 401);
    expect(((await (await api.get(owner.token, image.id)).json()) as ImageBody).name).toBe("Kept");
  });
});

describe("media responses", () => {
  it("carry type, nosniff, CSP, a strong ETag, private caching, and answer 304 to If-None-Match", async () => {
    const user = await makeUser("Premium");
    const body = await uploadOk(user, png);
    const res = await api.thumbnail(user.token, body.id, 200);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("image/png");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("content-security-policy")).toBe("default-src 'none'");
    expect(res.headers.get("cache-control")).toMatch(/^private, max-age=\d{7,}/);
    const etag = res.headers.get("etag");
    expect(etag).toMatch(/^"[0-9a-f]{64}"$/);
    const meta = await sharp(await bodyBytes(res)).metadata();
    expect(meta.format).toBe("png");

    const again = await api.thumbnail(user.token, body.id, 200, { "if-none-match": etag as string });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe("");
    const original = await api.original(user.token, body.id, { "if-none-match": `"nope", ${etag}` });
    expect(original.status).toBe(200);
    expect(original.headers.get("cache-control")).toMatch(/^private/);
  });
});
