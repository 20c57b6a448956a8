import { randomUUID } from "node:crypto";
import { eq, inArray } from "drizzle-orm";
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { getDb } from "@/db/client";
import { expiringLinks, images, users } from "@/db/schema";
import { createApiToken, listApiTokens, revokeApiToken } from "@/lib/accounts/api-tokens";
import { resetPassword } from "@/lib/admin/manage-users";
import { setUserPlan } from "@/lib/accounts/users";
import * as imageRoute from "@/app/api/v1/images/route";
import * as imageItemRoute from "@/app/api/v1/images/[id]/route";
import * as originalRoute from "@/app/api/v1/images/[id]/original/route";
import * as thumbnailRoute from "@/app/api/v1/images/[id]/thumbnails/[height]/route";
import * as tempLinksRoute from "@/app/api/v1/temp-links/route";
import { DISPLAYED, orientedJpeg, rgbaPng } from "../support/fixtures";
import {
  api,
  BASE,
  bodyBytes,
  call,
  expectProblem,
  imageRowsOf,
  makePlan,
  makeUser,
  SESSION_COOKIE,
  sessionCookie,
  setActive,
  storedHeights,
  storedKeys,
  uploadOk,
  type ImageBody,
  type TestUser,
  JPEG_FORMATS,
} from "./harness";

const jpeg = await orientedJpeg(1, "landscape"); // 600×400
const png = await rgbaPng(); // 32×32 RGBA

// ---------------------------------------------------------------------------------------------
// The matrix: what the owner of an image gets on each media route, per plan. Written out by hand
// from the product's plan definitions, not computed from the code under test.
// ---------------------------------------------------------------------------------------------

const ROUTES = ["thumbnails/100", "thumbnails/200", "thumbnails/300", "thumbnails/400", "original"] as const;
type RouteKey = (typeof ROUTES)[number];

const PLANS = ["Basic", "Premium", "Enterprise", "Custom {100, 300, original}"] as const;
type PlanKey = (typeof PLANS)[number];

const EXPECTED: Record<PlanKey, Record<RouteKey, 200 | 403>> = {
  Basic: {
    "thumbnails/100": 403,
    "thumbnails/200": 200,
    "thumbnails/300": 403,
    "thumbnails/400": 403,
    original: 403,
  },
  Premium: {
    "thumbnails/100": 403,
    "thumbnails/200": 200,
    "thumbnails/300": 403,
    "thumbnails/400": 200,
    original: 200,
  },
  Enterprise: {
    "thumbnails/100": 403,
    "thumbnails/200": 200,
    "thumbnails/300": 403,
    "thumbnails/400": 200,
    original: 200,
  },
  "Custom {100, 300, original}": {
    "thumbnails/100": 200,
    "thumbnails/200": 403,
    "thumbnails/300": 200,
    "thumbnails/400": 403,
    original: 200,
  },
};

/** Calls one media route with whatever credentials are given (a token, or none). */
function fetchRoute(route: RouteKey, token: string | null, imageId: string, headers?: Record<string, string>) {
  if (route === "original") return api.original(token, imageId, headers);
  return api.thumbnail(token, imageId, route.slice("thumbnails/".length), headers);
}

/** Asserts a 200 media response: the right bytes for the original, the right pixel size for a thumbnail. */
async function expectServed(
  res: Response,
  route: RouteKey,
  source: { bytes: Buffer; width: number; height: number; type: string },
) {
  const text = res.status === 200 ? "" : await res.clone().text();
  expect(res.status, text).toBe(200);
  expect(res.headers.get("content-type")).toBe(source.type);
  const bytes = await bodyBytes(res);
  if (route === "original") {
    expect(bytes.equals(source.bytes)).toBe(true);
    return;
  }
  const height = Number(route.slice("thumbnails/".length));
  const meta = await sharp(bytes).metadata();
  expect({ width: meta.width, height: meta.height }).toEqual({
    width: (source.width * height) / source.height,
    height,
  });
}

const JPEG_SOURCE = { bytes: jpeg, ...DISPLAYED.landscape, type: "image/jpeg" };

