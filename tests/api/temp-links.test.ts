import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getDb } from "@/db/client";
import { expiringLinks, images } from "@/db/schema";
import { setUserPlan } from "@/lib/accounts/users";
import { env } from "@/lib/env";
import { signLinkId } from "@/lib/links/signing";
import * as tempLinksRoute from "@/app/api/v1/temp-links/route";
import * as tempLinkItemRoute from "@/app/api/v1/temp-links/[id]/route";
import { orientedJpeg, rgbaPng } from "../support/fixtures";
import {
  api,
  BASE,
  bodyBytes,
  call,
  expectProblem,
  makePlan,
  makeUser,
  setActive,
  uploadOk,
  type TestUser,
} from "./harness";

const jpeg = await orientedJpeg(1, "landscape");
const png = await rgbaPng(); // 32×32 RGBA

type Created = { url: string; page_url: string; expires_at: string; image_id: string; alive_duration: number };
type Listed = { id: string; url: string; page_url: string; image_id: string; expires_at: string; created_at: string };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

async function createOk(user: TestUser, imageId: string, aliveDuration = 600): Promise<Created> {
  const res = await api.createLink(user.token, { image_id: imageId, alive_duration: aliveDuration });
  if (res.status !== 201) throw new Error(`link creation failed: ${res.status} ${await res.text()}`);
  return (await res.json()) as Created;
}

/** The path token of a link URL: `<link id>.<signature>`. */
function tokenOf(url: string): string {
  const match = /^\/l\/([^/]+)$/.exec(new URL(url).pathname);
  if (!match?.[1]) throw new Error(`not a link URL: ${url}`);
  return match[1];
}

function linkIdOf(url: string): string {
  return tokenOf(url).split(".")[0] as string;
}

function openToken(token: string) {
  return api.openLink(`${BASE}/l/${token}`);
}

async function list(user: TestUser, query = ""): Promise<Listed[]> {
  const res = await api.listLinks(user.token, query);
  expect(res.status, await res.clone().text()).toBe(200);
  expect(res.headers.get("content-type")).toBe("application/json");
  const body = (await res.json()) as { items: Listed[] };
  expect(Object.keys(body)).toEqual(["items"]);
  return body.items;
}

/** Every link row of any image this user owns. */
async function linkRowsOfUser(userId: string) {
  return getDb()
    .select({ id: expiringLinks.id })
    .from(expiringLinks)
    .innerJoin(images, eq(images.id, expiringLinks.imageId))
    .where(eq(images.ownerId, userId));
}

async function linkRow(linkId: string) {
  const [row] = await getDb().select().from(expiringLinks).where(eq(expiringLinks.id, linkId));
  return row;
}

/** Expiry without waiting: the link's deadline moves into the past. */
async function expire(linkId: string) {
  await getDb()
    .update(expiringLinks)
    .set({ expiresAt: new Date(Date.now() - 1000) })
    .where(eq(expiringLinks.id, linkId));
}

async function expectServesOriginal(res: Response, bytes: Buffer, type: string) {
  expect(res.status, res.status === 200 ? "" : await res.clone().text()).toBe(200);
  expect(res.headers.get("content-type")).toBe(type);
  expect(res.headers.get("x-content-type-options")).toBe("nosniff");
  expect(res.headers.get("content-security-policy")).toBe("default-src 'none'");
  expect((await bodyBytes(res)).equals(bytes)).toBe(true);
}

/** A user on Enterprise (the built-in plan with expiring links) with one uploaded image. */
async function enterpriseWithImage(file: Buffer = jpeg) {
  const user = await makeUser("Enterprise");
  const image = await uploadOk(user, file);
  return { user, image };
}

