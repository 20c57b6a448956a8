import path from "node:path";
import {
  type APIRequest,
  type APIRequestContext,
  type BrowserContext,
  test as base,
  expect,
  type Locator,
  type Page,
} from "@playwright/test";
import { E2E } from "./config";

export { expect };

/** What the browser reported as blocked by a Content-Security-Policy, in every context of this worker. */
const violations: string[] = [];

async function watchCsp(context: BrowserContext) {
  // Chromium logs each violation to the console; the DOM event adds the directive and the source.
  await context.addInitScript(() =>
    document.addEventListener("securitypolicyviolation", (e) =>
      console.error(
        `CSP violation: ${e.effectiveDirective} blocked ${e.blockedURI || "inline"} (${e.sourceFile}:${e.lineNumber})`,
      ),
    ),
  );
  context.on("console", (message) => {
    const url = message.page()?.url() ?? "?";
    // A media URL opened as a document is Chromium's own image viewer, which styles itself and is
    // refused by the media's `default-src 'none'`: not the app's markup, so not counted.
    if (/^https?:\/\/[^/]+\/(l|api)\//.test(url)) return;
    if (/Content Security Policy|CSP violation/.test(message.text())) violations.push(`${url}: ${message.text()}`);
  });
}

/**
 * Every spec's `test`: any CSP violation in any page (the `page` fixture's, or a context a spec
 * makes with `browser.newContext()`/`newPage()`) fails the test it happened in (or the first test
 * after a beforeAll). A test that provokes one on purpose asserts and empties `cspViolations`.
 */
export const test = base.extend<{ cspViolations: string[] }>({
  browser: [
    async ({ browser }, use) => {
      const newContext = browser.newContext.bind(browser);
      browser.newContext = async (options) => {
        const context = await newContext(options);
        await watchCsp(context);
        return context;
      };
      await use(browser);
    },
    { scope: "worker" },
  ],
  cspViolations: [
    // Playwright needs the destructuring pattern even when a fixture uses no other fixture.
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      await use(violations);
      const found = violations.splice(0);
      expect(found, "Content-Security-Policy violations in the browser console").toEqual([]);
    },
    { auto: true },
  ],
});

