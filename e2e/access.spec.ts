import { E2E } from "./config";
import { greyPng, rgbPng } from "../tests/support/fixtures";
import {
  apiWithToken,
  createToken,
  dropFiles,
  expect,
  imageCount,
  imageFile,
  loseFirstCompletion,
  signIn,
  tableRow,
  test,
  uploadThroughApi,
} from "./helpers";

const run = Date.now().toString(36);
const member = { email: `member-${run}@e2e.example.com`, password: "member-password-1" };
const enterprise = { email: `docs-ent-${run}@e2e.example.com`, password: "enterprise-password-1" };

test.beforeAll(async ({ browser }) => {
  // Staff makes an ordinary user (the default plan, Basic) and an Enterprise one through the admin area.
  const page = await browser.newPage();
  await signIn(page, E2E.staff.email, E2E.staff.password, "/admin/users");
  await expect(page).toHaveURL(/\/admin\/users$/);
  const form = page.getByRole("form", { name: "New user" });
  for (const who of [member, { ...enterprise, plan: "Enterprise" }]) {
    await form.getByLabel("E-mail").fill(who.email);
    await form.getByLabel("Password").fill(who.password);
    if ("plan" in who) await form.getByLabel("Plan").selectOption({ label: who.plan });
    await form.getByRole("button", { name: "Create user" }).click();
    await expect(tableRow(page, who.email)).toBeVisible();
  }
  await page.close();
});

test("a signed-out visitor is sent to sign-in and comes back to the page asked for", async ({ page }) => {
  await signIn(page, member.email, member.password, "/account");
  await expect(page).toHaveURL(/\/account$/);
  await expect(page.getByRole("heading", { name: "Plan: Basic" })).toBeVisible();
});

test("a wrong password is refused with a readable message", async ({ page }) => {
  await signIn(page, member.email, "not-the-password");
  await expect(page.getByRole("alert").filter({ hasText: "Wrong" })).toContainText("Wrong e-mail or password");
});