describe("POST /api/v1/temp-links", () => {
  it("answers 201 with exactly url, page_url, expires_at, image_id and alive_duration; expires_at is now + alive_duration", async () => {
    const { user, image } = await enterpriseWithImage();
    const before = Date.now();
    const res = await api.createLink(user.token, { image_id: image.id, alive_duration: 600 });
    const after = Date.now();
    expect(res.status, await res.clone().text()).toBe(201);
    expect(res.headers.get("content-type")).toBe("application/json");
    const body = (await res.json()) as Created;
    expect(Object.keys(body).sort()).toEqual(["alive_duration", "expires_at", "image_id", "page_url", "url"]);
    expect(body.image_id).toBe(image.id);
    expect(body.alive_duration).toBe(600);
    expect(body.url).toMatch(/^http:\/\/localhost:3000\/l\/[^/?#]+$/);
    expect(linkIdOf(body.url)).toMatch(UUID);
    // The share page carries the same token under /s/.
    expect(body.page_url).toBe(body.url.replace("/l/", "/s/"));

    const expiresAt = new Date(body.expires_at).getTime();
    expect(new Date(expiresAt).toISOString()).toBe(body.expires_at);
    expect(expiresAt).toBeGreaterThanOrEqual(before + 600_000);
    expect(expiresAt).toBeLessThanOrEqual(after + 600_000);

    const row = await linkRow(linkIdOf(body.url));
    expect(row?.imageId).toBe(image.id);
    expect(row?.revokedAt).toBeNull();
    expect(row?.expiresAt.getTime()).toBe(expiresAt);
  });

  it.each([300, 30000])("accepts alive_duration %i (the inclusive bounds)", async (seconds) => {
    const { user, image } = await enterpriseWithImage(png);
    const before = Date.now();
    const body = await createOk(user, image.id, seconds);
    const after = Date.now();
    expect(body.alive_duration).toBe(seconds);
    const expiresAt = new Date(body.expires_at).getTime();
    expect(expiresAt).toBeGreaterThanOrEqual(before + seconds * 1000);
    expect(expiresAt).toBeLessThanOrEqual(after + seconds * 1000);
    expect(await linkRowsOfUser(user.id)).toHaveLength(1);
    expect((await openToken(tokenOf(body.url))).status).toBe(200);
  });

  it.each([
    ["299", 299],
    ["30001", 30001],
    ["300.5", 300.5],
    ['"300" (a string)', "300"],
    ["null", null],
    ["0", 0],
    ["-600", -600],
  ] as const)(
    "rejects alive_duration %s with 422 naming the bounds 300 and 30000, and creates no link",
    async (_label, value) => {
      const { user, image } = await enterpriseWithImage(png);
      const problem = await expectProblem(
        await api.createLink(user.token, { image_id: image.id, alive_duration: value }),
        422,
      );
      expectBoundsMentioned(problem);
      expect(await linkRowsOfUser(user.id)).toHaveLength(0);
    },
  );

  it("rejects a missing alive_duration with 422 naming the bounds, and creates no link", async () => {
    const { user, image } = await enterpriseWithImage(png);
    const problem = await expectProblem(await api.createLink(user.token, { image_id: image.id }), 422);
    expectBoundsMentioned(problem);
    expect(await linkRowsOfUser(user.id)).toHaveLength(0);
  });

  it.each([
    ["missing", undefined],
    ["not a UUID", "not-a-uuid"],
    ["a number", 42],
  ] as const)("rejects an image_id that is %s with 422 on image_id, and creates no link", async (_label, imageId) => {
    const { user } = await enterpriseWithImage(png);
    const body: Record<string, unknown> = { alive_duration: 600 };
    if (imageId !== undefined) body.image_id = imageId;
    const problem = await expectProblem(await api.createLink(user.token, body), 422);
    expect(problem.errors?.image_id?.length).toBeGreaterThan(0);
    expect(problem.detail).toContain("image_id");
    expect(await linkRowsOfUser(user.id)).toHaveLength(0);
  });

  const planWithoutLinks: [string, () => Promise<string>][] = [
    ["Basic", async () => "Basic"],
    ["Premium", async () => "Premium"],
    [
      "a custom plan {100, 300, original} without expiring links",
      async () => (await makePlan({ heights: [100, 300], originalLink: true })).name,
    ],
  ];
  it.each(planWithoutLinks)("answers 403 to a user on %s, and creates no link", async (_label, planName) => {
    const user = await makeUser(await planName());
    const image = await uploadOk(user, png);
    await expectProblem(await api.createLink(user.token, { image_id: image.id, alive_duration: 600 }), 403);
    expect(await linkRowsOfUser(user.id)).toHaveLength(0);
  });

  it("follows the plan's capability, not its name: a custom plan with expiring links may create them", async () => {
    const plan = await makePlan({ heights: [150], expiringLinks: true });
    const user = await makeUser(plan.name);
    const image = await uploadOk(user, jpeg);
    const body = await createOk(user, image.id, 300);
    // Even without the original link in the plan, the expiring link serves the original.
    await expectServesOriginal(await openToken(tokenOf(body.url)), jpeg, "image/jpeg");
  });

  it("a downgrade forbids creating links on the very next request", async () => {
    const { user, image } = await enterpriseWithImage(png);
    await createOk(user, image.id);
    await setUserPlan(user.email, "Premium");
    await expectProblem(await api.createLink(user.token, { image_id: image.id, alive_duration: 600 }), 403);
    expect(await linkRowsOfUser(user.id)).toHaveLength(1);
  });

  it("answers 404 for another user's image or one that does not exist, and creates no link", async () => {
    const { user } = await enterpriseWithImage(png);
    const { user: other, image: othersImage } = await enterpriseWithImage(png);
    await expectProblem(await api.createLink(user.token, { image_id: othersImage.id, alive_duration: 600 }), 404);
    const missing = randomUUID();
    await expectProblem(await api.createLink(user.token, { image_id: missing, alive_duration: 600 }), 404);
    expect(await linkRowsOfUser(other.id)).toHaveLength(0);
    expect(await linkRowsOfUser(user.id)).toHaveLength(0);
    expect(await getDb().select().from(expiringLinks).where(eq(expiringLinks.imageId, missing))).toHaveLength(0);
  });

  it("answers 401 without credentials or with an invalid token, and creates no link", async () => {
    const { user, image } = await enterpriseWithImage(png);
    const body = JSON.stringify({ image_id: image.id, alive_duration: 600 });
    for (const token of [null, `tih_${"A".repeat(43)}`]) {
      const res = await call(tempLinksRoute.POST, {
        method: "POST",
        path: "/api/v1/temp-links",
        token,
        headers: { "content-type": "application/json" },
        body,
      });
      await expectProblem(res, 401);
    }
    expect(await linkRowsOfUser(user.id)).toHaveLength(0);
  });
});

function expectBoundsMentioned(problem: { detail: string; errors?: Record<string, string[]> }) {
  const messages = problem.errors?.alive_duration ?? [];
  expect(messages.length).toBeGreaterThan(0);
  for (const text of [problem.detail, messages.join(" ")]) {
    expect(text).toMatch(/(^|\D)300(\D|$)/);
    expect(text).toMatch(/(^|\D)30000(\D|$)/);
  }
}

describe("GET /api/v1/temp-links", () => {
  it("lists only the caller's live links, each with exactly id, url, page_url, image_id, expires_at, created_at", async () => {
    const { user, image } = await enterpriseWithImage();
    const second = await uploadOk(user, png);
    const live = await createOk(user, image.id, 600);
    const revoked = await createOk(user, image.id, 600);
    const expired = await createOk(user, image.id, 600);
    const onSecond = await createOk(user, second.id, 900);
    expect((await api.revokeLink(user.token, linkIdOf(revoked.url))).status).toBe(204);
    await expire(linkIdOf(expired.url));
    const { user: other, image: othersImage } = await enterpriseWithImage(png);
    await createOk(other, othersImage.id);

    const forImage = await list(user, `?image_id=${image.id}`);
    expect(forImage).toHaveLength(1);
    const item = forImage[0] as Listed;
    expect(Object.keys(item).sort()).toEqual(["created_at", "expires_at", "id", "image_id", "page_url", "url"]);
    expect(item).toEqual({
      id: linkIdOf(live.url),
      url: live.url,
      page_url: live.page_url,
      image_id: image.id,
      expires_at: live.expires_at,
      created_at: expect.any(String),
    });
    const createdAt = new Date(item.created_at).getTime();
    expect(new Date(createdAt).toISOString()).toBe(item.created_at);
    expect(new Date(item.expires_at).getTime() - createdAt).toBe(600_000);

    const all = await list(user);
    expect(all.map((l) => l.url).sort()).toEqual([live.url, onSecond.url].sort());
    expect(all.find((l) => l.url === onSecond.url)?.image_id).toBe(second.id);
    expect(await list(user, `?image_id=${second.id}`)).toEqual([all.find((l) => l.url === onSecond.url)]);
  });

  it("answers 404 for another user's image_id (or one that does not exist)", async () => {
    const { user } = await enterpriseWithImage(png);
    const { user: other, image: othersImage } = await enterpriseWithImage(png);
    await createOk(other, othersImage.id);
    await expectProblem(await api.listLinks(user.token, `?image_id=${othersImage.id}`), 404);
    await expectProblem(await api.listLinks(user.token, `?image_id=${randomUUID()}`), 404);
    expect(await list(user)).toEqual([]);
  });

  it("answers 401 without credentials", async () => {
    await expectProblem(await call(tempLinksRoute.GET, { path: "/api/v1/temp-links", token: null }), 401);
  });
});

describe("DELETE /api/v1/temp-links/{id}", () => {
  it("revokes the link: 204, its URL answers 410 and it leaves the list", async () => {
    const { user, image } = await enterpriseWithImage();
    const link = await createOk(user, image.id);
    const keep = await createOk(user, image.id);
    await expectServesOriginal(await api.openLink(link.url), jpeg, "image/jpeg");

    const res = await api.revokeLink(user.token, linkIdOf(link.url));
    expect(res.status).toBe(204);
    expect(await res.text()).toBe("");

    await expectProblem(await api.openLink(link.url), 410);
    expect((await list(user)).map((l) => l.url)).toEqual([keep.url]);
    expect((await linkRow(linkIdOf(link.url)))?.revokedAt).toBeInstanceOf(Date);
    // Revoking one link leaves the others alone.
    await expectServesOriginal(await api.openLink(keep.url), jpeg, "image/jpeg");
  });

  it("answers 404 for another user's link and leaves it working", async () => {
    const { user: owner, image } = await enterpriseWithImage(png);
    const { user: other } = await enterpriseWithImage(png);
    const link = await createOk(owner, image.id);
    await expectProblem(await api.revokeLink(other.token, linkIdOf(link.url)), 404);
    expect((await linkRow(linkIdOf(link.url)))?.revokedAt).toBeNull();
    await expectServesOriginal(await api.openLink(link.url), png, "image/png");
    expect((await list(owner)).map((l) => l.url)).toEqual([link.url]);
  });

  it("answers 404 for a link that does not exist", async () => {
    const { user } = await enterpriseWithImage(png);
    await expectProblem(await api.revokeLink(user.token, randomUUID()), 404);
    await expectProblem(await api.revokeLink(user.token, "not-a-uuid"), 404);
  });

  it("answers 401 without credentials and leaves the link working", async () => {
    const { user, image } = await enterpriseWithImage(png);
    const link = await createOk(user, image.id);
    const id = linkIdOf(link.url);
    await expectProblem(
      await call(tempLinkItemRoute.DELETE, {
        method: "DELETE",
        path: `/api/v1/temp-links/${id}`,
        token: null,
        params: { id },
      }),
      401,
    );
    expect((await api.openLink(link.url)).status).toBe(200);
  });
});

describe("GET /l/{token} (the expiring link itself)", () => {
  it.each([
    ["JPEG", jpeg, "image/jpeg"],
    ["PNG", png, "image/png"],
  ] as const)(
    "serves the original %s bytes to anyone, without credentials, with inert headers",
    async (_label, file, type) => {
      const { user, image } = await enterpriseWithImage(file);
      const link = await createOk(user, image.id);
      await expectServesOriginal(await api.openLink(link.url), file, type);
      // Any number of times until it expires.
      await expectServesOriginal(await api.openLink(link.url), file, type);
    },
  );

  it("answers 410 Gone once expires_at has passed, and the link leaves the list", async () => {
    const { user, image } = await enterpriseWithImage(png);
    const link = await createOk(user, image.id, 300);
    expect((await api.openLink(link.url)).status).toBe(200);
    await expire(linkIdOf(link.url));
    await expectProblem(await api.openLink(link.url), 410);
    expect(await list(user)).toEqual([]);
  });

  it("answers 404 to a token whose signature has its first, a middle, or its second-to-last character changed", async () => {
    const { user, image } = await enterpriseWithImage(png);
    const link = await createOk(user, image.id);
    const [id, signature] = tokenOf(link.url).split(".") as [string, string];
    for (const position of [0, Math.floor(signature.length / 2), signature.length - 2]) {
      const tampered = `${id}.${changeChar(signature, position)}`;
      await expectProblem(await openToken(tampered), 404);
    }
    expect((await api.openLink(link.url)).status).toBe(200);
  });

  it("answers 404 to a token with any single character of its signature changed (including the last)", async () => {
    const { user, image } = await enterpriseWithImage(png);
    const link = await createOk(user, image.id);
    const [id, signature] = tokenOf(link.url).split(".") as [string, string];
    const accepted: string[] = [];
    for (let position = 0; position < signature.length; position++) {
      const tampered = `${id}.${changeChar(signature, position)}`;
      const res = await openToken(tampered);
      if (res.status !== 404) accepted.push(`${tampered} → ${res.status}`);
    }
    expect(accepted).toEqual([]);
  });

  it("answers 404 to the signature with a character inserted or appended", async () => {
    const { user, image } = await enterpriseWithImage(png);
    const link = await createOk(user, image.id);
    const [id, signature] = tokenOf(link.url).split(".") as [string, string];
    const variants = [`${signature}~`, `${signature.slice(0, 5)}~${signature.slice(5)}`, `${signature}==`];
    const accepted: string[] = [];
    for (const variant of variants) {
      const res = await openToken(`${id}.${variant}`);
      if (res.status !== 404) accepted.push(`${variant} → ${res.status}`);
    }
    expect(accepted).toEqual([]);
  });

  it("answers 404 to another link's id carrying this link's signature", async () => {
    const { user, image } = await enterpriseWithImage(png);
    const a = await createOk(user, image.id);
    const b = await createOk(user, image.id);
    const [, signatureA] = tokenOf(a.url).split(".") as [string, string];
    await expectProblem(await openToken(`${linkIdOf(b.url)}.${signatureA}`), 404);
    expect((await api.openLink(a.url)).status).toBe(200);
    expect((await api.openLink(b.url)).status).toBe(200);
  });

  it("answers 404 to an unknown but well-formed link id, signed or not, and to malformed tokens", async () => {
    const { user, image } = await enterpriseWithImage(png);
    const link = await createOk(user, image.id);
    const [, signature] = tokenOf(link.url).split(".") as [string, string];
    const unknown = randomUUID();
    await expectProblem(await openToken(`${unknown}.${signature}`), 404);
    await expectProblem(await openToken(signLinkId(unknown, env().LINK_SIGNING_KEY)), 404);
    for (const token of ["nothing-here", linkIdOf(link.url), `${linkIdOf(link.url)}.`, `.${signature}`]) {
      await expectProblem(await openToken(token), 404);
    }
  });

  it("answers 410 once the owner is downgraded to a plan without expiring links", async () => {
    const { user, image } = await enterpriseWithImage(png);
    const link = await createOk(user, image.id);
    await setUserPlan(user.email, "Premium");
    await expectProblem(await api.openLink(link.url), 410);
  });

  it("answers 410 once the owner is deactivated", async () => {
    const { user, image } = await enterpriseWithImage(png);
    const link = await createOk(user, image.id);
    await setActive(user.id, false);
    await expectProblem(await api.openLink(link.url), 410);
  });
});

const BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/** The same string with one base64url character replaced by its neighbour (lowest bit flipped). */
function changeChar(text: string, position: number): string {
  const index = BASE64URL.indexOf(text.charAt(position));
  if (index < 0) throw new Error(`not base64url: ${text}`);
  return text.slice(0, position) + BASE64URL.charAt(index ^ 1) + text.slice(position + 1);
}