export async function signIn(page: Page, email: string, password: string, path_ = "/") {
  await page.goto(path_);
  await expect(page).toHaveURL(/\/sign-in/);
  await page.getByLabel("E-mail").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

/**
 * The admin table row whose row header (the user's e-mail or the plan's name) is `name`. Found by
 * the header, not by the row's accessible name: naming whole rows (each with a plan select and its
 * options) takes Playwright seconds per poll on a table of a few hundred users.
 */
export function tableRow(page: Page, name: string): Locator {
  return page.getByRole("row").filter({ has: page.getByRole("rowheader", { name, exact: true }) });
}

/** Creates an API token on the account page (signed in, on /account) and returns it, as shown once. */
export async function createToken(page: Page, name: string): Promise<string> {
  await page.getByLabel("Token name").fill(name);
  await page.getByRole("button", { name: "Create token" }).click();
  const token = ((await page.getByTestId("new-token").locator("code").textContent()) ?? "").trim();
  expect(token).toMatch(/^tih_/);
  return token;
}

/** A JSON API client that authenticates with the token. */
export function apiWithToken(request: APIRequest, token: string): Promise<APIRequestContext> {
  return request.newContext({ baseURL: E2E.baseUrl, extraHTTPHeaders: { Authorization: `Bearer ${token}` } });
}

export type Credentials = { email: string; password: string };

/**
 * Staff creates `user` on `plan` (a plan's name) with the admin area's New user form: `page` is
 * signed in as staff and on /admin/users. Resolves once the user's row is listed.
 */
export async function createUserOnPlan(page: Page, user: Credentials, plan: string): Promise<void> {
  await expect(page).toHaveURL(/\/admin\/users$/);
  const form = page.getByRole("form", { name: "New user" });
  await form.getByLabel("E-mail").fill(user.email);
  await form.getByLabel("Password").fill(user.password);
  await form.getByLabel("Plan").selectOption({ label: plan });
  await form.getByRole("button", { name: "Create user" }).click();
  await expect(tableRow(page, user.email)).toBeVisible();
}

/** Signs `user` in on `page` (signed out), creates a token named `tokenName` and returns a JSON API client with it. */
export async function signInForApi(
  page: Page,
  request: APIRequest,
  user: Credentials,
  tokenName: string,
): Promise<APIRequestContext> {
  await signIn(page, user.email, user.password, "/account");
  await expect(page).toHaveURL(/\/account$/);
  return apiWithToken(request, await createToken(page, tokenName));
}

/** Uploads `file` under `name` through the JSON API, as an integration does (multipart). */
export function uploadThroughApi(
  api: APIRequestContext,
  name: string,
  file: { name: string; bytes: Buffer; type: string },
) {
  return api.post("/api/v1/images", {
    multipart: { name, image: { name: file.name, mimeType: file.type, buffer: file.bytes } },
  });
}

/** The gallery's upload area. */
export const DROPZONE = '[data-testid="dropzone"]';

/**
 * Waits until React has attached its handlers to the element (hydration): a server-rendered
 * drop zone is visible before it, and an event dispatched then is lost.
 */
export async function waitForHydration(page: Page, selector: string) {
  await page.waitForFunction(
    (sel) => Object.keys(document.querySelector(sel) ?? {}).some((key) => key.startsWith("__reactProps")),
    selector,
  );
}

/** Drops files on the upload area the way a browser does: a real DataTransfer with File objects. */
export async function dropFiles(page: Page, files: { name: string; bytes: Buffer; type: string }[]) {
  await waitForHydration(page, DROPZONE);
  const dataTransfer = await page.evaluateHandle(
    (list) => {
      const dt = new DataTransfer();
      for (const f of list) {
        const bytes = Uint8Array.from(atob(f.base64), (c) => c.charCodeAt(0));
        dt.items.add(new File([bytes], f.name, { type: f.type }));
      }
      return dt;
    },
    files.map((f) => ({ name: f.name, type: f.type, base64: f.bytes.toString("base64") })),
  );
  await page.dispatchEvent(DROPZONE, "dragover", { dataTransfer });
  await page.dispatchEvent(DROPZONE, "drop", { dataTransfer });
}

/** A generated image (tests/support/fixtures) as the browser sends it: a named, typed file. */
export function imageFile(name: string, bytes: Buffer) {
  return { name, bytes, type: name.endsWith(".png") ? "image/png" : "image/jpeg" };
}

/** Natural (decoded) sizes of the images matching a selector, once they have all loaded. */
export async function naturalSizes(page: Page, selector: string): Promise<[number, number][]> {
  await page.waitForFunction(
    (sel) => [...document.querySelectorAll<HTMLImageElement>(sel)].every((img) => img.complete && img.naturalWidth > 0),
    selector,
  );
  return page.$$eval(selector, (imgs) =>
    (imgs as HTMLImageElement[]).map((img) => [img.naturalWidth, img.naturalHeight] as [number, number]),
  );
}

export async function screenshot(page: Page, name: string) {
  // A modal covers the viewport: a full-page capture would draw it over only part of the page.
  const fullPage = (await page.locator("dialog[open]").count()) === 0;
  await page.screenshot({ path: path.join("test-results", "screenshots", `${name}.png`), fullPage });
}

/** How many images the signed-in user of `page` has (up to 100). */
export async function imageCount(page: Page): Promise<number> {
  const listed = (await (await page.request.get("/api/v1/images?limit=100")).json()) as { items: unknown[] };
  return listed.items.length;
}

/**
 * Loses the answer to the page's first upload completion: the server makes the image and answers
 * 201, the page only sees the connection reset. Returns the Idempotency-Keys the page sends when it
 * starts uploads, in order, so a test can check that its retry reused the key.
 */
export async function loseFirstCompletion(page: Page): Promise<string[]> {
  const keys: string[] = [];
  await page.route("**/api/v1/uploads", async (route) => {
    keys.push(route.request().headers()["idempotency-key"] ?? "");
    await route.continue();
  });
  let completions = 0;
  await page.route("**/api/v1/uploads/*/complete", async (route) => {
    if (++completions > 1) return route.continue();
    const answered = await route.fetch();
    expect(answered.status()).toBe(201);
    await route.abort("connectionreset");
  });
  return keys;
}