let customPlanName: Promise<string> | undefined;
function customPlan(): Promise<string> {
  customPlanName ??= makePlan({ heights: [100, 300], originalLink: true }).then((p) => p.name);
  return customPlanName;
}

const fixtures = new Map<PlanKey, Promise<{ owner: TestUser; image: ImageBody }>>();
/** One owner per plan with one uploaded JPEG; the matrix only reads, so the tests share them. */
function fixture(plan: PlanKey) {
  let f = fixtures.get(plan);
  if (!f) {
    f = (async () => {
      const planName = plan.startsWith("Custom") ? await customPlan() : plan;
      const owner = await makeUser(planName);
      return { owner, image: await uploadOk(owner, jpeg, `matrix ${plan}`) };
    })();
    fixtures.set(plan, f);
  }
  return f;
}

let allAccessPlanName: Promise<string> | undefined;
/** A plan that includes every route of the matrix, so a 404 cannot be a disguised 403. */
function allAccessPlan(): Promise<string> {
  allAccessPlanName ??= makePlan({ heights: [100, 200, 300, 400], originalLink: true, expiringLinks: true }).then(
    (p) => p.name,
  );
  return allAccessPlanName;
}

describe("media authorization matrix", () => {
  describe.each(PLANS)("the owner on %s", (plan) => {
    it.each(ROUTES.map((route) => [route, EXPECTED[plan][route]] as const))(
      "GET %s answers %i",
      async (route, status) => {
        const { owner, image } = await fixture(plan);
        const res = await fetchRoute(route, owner.token, image.id);
        if (status === 200) await expectServed(res, route, JPEG_SOURCE);
        else await expectProblem(res, 403);
      },
    );
  });

  it.each(ROUTES)(
    "GET %s of someone else's image (or of none) answers 404, whatever the caller's plan",
    async (route) => {
      const outsiders = [await makeUser(await allAccessPlan()), await makeUser("Basic")];
      for (const plan of PLANS) {
        const { image } = await fixture(plan);
        for (const outsider of outsiders) await expectProblem(await fetchRoute(route, outsider.token, image.id), 404);
      }
      const { owner } = await fixture("Custom {100, 300, original}");
      await expectProblem(await fetchRoute(route, owner.token, randomUUID()), 404);
    },
  );

  it.each(ROUTES)("GET %s without credentials answers 401 and serves nothing", async (route) => {
    const { image } = await fixture("Enterprise");
    const problem = await expectProblem(await fetchRoute(route, null, image.id), 401);
    expect(problem.detail).not.toContain(image.id);
    // A missing image is no different from an existing one to an anonymous caller.
    await expectProblem(await fetchRoute(route, null, randomUUID()), 401);
  });

  it.each(ROUTES)("GET %s with an invalid bearer token answers 401", async (route) => {
    const { owner, image } = await fixture("Enterprise");
    const forged = `tih_${"A".repeat(43)}`;
    for (const token of [forged, "not-a-token", owner.token.slice(0, -1)]) {
      const res = await fetchRoute(route, token, image.id);
      await expectProblem(res, 401);
      expect(res.headers.get("www-authenticate")).toMatch(/^Bearer/);
    }
    // A malformed Authorization header is not silently treated as "no credentials, try the cookie".
    await expectProblem(await fetchRoute(route, null, image.id, { authorization: `Basic ${owner.token}` }), 401);
  });
});