test("a user who is not staff cannot reach the admin area", async ({ page }) => {
  await signIn(page, member.email, member.password);
  await expect(page.getByRole("heading", { name: "Your images" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Users" })).toHaveCount(0);
  for (const path of ["/admin/users", "/admin/plans"]) {
    const res = await page.goto(path);
    expect(res?.status(), path).toBe(403);
    await expect(page.getByRole("heading", { name: "Staff only" })).toBeVisible();
    await expect(page.getByRole("heading", { name: /Users|Plans/ })).toHaveCount(0);
  }
});

test("too-large and non-image uploads show the server's reasons; the good file still goes in", async ({ page }) => {
  await signIn(page, member.email, member.password);
  await expect(page.getByRole("heading", { name: "Your images" })).toBeVisible();
  const tooLarge = Buffer.alloc(E2E.maxUploadBytes + 1024);
  tooLarge.set([0xff, 0xd8, 0xff, 0xe0]);
  const good = imageFile("rgb.png", await rgbPng());
  await dropFiles(page, [
    { name: "huge.jpg", bytes: tooLarge, type: "image/jpeg" },
    { name: "notes.png", bytes: Buffer.from("these are my notes, not a picture"), type: "image/png" },
    good,
  ]);
  // Uploads start on drop. The size is checked before sending (the server would refuse it too).
  await expect(page.getByRole("alert").filter({ hasText: "huge.jpg" })).toContainText("over your plan's 2 MB limit");
  await expect(page.getByRole("alert").filter({ hasText: "notes.png" })).toContainText("Only PNG and JPEG");
  const grid = page.getByRole("list", { name: "Images" });
  await expect(grid.getByRole("listitem")).toHaveCount(1);
  await expect(grid).toContainText(good.name);
  // The uploaded file stays listed as done until cleared; the failed ones stay until removed.
  await page.getByRole("button", { name: "Clear finished" }).click();
  await expect(page.getByTestId("upload-item")).toHaveCount(2);
});

test("an upload whose answer is lost on the way back is retried with the same Idempotency-Key and stored once", async ({
  page,
}) => {
  await signIn(page, member.email, member.password);
  await expect(page.getByRole("heading", { name: "Your images" })).toBeVisible();
  const before = await imageCount(page);
  const keys = await loseFirstCompletion(page);
  const file = imageFile("grey.png", await greyPng());
  await dropFiles(page, [file]);
  await expect(page.getByRole("alert").filter({ hasText: file.name })).toContainText("Network error");
  await page.getByRole("button", { name: `Retry ${file.name}` }).click();
  await expect(page.getByTestId("upload-item")).toContainText("Done");
  await page.getByRole("button", { name: "Clear finished" }).click();
  await expect(page.getByTestId("upload-item")).toHaveCount(0);

  expect(keys).toHaveLength(2);
  expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/);
  expect(keys[1]).toBe(keys[0]);
  expect(await imageCount(page)).toBe(before + 1);
});

test("the account page creates an API token that the JSON API accepts, and revokes it", async ({
  page,
  playwright,
}) => {
  await signIn(page, member.email, member.password, "/account");
  const api = await apiWithToken(playwright.request, await createToken(page, "e2e script"));
  expect((await api.get("/api/v1/images")).status()).toBe(200);
  await page.reload();
  await page.getByRole("button", { name: "Revoke token e2e script" }).click();
  await expect(page.getByRole("button", { name: "Revoke token e2e script" })).toHaveCount(0);
  expect((await api.get("/api/v1/images")).status()).toBe(401);
  await api.dispose();
});

test("the API docs page says what the reader's plan allows", async ({ page }) => {
  const facts = ["Thumbnail heights", "Original image", "Expiring links"];
  await signIn(page, member.email, member.password, "/docs");
  await expect(page).toHaveTitle("API docs · Tiered Image Hosting");
  const basic = page.getByRole("region", { name: "Your plan: Basic" });
  await expect(basic.getByRole("term")).toHaveText(facts);
  await expect(basic.getByRole("definition")).toHaveText(["200 px", "no", "no"]);
  await expect(basic.getByRole("link", { name: "Account page" })).toHaveAttribute("href", "/account");

  await page.context().clearCookies();
  await signIn(page, enterprise.email, enterprise.password, "/docs");
  const enterprisePlan = page.getByRole("region", { name: "Your plan: Enterprise" });
  await expect(enterprisePlan.getByRole("term")).toHaveText(facts);
  await expect(enterprisePlan.getByRole("definition")).toHaveText(["200 px, 400 px", "yes", "yes, 300–30000 s"]);
});

test("the API docs page renders the OpenAPI document with Scalar and tries it with the session or a pasted token", async ({
  page,
}) => {
  // Everything the page loads comes from this server: no CDN, fonts, telemetry or proxy.
  const elsewhere: string[] = [];
  page.on("request", (r) => {
    const url = new URL(r.url());
    if (/^(https?|wss?):$/.test(url.protocol) && url.origin !== E2E.baseUrl) elsewhere.push(r.url());
  });
  await signIn(page, member.email, member.password, "/account");
  const token = await createToken(page, "docs try-it");
  await page.goto("/docs");

  // Every operation of the served document is in Scalar's sidebar, which takes the reader to it
  // (Scalar renders operations as they come into view).
  const doc = (await (await page.request.get("/api/v1/openapi.json")).json()) as {
    openapi: string;
    paths: Record<string, Record<string, { summary?: string }>>;
  };
  expect(doc.openapi).toMatch(/^3\.1/);
  const methods = new Set(["get", "put", "post", "delete", "patch"]);
  const summaries = Object.values(doc.paths).flatMap((item) =>
    Object.entries(item).flatMap(([key, op]) => (methods.has(key) && op.summary ? [op.summary] : [])),
  );
  expect(summaries).toEqual(expect.arrayContaining(["Upload an image", "List your images"]));
  const sidebar = page.getByRole("complementary", { name: /^Sidebar for / });
  for (const summary of summaries) await expect(sidebar.getByRole("link", { name: summary }).first()).toBeVisible();
  await sidebar.getByRole("link", { name: "Upload an image" }).click();
  const upload = page.getByRole("region", { name: "Upload an image", exact: true });
  await expect(upload.getByRole("heading", { name: "Upload an image" })).toBeVisible();
  await sidebar.getByRole("link", { name: "List your images" }).click();
  const list = page.getByRole("region", { name: "List your images", exact: true });
  await expect(list.getByRole("heading", { name: "List your images" })).toBeVisible();

  // Test Request opens Scalar's client; Send goes straight to this origin with the session cookie.
  await list.getByRole("button", { name: /^Test Request/ }).click();
  const client = page.getByRole("dialog");
  const send = client.getByRole("button", { name: /^Send get request/ });
  const sent = () =>
    page.waitForResponse((r) => r.request().method() === "GET" && new URL(r.url()).pathname === "/api/v1/images");
  let [response] = await Promise.all([sent(), send.click()]);
  expect(new URL(response.url()).origin).toBe(E2E.baseUrl);
  expect(response.status()).toBe(200);
  expect(await response.request().headerValue("authorization")).toBeNull();
  expect(await response.request().headerValue("cookie")).toContain("authjs.session-token=");
  await expect(client.getByText("200 OK")).toBeVisible();
  await expect(client).toContainText('"next_cursor"');

  // A pasted token is sent as Bearer instead.
  await client.getByLabel("Bearer Token").fill(token);
  [response] = await Promise.all([sent(), send.click()]);
  expect(response.status()).toBe(200);
  expect(await response.request().headerValue("authorization")).toBe(`Bearer ${token}`);

  expect(elsewhere).toEqual([]);
});

test("the gallery loads further pages as it scrolls", async ({ page, playwright }) => {
  await signIn(page, member.email, member.password, "/account");
  const api = await apiWithToken(playwright.request, await createToken(page, "scroll test"));
  const png = imageFile("grey.png", await greyPng());
  const before = ((await (await api.get("/api/v1/images?limit=100")).json()) as { items: unknown[] }).items.length;
  for (let i = 0; i < 30; i++) {
    const res = await uploadThroughApi(api, `scroll ${i}`, png);
    expect(res.status()).toBe(201);
  }
  await api.dispose();

  await page.goto("/");
  const tiles = page.getByRole("list", { name: "Images" }).getByRole("listitem");
  await expect(tiles).toHaveCount(24); // the first page
  await tiles.last().scrollIntoViewIfNeeded();
  await page.mouse.wheel(0, 5000);
  await expect(tiles).toHaveCount(before + 30);
  await expect(tiles.first()).toContainText("scroll 29"); // newest first
});
