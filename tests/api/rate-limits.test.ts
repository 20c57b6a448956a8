import { randomUUID } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { resetEnvForTests } from "@/lib/env";
import { createPlan } from "@/lib/plans/create-plan";
import * as imageRoute from "@/app/api/v1/images/route";
import * as publicLinkRoute from "@/app/l/[token]/route";
import * as sharePageRoute from "@/app/s/[token]/route";
import { rgbaPng } from "../support/fixtures";
import { api, call, expectProblem, makeUser, uploadForm } from "./harness";

/** The route wrapper's limits: per user from the plan, per client IP on expiring links. */
const png = await rgbaPng();

async function userWith(requestsPerMinute: number, uploadsPerHour: number) {
  const plan = await createPlan({
    name: `Limits ${randomUUID().slice(0, 8)}`,
    heights: [200],
    requestsPerMinute,
    uploadsPerHour,
  });
  return makeUser(plan.name);
}

const openUnknownLink = (headers: Record<string, string> = {}) => {
  const token = `${randomUUID()}.bad`;
  return call(publicLinkRoute.GET, { path: `/l/${token}`, headers, params: { token } });
};

const openUnknownPage = (headers: Record<string, string> = {}) => {
  const token = `${randomUUID()}.bad`;
  return call(sharePageRoute.GET, { path: `/s/${token}`, headers, params: { token } });
};

function setTrustProxy(value: boolean) {
  if (value) process.env.TRUST_PROXY = "true";
  else delete process.env.TRUST_PROXY;
  resetEnvForTests();
}

afterEach(() => setTrustProxy(false));

describe("per-user limits from the plan", () => {
  it("counts requests per minute, says so in RateLimit-Policy/RateLimit, then answers 429 with Retry-After", async () => {
    const user = await userWith(3, 0);
    for (let remaining = 2; remaining >= 0; remaining--) {
      const res = await api.list(user.token);
      expect(res.status).toBe(200);
      expect(res.headers.get("RateLimit-Policy")).toBe('"minute";q=3;w=60');
      expect(res.headers.get("RateLimit")).toMatch(new RegExp(`^"minute";r=${remaining};t=([1-9]|[1-5]\\d|60)$`));
    }
    const refused = await api.list(user.token);
    const problem = await expectProblem(refused, 429);
    expect(problem.detail).toMatch(/minute/);
    expect(refused.headers.get("Retry-After")).toMatch(/^([1-9]|[1-5]\d|60)$/);
    expect(refused.headers.get("RateLimit")).toMatch(/^"minute";r=0;t=\d+$/);
    // Another user has a budget of their own.
    const other = await userWith(3, 0);
    expect((await api.list(other.token)).status).toBe(200);
  });

  it("counts uploads per hour on the upload operation only", async () => {
    const user = await userWith(100, 2);
    for (let remaining = 1; remaining >= 0; remaining--) {
      const res = await api.upload(user.token, uploadForm("limited", png));
      expect(res.status).toBe(201);
      expect(res.headers.get("RateLimit-Policy")).toBe('"minute";q=100;w=60, "upload";q=2;w=3600');
      expect(res.headers.get("RateLimit")).toMatch(
        new RegExp(`^"minute";r=\\d+;t=\\d+, "upload";r=${remaining};t=\\d+$`),
      );
    }
    const refused = await api.upload(user.token, uploadForm("limited", png));
    expect((await expectProblem(refused, 429)).detail).toMatch(/upload/);
    expect(Number(refused.headers.get("Retry-After"))).toBeGreaterThan(60);
    const list = await api.list(user.token);
    expect(list.status).toBe(200);
    expect(list.headers.get("RateLimit-Policy")).toBe('"minute";q=100;w=60');
  });

  it("sends no rate-limit fields when the plan is unlimited (0)", async () => {
    const user = await userWith(0, 0);
    for (let i = 0; i < 5; i++) {
      const res = await call(imageRoute.GET, { path: "/api/v1/images", token: user.token });
      expect(res.status).toBe(200);
      expect(res.headers.get("RateLimit-Policy")).toBeNull();
      expect(res.headers.get("RateLimit")).toBeNull();
    }
  });
});

describe("expiring links, per client IP", () => {
  it("answers 300 requests a minute per IP (TRUST_PROXY: the first X-Forwarded-For hop), then 429", async () => {
    setTrustProxy(true);
    const ip = `203.0.113.${Math.floor(Math.random() * 250)}`;
    for (let i = 0; i < 300; i++)
      expect((await openUnknownLink({ "x-forwarded-for": `${ip}, 10.0.0.1` })).status).toBe(404);
    const refused = await openUnknownLink({ "x-forwarded-for": ip });
    await expectProblem(refused, 429);
    expect(refused.headers.get("Retry-After")).toMatch(/^\d+$/);
    expect((await openUnknownLink({ "x-forwarded-for": "198.51.100.7" })).status).toBe(404);
  });

  it("without TRUST_PROXY, a client cannot pick a fresh key with X-Forwarded-For", async () => {
    // No guarded socket address here (no Next server): every caller is one "unknown" client.
    for (let i = 0; i < 300; i++) await openUnknownLink({ "x-forwarded-for": `192.0.2.${i % 250}` });
    await expectProblem(await openUnknownLink({ "x-forwarded-for": "198.51.100.99" }), 429);
  });
});

describe("share pages, per client IP", () => {
  it("count with the links themselves: 300 a minute from one IP between both, then a readable 429 page", async () => {
    setTrustProxy(true);
    const ip = `198.18.0.${Math.floor(Math.random() * 250)}`;
    for (let i = 0; i < 150; i++) {
      expect((await openUnknownLink({ "x-forwarded-for": ip })).status).toBe(404);
      const page = await openUnknownPage({ "x-forwarded-for": ip });
      expect(page.status).toBe(404);
      expect(page.headers.get("RateLimit")).toMatch(/^"minute";r=\d+;t=\d+$/);
    }
    const refused = await openUnknownPage({ "x-forwarded-for": ip });
    expect(refused.status).toBe(429);
    expect(refused.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(refused.headers.get("Retry-After")).toMatch(/^\d+$/);
    expect(await refused.text()).toContain("Too many requests");
    await expectProblem(await openUnknownLink({ "x-forwarded-for": ip }), 429);
    expect((await openUnknownPage({ "x-forwarded-for": "198.18.1.7" })).status).toBe(404);
  });
});