describe("plan changes take effect on the very next request", () => {
  it("downgrading Premium → Basic forbids the 400 px thumbnail and the original at once, and the Image shows only [200]", async () => {
    const user = await makeUser("Premium");
    const image = await uploadOk(user, jpeg);
    await expectServed(await api.thumbnail(user.token, image.id, 400), "thumbnails/400", JPEG_SOURCE);
    await expectServed(await api.original(user.token, image.id), "original", JPEG_SOURCE);

    await setUserPlan(user.email, "Basic");

    await expectProblem(await api.thumbnail(user.token, image.id, 400), 403);
    await expectProblem(await api.original(user.token, image.id), 403);
    await expectServed(await api.thumbnail(user.token, image.id, 200), "thumbnails/200", JPEG_SOURCE);
    const res = await api.get(user.token, image.id);
    expect(res.status).toBe(200);
    const body = (await res.json()) as ImageBody;
    expect(body.thumbnails).toEqual([
      { height: 200, width: 300, url: `${BASE}/api/v1/images/${image.id}/thumbnails/200`, formats: JPEG_FORMATS },
    ]);
    expect(body.original).toBeNull();
    // The list (whose one statement reads the plan with the page) shows the same at once.
    const listed = (await (await api.list(user.token)).json()) as { items: ImageBody[] };
    expect(listed.items).toEqual([body]);
  });

  it("a downgrade also binds a signed-in browser: the session cookie carries no plan", async () => {
    const user = await makeUser("Premium");
    const image = await uploadOk(user, jpeg);
    const cookie = await sessionCookie(user.id);
    expect(
      (await cookieGet(originalRoute.GET, `/api/v1/images/${image.id}/original`, cookie, { id: image.id })).status,
    ).toBe(200);

    await setUserPlan(user.email, "Basic");

    await expectProblem(
      await cookieGet(originalRoute.GET, `/api/v1/images/${image.id}/original`, cookie, { id: image.id }),
      403,
    );
    await expectProblem(
      await cookieGet(thumbnailRoute.GET, `/api/v1/images/${image.id}/thumbnails/400`, cookie, {
        id: image.id,
        height: "400",
      }),
      403,
    );
  });

  it("upgrading Basic → custom {100, 300} serves the new heights on demand, at the right pixel size", async () => {
    const plan = await makePlan({ heights: [100, 300] });
    const user = await makeUser("Basic");
    const image = await uploadOk(user, jpeg);
    const pngImage = await uploadOk(user, png, "tiny");
    await expectProblem(await api.thumbnail(user.token, image.id, 100), 403);
    await expectProblem(await api.thumbnail(user.token, image.id, 300), 403);
    expect(await storedHeights(image.id)).toEqual([200]);

    await setUserPlan(user.email, plan.name);

    await expectServed(await api.thumbnail(user.token, image.id, 300), "thumbnails/300", JPEG_SOURCE);
    await expectServed(await api.thumbnail(user.token, image.id, 100), "thumbnails/100", JPEG_SOURCE);
    const again = await api.thumbnail(user.token, image.id, 300);
    const meta = await sharp(await bodyBytes(again)).metadata();
    expect([meta.width, meta.height]).toEqual([450, 300]);
    // 200 px left the plan: its stored variant is no longer served.
    await expectProblem(await api.thumbnail(user.token, image.id, 200), 403);
    await expectProblem(await api.original(user.token, image.id), 403);
    expect(await storedHeights(image.id)).toEqual([100, 200, 300]);

    const body = (await (await api.get(user.token, image.id)).json()) as ImageBody;
    expect(body.thumbnails.map((t) => [t.height, t.width])).toEqual([
      [100, 150],
      [300, 450],
    ]);
    expect(body.original).toBeNull();

    // A 32 px PNG is never upscaled: both heights serve it at its own size, still a PNG.
    for (const height of [100, 300]) {
      const res = await api.thumbnail(user.token, pngImage.id, height);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe("image/png");
      const m = await sharp(await bodyBytes(res)).metadata();
      expect([m.format, m.width, m.height]).toEqual(["png", 32, 32]);
    }
  });
});

