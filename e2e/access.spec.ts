import { expect, test } from "@playwright/test";
import { E2E } from "./config";
import { apiWithToken, corpusFile, createToken, dropFiles, signIn } from "./helpers";

const run = Date.now().toString(36);
const member = { email: `member-${run}@e2e.example.com`, password: "member-password-1" };

test.beforeAll(async ({ browser }) => {
  // Staff makes an ordinary user through the admin area.
  const page = await browser.newPage();
  await signIn(page, E2E.staff.email, E2E.staff.password, "/admin/users");
  await expect(page).toHaveURL(/\/admin\/users$/);
  const form = page.getByRole("form", { name: "New user" });
  await form.getByLabel("E-mail").fill(member.email);
  await form.getByLabel("Password").fill(member.password);
  await form.getByRole("button", { name: "Create user" }).click();
  await expect(page.getByRole("row", { name: new RegExp(member.email) })).toBeVisible();
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
    expect(res?.status(), path).toBe(404);
    await expect(page.getByRole("heading", { name: /Users|Plans/ })).toHaveCount(0);
  }
});

test("too-large and non-image uploads show the server's reasons; the good file still goes in", async ({ page }) => {
  await signIn(page, member.email, member.password);
  await expect(page.getByRole("heading", { name: "Your images" })).toBeVisible();
  const tooLarge = Buffer.alloc(E2E.maxUploadBytes + 1024);
  tooLarge.set([0xff, 0xd8, 0xff, 0xe0]);
  await dropFiles(page, [
    { name: "huge.jpg", bytes: tooLarge, type: "image/jpeg" },
    { name: "notes.png", bytes: Buffer.from("these are my notes, not a picture"), type: "image/png" },
    corpusFile("pngsuite/basn2c08.png", "image/png"),
  ]);
  await page.getByRole("button", { name: "Upload 3 files" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "huge.jpg" })).toContainText("larger than the limit");
  await expect(page.getByRole("alert").filter({ hasText: "notes.png" })).toContainText("Only PNG and JPEG");
  const grid = page.getByRole("list", { name: "Images" });
  await expect(grid.getByRole("listitem")).toHaveCount(1);
  await expect(grid).toContainText("basn2c08.png");
  await expect(page.getByTestId("upload-item")).toHaveCount(2);
});

test("the account page creates an API token that the JSON API accepts, and revokes it", async ({ page, playwright }) => {
  await signIn(page, member.email, member.password, "/account");
  const api = await apiWithToken(playwright.request, await createToken(page, "e2e script"));
  expect((await api.get("/api/v1/images")).status()).toBe(200);
  await page.reload();
  await page.getByRole("button", { name: "Revoke token e2e script" }).click();
  await expect(page.getByRole("button", { name: "Revoke token e2e script" })).toHaveCount(0);
  expect((await api.get("/api/v1/images")).status()).toBe(401);
  await api.dispose();
});

test("the API docs page documents every operation and sends a request with the session", async ({ page }) => {
  await signIn(page, member.email, member.password, "/docs");
  await expect(page).toHaveURL(/\/docs$/);
  const doc = (await (await page.request.get("/api/v1/openapi.json")).json()) as { openapi: string; paths: Record<string, object> };
  expect(doc.openapi).toMatch(/^3\.1/);
  const operations = Object.values(doc.paths).reduce((n, item) => n + Object.keys(item).length, 0);
  await expect(page.getByRole("article").filter({ has: page.getByRole("button", { name: /^Send / }) })).toHaveCount(operations);

  const list = page.getByRole("article", { name: "List your images" });
  await list.getByRole("button", { name: "Send GET" }).click();
  await expect(list.getByText("200 OK")).toBeVisible();
  await expect(list.getByLabel("Response body")).toContainText('"next_cursor"');
});

test("the gallery loads further pages as it scrolls", async ({ page, playwright }) => {
  await signIn(page, member.email, member.password, "/account");
  const api = await apiWithToken(playwright.request, await createToken(page, "scroll test"));
  const png = corpusFile("pngsuite/basn0g08.png", "image/png");
  const before = ((await (await api.get("/api/v1/images?limit=100")).json()) as { items: unknown[] }).items.length;
  for (let i = 0; i < 30; i++) {
    const res = await api.post("/api/v1/images", { multipart: { name: `scroll ${i}`, image: { name: png.name, mimeType: png.type, buffer: png.bytes } } });
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
