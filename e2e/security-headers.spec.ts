import type { Response } from "@playwright/test";
import { E2E } from "./config";
import { greyPng } from "../tests/support/fixtures";
import { createUserOnPlan, expect, imageFile, signIn, signInForApi, test, uploadThroughApi } from "./helpers";

const run = Date.now().toString(36);
const enterprise = { email: `headers-ent-${run}@e2e.example.com`, password: "enterprise-password-1" };

function nonceOf(csp: string): string {
  const nonce = /script-src [^;]*'nonce-([^']+)'/.exec(csp)?.[1];
  expect(nonce, csp).toBeTruthy();
  return nonce as string;
}

function expectPageHeaders(response: Response | null, path: string) {
  expect(response?.status(), path).toBe(200);
  const headers = response?.headers() ?? {};
  const csp = headers["content-security-policy"] ?? "";
  for (const directive of [
    "frame-ancestors 'none'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "'strict-dynamic'",
  ])
    expect(csp, path).toContain(directive);
  // The browser suite runs a production build: no eval.
  expect(csp, path).not.toContain("unsafe-eval");
  expect(headers["x-frame-options"], path).toBe("DENY");
  expect(headers["x-content-type-options"], path).toBe("nosniff");
  expect(headers["referrer-policy"], path).toBe("strict-origin-when-cross-origin");
  expect(headers["permissions-policy"], path).toMatch(
    /camera=\(\).*geolocation=\(\).*microphone=\(\).*payment=\(\).*usb=\(\)/,
  );
  // PUBLIC_URL is http in the suite.
  expect(headers["strict-transport-security"], path).toBeUndefined();
  return csp;
}

test("pages, API answers and expiring links carry the security headers; no page can be framed", async ({
  browser,
  page,
  playwright,
  cspViolations,
}) => {
  // Signed out: the sign-in page.
  const signInCsp = expectPageHeaders(await page.goto("/sign-in"), "/sign-in");

  // Staff: the gallery, the docs and the admin area, all under one policy (only the nonce differs).
  await signIn(page, E2E.staff.email, E2E.staff.password, "/admin/users");
  await expect(page).toHaveURL(/\/admin\/users$/);
  const csps = new Map<string, string>();
  for (const path of ["/", "/docs", "/admin/users"]) csps.set(path, expectPageHeaders(await page.goto(path), path));
  const withoutNonce = (csp: string) => csp.replace(/'nonce-[^']+'/, "'nonce'");
  expect(new Set([...csps.values(), signInCsp].map(withoutNonce)).size).toBe(1);

  // A fresh nonce per response, and every script the server rendered carries the one in its header
  // (the scripts those load later are trusted through 'strict-dynamic').
  const nonces = [...csps.values(), signInCsp].map(nonceOf);
  expect(new Set(nonces).size).toBe(nonces.length);
  const again = await page.request.get("/admin/users");
  const nonce = nonceOf(again.headers()["content-security-policy"] ?? "");
  const scripts = (await again.text()).match(/<script\b[^>]*>/g) ?? [];
  expect(scripts.length).toBeGreaterThan(0);
  for (const tag of scripts) expect(tag).toContain(`nonce="${nonce}"`);

  // API JSON: no CSP, but framing, sniffing and referrer headers.
  await createUserOnPlan(page, enterprise, "Enterprise");
  const entContext = await browser.newContext();
  const api = await signInForApi(await entContext.newPage(), playwright.request, enterprise, "headers");
  const png = imageFile("grey.png", await greyPng());
  const uploaded = await uploadThroughApi(api, "headers", png);
  expect(uploaded.status()).toBe(201);
  // Every API answer sets them itself (proxy.ts leaves /api/v1 alone): a list, an upload, a 405, a 404.
  const refused = await api.put("/api/v1/images", { multipart: { name: "x" } });
  expect(refused.status()).toBe(405);
  const unknown = await api.get("/api/v1/nothing-here");
  expect(unknown.status()).toBe(404);
  const answers = [uploaded, await api.get("/api/v1/images"), refused, unknown];
  for (const headers of answers.map((a) => a.headers())) {
    expect(headers["content-security-policy"]).toBeUndefined();
    expect(headers["x-frame-options"]).toBe("DENY");
    expect(headers["x-content-type-options"]).toBe("nosniff");
    expect(headers["referrer-policy"]).toBe("strict-origin-when-cross-origin");
  }

  // An expiring link: inert media that never sends a Referer.
  const { id } = (await uploaded.json()) as { id: string };
  const created = await api.post("/api/v1/temp-links", { data: { image_id: id, alive_duration: 300 } });
  expect(created.status()).toBe(201);
  const { url } = (await created.json()) as { url: string };
  const visitor = await browser.newContext();
  const link = await (await visitor.newPage()).goto(url);
  expect(link?.status()).toBe(200);
  expect(link?.headers()["referrer-policy"]).toBe("no-referrer");
  expect(link?.headers()["content-security-policy"]).toBe("default-src 'none'");
  expect(link?.headers()["x-frame-options"]).toBe("DENY");
  await api.dispose();
  await visitor.close();
  await entContext.close();

  // Another site that frames the staff admin gets an empty frame, while a frame of its own loads.
  const framer = "http://framer.example.test";
  await page.route(`${framer}/**`, (route) =>
    route.fulfill({
      contentType: "text/html",
      body: new URL(route.request().url()).pathname.startsWith("/inner")
        ? "<h1>Framed fine</h1>"
        : `<iframe title="inner" src="${framer}/inner"></iframe><iframe title="app" src="${E2E.baseUrl}/admin/users"></iframe>`,
    }),
  );
  await page.goto(`${framer}/`); // waits for both frames' load events
  await expect(page.frameLocator('iframe[title="inner"]').getByRole("heading", { name: "Framed fine" })).toBeVisible();
  const app = await (await page.locator('iframe[title="app"]').elementHandle())?.contentFrame();
  expect(app?.url(), "the refused frame shows the browser's error page").not.toBe(`${E2E.baseUrl}/admin/users`);
  await expect(page.frameLocator('iframe[title="app"]').getByRole("heading", { name: "Users" })).toHaveCount(0);
  // The refusal may be logged as a frame-ancestors violation: that one is expected, no other is.
  expect(cspViolations.splice(0).filter((v) => !v.includes("frame-ancestors"))).toEqual([]);
});
