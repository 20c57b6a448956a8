/**
 * The per-user and sign-in limits across two `next start` apps on one Redis: a client spreading
 * its requests over the apps gets one budget, not one per app — from each app's first request on.
 */
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createPlan } from "@/lib/plans/create-plan";
import { createUser } from "@/lib/accounts/users";
import { expectProblem, imageRows, makeUser, noisyJpeg, upload, useStack } from "./helpers";

const stack = useStack({ apps: 2, workers: 0 });

async function userWith(requestsPerMinute: number, uploadsPerHour: number) {
  const plan = await createPlan({
    name: `Stack limits ${randomUUID().slice(0, 8)}`,
    heights: [200],
    requestsPerMinute,
    uploadsPerHour,
  });
  return makeUser(plan.name);
}

/** `"name";r=N;t=S` of one policy in a RateLimit field (draft-ietf-httpapi-ratelimit-headers). */
function remainingOf(field: string | null, policy: string): number {
  const match = new RegExp(`"${policy}";r=(\\d+);t=(\\d+)`).exec(field ?? "");
  if (!match) throw new Error(`no "${policy}" policy in RateLimit: ${field}`);
  return Number(match[1]);
}

type Tally = { ok: number; refused: number };
const tally = (): Tally[] => [
  { ok: 0, refused: 0 },
  { ok: 0, refused: 0 },
];

describe("stack: 2 apps share their limits on Redis", () => {
  // First in the file: these are the first requests each app process counts, made while its
  // Redis connection may still be opening.
  it("a freshly started app counts its first requests in the shared budget, not in its own memory", async () => {
    const { appUrls } = stack();
    const user = await userWith(4, 0);
    const statuses: number[] = [];
    const remaining: number[] = [];
    for (let i = 0; i < 6; i++) {
      const res = await fetch(`${appUrls[i % 2]}/api/v1/images`, {
        headers: { authorization: `Bearer ${user.token}` },
      });
      await res.arrayBuffer();
      statuses.push(res.status);
      if (res.status === 200) remaining.push(remainingOf(res.headers.get("RateLimit"), "minute"));
    }
    console.log(`requests per minute 4 over 2 fresh apps (A, B, A, …): ${statuses.join(" ")}`);
    expect(statuses).toEqual([200, 200, 200, 200, 429, 429]);
    expect(remaining).toEqual([3, 2, 1, 0]);
  });

  it("requests per minute: 20 in all over both apps, then 429 on either, one remaining count", async () => {
    const { appUrls } = stack();
    const user = await userWith(20, 0);
    const perApp = tally();
    const remaining: number[] = [];
    for (let i = 0; i < 20; i++) {
      const app = i % 2;
      const res = await fetch(`${appUrls[app]}/api/v1/images`, { headers: { authorization: `Bearer ${user.token}` } });
      expect(res.status, `request ${i} on app ${app}: ${await res.text()}`).toBe(200);
      perApp[app]!.ok++;
      expect(res.headers.get("RateLimit-Policy")).toBe('"minute";q=20;w=60');
      remaining.push(remainingOf(res.headers.get("RateLimit"), "minute"));
    }
    // One budget: each answer, whichever app gave it, has one fewer left than the one before.
    expect(remaining).toEqual(Array.from({ length: 20 }, (_, i) => 19 - i));

    for (let i = 0; i < 4; i++) {
      const app = i % 2;
      const res = await fetch(`${appUrls[app]}/api/v1/images`, { headers: { authorization: `Bearer ${user.token}` } });
      const retryAfter = res.headers.get("Retry-After");
      const field = res.headers.get("RateLimit");
      expect((await expectProblem(res, 429)).detail).toMatch(/"minute" limit/);
      perApp[app]!.refused++;
      expect(retryAfter).toMatch(/^([1-9]|[1-5]\d|60)$/);
      expect(field).toMatch(/^"minute";r=0;t=([1-9]|[1-5]\d|60)$/);
    }
    console.log(`requests per minute 20 over 2 apps: ${JSON.stringify(perApp)}`);
    expect(perApp).toEqual([
      { ok: 10, refused: 2 },
      { ok: 10, refused: 2 },
    ]);
  });

  it("uploads per hour: 3 created in all over both apps, the 4th refused on either, 3 rows", async () => {
    const { appUrls } = stack();
    const user = await userWith(0, 3);
    const perApp = tally();
    const remaining: number[] = [];
    for (let i = 0; i < 5; i++) {
      const app = i % 2;
      const res = await upload(appUrls[app] as string, user.token, await noisyJpeg(64, 48), `limited ${i}`);
      if (i < 3) {
        expect(res.status, `upload ${i} on app ${app}: ${await res.text()}`).toBe(201);
        perApp[app]!.ok++;
        expect(res.headers.get("RateLimit-Policy")).toBe('"upload";q=3;w=3600');
        remaining.push(remainingOf(res.headers.get("RateLimit"), "upload"));
      } else {
        const retryAfter = Number(res.headers.get("Retry-After"));
        expect((await expectProblem(res, 429)).detail).toMatch(/"upload" limit/);
        perApp[app]!.refused++;
        expect(retryAfter).toBeGreaterThan(60);
        expect(retryAfter).toBeLessThanOrEqual(3600);
      }
    }
    expect(remaining).toEqual([2, 1, 0]);
    console.log(`uploads per hour 3 over 2 apps: ${JSON.stringify(perApp)}`);
    expect(perApp).toEqual([
      { ok: 2, refused: 1 },
      { ok: 1, refused: 1 },
    ]);
    expect(await imageRows(user.id)).toHaveLength(3);
  });

  it("sign-in: failures on one app count on the other", async () => {
    const { appUrls } = stack();
    const email = `stack-sign-in-${randomUUID()}@example.com`;
    await createUser({ email, password: "password-123", planName: "Basic" });

    /** One Credentials sign-in through Auth.js; the `code` of its redirect (null when signed in). */
    async function signIn(appUrl: string, password: string): Promise<string | null> {
      const csrf = await fetch(`${appUrl}/api/auth/csrf`);
      const { csrfToken } = (await csrf.json()) as { csrfToken: string };
      const cookie = csrf.headers
        .getSetCookie()
        .map((c) => c.split(";")[0])
        .join("; ");
      const res = await fetch(`${appUrl}/api/auth/callback/credentials`, {
        method: "POST",
        redirect: "manual",
        headers: { "content-type": "application/x-www-form-urlencoded", cookie },
        body: new URLSearchParams({ csrfToken, email, password, callbackUrl: `${appUrl}/` }),
      });
      await res.arrayBuffer();
      expect(res.status).toBe(302);
      const location = new URL(res.headers.get("location") ?? "", appUrl);
      return location.searchParams.get("error") ? location.searchParams.get("code") : null;
    }

    // The per-(IP, e-mail) limit is 5 failures: 3 on app A and 2 on app B reach it together.
    const codes: (string | null)[] = [];
    for (let i = 0; i < 5; i++) codes.push(await signIn(appUrls[i % 2] as string, "wrong password"));
    expect(codes).toEqual(Array(5).fill("credentials"));
    // Now even the right password is refused, on both apps.
    expect(await signIn(appUrls[1] as string, "password-123")).toBe("too-many-attempts.15");
    expect(await signIn(appUrls[0] as string, "password-123")).toBe("too-many-attempts.15");
  });
});