describe("accounts and tokens are checked on every request", () => {
  it("a deactivated user gets 401 on the next request, by token and by session cookie", async () => {
    const user = await makeUser("Premium");
    const image = await uploadOk(user, jpeg);
    const cookie = await sessionCookie(user.id);
    expect((await api.thumbnail(user.token, image.id, 200)).status).toBe(200);
    expect(
      (await cookieGet(originalRoute.GET, `/api/v1/images/${image.id}/original`, cookie, { id: image.id })).status,
    ).toBe(200);

    await setActive(user.id, false);

    await expectProblem(await api.thumbnail(user.token, image.id, 200), 401);
    await expectProblem(await api.original(user.token, image.id), 401);
    await expectProblem(
      await cookieGet(originalRoute.GET, `/api/v1/images/${image.id}/original`, cookie, { id: image.id }),
      401,
    );
    await expectProblem(
      await cookieGet(thumbnailRoute.GET, `/api/v1/images/${image.id}/thumbnails/200`, cookie, {
        id: image.id,
        height: "200",
      }),
      401,
    );

    await setActive(user.id, true);
    expect((await api.thumbnail(user.token, image.id, 200)).status).toBe(200);
  });

  it("a revoked token answers 401 while the user's other token keeps working", async () => {
    const user = await makeUser("Premium");
    const image = await uploadOk(user, jpeg);
    const second = await createApiToken(user.id, "second");
    expect((await api.original(second.token, image.id)).status).toBe(200);

    await revokeApiToken(user.id, second.record.id);

    await expectProblem(await api.original(second.token, image.id), 401);
    await expectProblem(await api.thumbnail(second.token, image.id, 200), 401);
    await expectServed(await api.original(user.token, image.id), "original", JPEG_SOURCE);

    // And the other way round: revoking the first leaves a fresh one working.
    const third = await createApiToken(user.id, "third");
    const first = (await listApiTokens(user.id)).find((t) => t.name === "tests");
    expect(first).toBeDefined();
    await revokeApiToken(user.id, (first as { id: string }).id);
    await expectProblem(await api.thumbnail(user.token, image.id, 200), 401);
    expect((await api.thumbnail(third.token, image.id, 200)).status).toBe(200);
  });

  it("the image list refuses a revoked token, a deactivated user's and a deleted user's on the very next request, as it refuses an unknown token", async () => {
    const unknown = await api.list(`tih_${"A".repeat(43)}`);
    const refusal = await expectProblem(unknown, 401);
    expect(unknown.headers.get("www-authenticate")).toBe('Bearer error="invalid_token"');
    const expectRefused = async (token: string) => {
      const res = await api.list(token);
      expect(await expectProblem(res, 401)).toEqual(refusal);
      expect(res.headers.get("www-authenticate")).toBe('Bearer error="invalid_token"');
    };

    const user = await makeUser("Premium");
    await uploadOk(user, png);
    const second = await createApiToken(user.id, "second");
    expect((await api.list(second.token)).status).toBe(200);
    await revokeApiToken(user.id, second.record.id);
    await expectRefused(second.token);
    expect((await api.list(user.token)).status).toBe(200);

    await setActive(user.id, false);
    await expectRefused(user.token);
    await setActive(user.id, true);
    expect((await api.list(user.token)).status).toBe(200);

    await getDb().delete(users).where(eq(users.id, user.id));
    await expectRefused(user.token);
  });

  it("a bad token with a bad limit or cursor is told about the token (401) before the input (422)", async () => {
    const user = await makeUser();
    for (const query of ["?limit=0", "?cursor=not-a-cursor"]) {
      await expectProblem(await api.list(`tih_${"A".repeat(43)}`, query), 401);
      await expectProblem(await api.list("not-a-token", query), 401);
      await expectProblem(await api.list(user.token, query), 422);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Session cookies (next-auth JWT), and the Origin check that guards cookie-authenticated changes.
// ---------------------------------------------------------------------------------------------

describe("the image list by session cookie", () => {
  it("answers the same pages as by token, as the user's plan shows them", async () => {
    const plan = await makePlan({ heights: [100, 300], originalLink: true });
    const user = await makeUser(plan.name);
    const older = await uploadOk(user, jpeg, "older");
    const newer = await uploadOk(user, png, "newer");
    const cookie = await sessionCookie(user.id);
    const byCookie = async (query: string) =>
      (await call(imageRoute.GET, { path: `/api/v1/images${query}`, headers: { cookie } })).json();
    type Page = { items: ImageBody[]; next_cursor: string | null };

    const first = (await (await api.list(user.token, "?limit=1")).json()) as Page;
    expect(await byCookie("?limit=1")).toEqual(first);
    expect(first.items).toEqual([newer]);
    expect(first.items[0]?.thumbnails.map((t) => t.height)).toEqual([100, 300]);
    expect(first.items[0]?.original).toEqual({ url: `${BASE}/api/v1/images/${newer.id}/original` });

    const next = `?limit=1&cursor=${first.next_cursor}`;
    const second = (await (await api.list(user.token, next)).json()) as Page;
    expect(await byCookie(next)).toEqual(second);
    expect(second).toEqual({ items: [older], next_cursor: null });
  });
});

/** Origins a cookie-authenticated change must be refused from. */
const FOREIGN_ORIGINS = [
  ["no Origin", undefined],
  ["Origin: https://evil.example", "https://evil.example"],
  ["Origin: null", "null"],
] as const;

type Handler<P> = (request: Request, context: { params: Promise<P> }) => Promise<Response>;

function cookieGet<P>(handler: Handler<P>, path: string, cookie: string, params: P) {
  return call(handler, { path, headers: { cookie }, params });
}

function cookieCreateLink(cookie: string, body: unknown, origin?: string) {
  const headers: Record<string, string> = { cookie, "content-type": "application/json" };
  if (origin !== undefined) headers.origin = origin;
  return call(tempLinksRoute.POST, { method: "POST", path: "/api/v1/temp-links", headers, body: JSON.stringify(body) });
}

function cookieDeleteImage(cookie: string, id: string, origin?: string) {
  const headers: Record<string, string> = { cookie };
  if (origin !== undefined) headers.origin = origin;
  return call(imageItemRoute.DELETE, { method: "DELETE", path: `/api/v1/images/${id}`, headers, params: { id } });
}

async function linkRowsFor(imageId: string) {
  return getDb().select().from(expiringLinks).where(eq(expiringLinks.imageId, imageId));
}

describe("session cookie authentication", () => {
  it("a valid session cookie reads the user's media", async () => {
    const user = await makeUser("Premium");
    const image = await uploadOk(user, jpeg);
    const cookie = await sessionCookie(user.id);
    const thumb = await cookieGet(thumbnailRoute.GET, `/api/v1/images/${image.id}/thumbnails/200`, cookie, {
      id: image.id,
      height: "200",
    });
    await expectServed(thumb, "thumbnails/200", JPEG_SOURCE);
    await expectServed(
      await cookieGet(originalRoute.GET, `/api/v1/images/${image.id}/original`, cookie, { id: image.id }),
      "original",
      JPEG_SOURCE,
    );
    // Still only the owner: another user's session sees a 404.
    const other = await makeUser("Premium");
    await expectProblem(
      await cookieGet(originalRoute.GET, `/api/v1/images/${image.id}/original`, await sessionCookie(other.id), {
        id: image.id,
      }),
      404,
    );
  });

  it("a password reset ends the sessions signed in before it; a new sign-in works; tokens are separate", async () => {
    const staff = await makeUser("Basic", { isStaff: true });
    const user = await makeUser("Premium");
    const image = await uploadOk(user, jpeg);
    const path = `/api/v1/images/${image.id}/thumbnails/200`;
    const params = { id: image.id, height: "200" };
    const before = await sessionCookie(user.id);
    expect((await cookieGet(thumbnailRoute.GET, path, before, params)).status).toBe(200);

    await resetPassword(await staff.principal(), user.id, { password: "a brand new password" });
    await expectProblem(await cookieGet(thumbnailRoute.GET, path, before, params), 401);
    expect((await cookieGet(thumbnailRoute.GET, path, await sessionCookie(user.id), params)).status).toBe(200);
    expect((await api.thumbnail(user.token, image.id, 200)).status).toBe(200);
  });

  it("a cookie signed with another secret, a garbled cookie, or one for no such user answers 401", async () => {
    const user = await makeUser("Premium");
    const image = await uploadOk(user, jpeg);
    const params = { id: image.id, height: "200" };
    const path = `/api/v1/images/${image.id}/thumbnails/200`;
    const forged = await sessionCookie(user.id, "another-secret-entirely-".padEnd(48, "z"));
    await expectProblem(await cookieGet(thumbnailRoute.GET, path, forged, params), 401);
    const valid = await sessionCookie(user.id);
    await expectProblem(await cookieGet(thumbnailRoute.GET, path, `${valid.slice(0, -4)}AAAA`, params), 401);
    await expectProblem(await cookieGet(thumbnailRoute.GET, path, await sessionCookie(randomUUID()), params), 401);
    // Control: the same request with the genuine cookie works.
    expect((await cookieGet(thumbnailRoute.GET, path, valid, params)).status).toBe(200);
  });

  it.each(["%", "%zz", "%E0%A4%A", "a%"])(
    "a session cookie that is not valid percent-encoding (%s) is no session: 401, not 500",
    async (value) => {
      for (const name of [SESSION_COOKIE, `__Secure-${SESSION_COOKIE}`, `${SESSION_COOKIE}.0`]) {
        await expectProblem(
          await call(imageRoute.GET, { path: "/api/v1/images", headers: { cookie: `${name}=${value}` } }),
          401,
        );
      }
      // A bad cookie beside a good token changes nothing: the token decides.
      const user = await makeUser("Basic");
      const response = await call(imageRoute.GET, {
        path: "/api/v1/images",
        token: user.token,
        headers: { cookie: `${SESSION_COOKIE}=${value}` },
      });
      expect(response.status).toBe(200);
    },
  );

  it.each(FOREIGN_ORIGINS)(
    "a cookie-authenticated POST /api/v1/temp-links with %s answers 403 and creates nothing",
    async (_label, origin) => {
      const user = await makeUser("Enterprise");
      const image = await uploadOk(user, png);
      const cookie = await sessionCookie(user.id);
      await expectProblem(await cookieCreateLink(cookie, { image_id: image.id, alive_duration: 600 }, origin), 403);
      expect(await linkRowsFor(image.id)).toHaveLength(0);
    },
  );

  it.each(FOREIGN_ORIGINS)(
    "a cookie-authenticated DELETE /api/v1/images/{id} with %s answers 403 and deletes nothing",
    async (_label, origin) => {
      const user = await makeUser("Premium");
      const image = await uploadOk(user, png);
      const keysBefore = (await storedKeys()).filter((k) => k.includes(image.id));
      const cookie = await sessionCookie(user.id);
      await expectProblem(await cookieDeleteImage(cookie, image.id, origin), 403);
      expect((await imageRowsOf(user.id)).map((r) => r.id)).toEqual([image.id]);
      expect((await storedKeys()).filter((k) => k.includes(image.id))).toEqual(keysBefore);
      expect((await api.get(user.token, image.id)).status).toBe(200);
    },
  );

  it("a cookie-authenticated change from this site's own Origin succeeds", async () => {
    const user = await makeUser("Enterprise");
    const image = await uploadOk(user, png);
    const cookie = await sessionCookie(user.id);

    const created = await cookieCreateLink(cookie, { image_id: image.id, alive_duration: 600 }, BASE);
    expect(created.status, await created.clone().text()).toBe(201);
    expect(await linkRowsFor(image.id)).toHaveLength(1);

    const deleted = await cookieDeleteImage(cookie, image.id, BASE);
    expect(deleted.status).toBe(204);
    expect(
      await getDb()
        .select()
        .from(images)
        .where(inArray(images.id, [image.id])),
    ).toHaveLength(0);
    await expectProblem(await api.get(user.token, image.id), 404);
  });

  it("bearer-token requests need no Origin header", async () => {
    const user = await makeUser("Enterprise");
    const image = await uploadOk(user, png);
    const created = await api.createLink(user.token, { image_id: image.id, alive_duration: 600 });
    expect(created.status).toBe(201);
    expect(await linkRowsFor(image.id)).toHaveLength(1);
    expect((await api.delete(user.token, image.id)).status).toBe(204);
    expect(await imageRowsOf(user.id)).toHaveLength(0);
  });
});
