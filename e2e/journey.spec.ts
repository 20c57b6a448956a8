import type { Browser, BrowserContext, Page } from "@playwright/test";
import { DISPLAYED, orientedJpeg, rgbaPng } from "../tests/support/fixtures";
import { E2E } from "./config";
import { dropFiles, expect, imageFile, naturalSizes, screenshot, signIn, tableRow, test } from "./helpers";

/**
 * The product's main journey, in order: staff sets up a plan and a user; the user uploads and
 * sees exactly the plan's thumbnails; staff downgrades the user and access shrinks at once;
 * an Enterprise user shares an expiring link with a signed-out visitor, then revokes it.
 */
test.describe.configure({ mode: "serial" });

const run = Date.now().toString(36);
const planName = `Thumbs ${run}`;
const user = { email: `thumbs-${run}@e2e.example.com`, password: "user-password-1" };
const enterprise = { email: `ent-${run}@e2e.example.com`, password: "ent-password-1" };

let staffContext: BrowserContext;
let staff: Page;
let userContext: BrowserContext;
let userPage: Page;
let imageUrl = "";
let oldUrls: { t300: string; original: string };

async function signedIn(browser: Browser, who: { email: string; password: string }) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, who.email, who.password);
  await expect(page.getByRole("heading", { name: "Your images" })).toBeVisible();
  return { context, page };
}

test.afterAll(async () => {
  await staffContext?.close();
  await userContext?.close();
});

test("staff creates the plan Thumbs {100, 300, original} and a user on it", async ({ browser }) => {
  ({ context: staffContext, page: staff } = await signedIn(browser, E2E.staff));
  await staff.getByRole("link", { name: "Plans" }).click();
  await expect(staff.getByRole("heading", { name: "Plans", level: 1 })).toBeVisible();

  const form = staff.getByRole("form", { name: "New plan" });
  await form.getByLabel("Name").fill(planName);
  await form.getByLabel("Heights").fill("300, 100");
  await form.getByLabel("Original link").check();
  await form.getByRole("button", { name: "Create plan" }).click();
  const row = tableRow(staff, planName);
  await expect(row).toContainText("100 px, 300 px");
  await expect(row).toContainText("On"); // original link
  await screenshot(staff, "plans");

  await staff.getByRole("link", { name: "Users" }).click();
  await expect(staff.getByRole("heading", { name: "Users", level: 1 })).toBeVisible();
  const newUser = staff.getByRole("form", { name: "New user" });
  for (const who of [
    { ...user, plan: planName },
    { ...enterprise, plan: "Enterprise" },
  ]) {
    await newUser.getByLabel("E-mail").fill(who.email);
    await newUser.getByLabel("Password").fill(who.password);
    await newUser.getByLabel("Plan").selectOption({ label: who.plan });
    await newUser.getByRole("button", { name: "Create user" }).click();
    // The row's plan select shows the plan picked (the row's text lists every plan as an option).
    const planSelect = tableRow(staff, who.email).getByLabel(`Plan for ${who.email}`, { exact: true });
    await expect(planSelect.locator("option:checked")).toHaveText(who.plan);
  }
});

test("the user uploads a PNG and a JPEG by drag-and-drop and sees exactly the plan's thumbnails", async ({
  browser,
}) => {
  ({ context: userContext, page: userPage } = await signedIn(browser, user));
  await expect(userPage.getByText("No images yet")).toBeVisible();

  // The JPEG is stored on its side (EXIF orientation 5) and shows as 600×400.
  const png = imageFile("rgba.png", await rgbaPng());
  const jpeg = imageFile("Landscape_5.jpg", await orientedJpeg(5, "landscape"));
  await dropFiles(userPage, [png, jpeg]);
  await expect(userPage.getByTestId("upload-item")).toHaveCount(2);
  // The name defaults to the file name and can be edited while the upload goes (it starts on
  // drop): the edited name is sent, or applied by a rename once the image exists.
  const jpegName = userPage.getByLabel(`Name for ${jpeg.name}`);
  await expect(jpegName).toHaveValue(jpeg.name);
  await jpegName.fill("Harbour view");
  await jpegName.press("Enter");

  const grid = userPage.getByRole("list", { name: "Images" });
  await expect(grid.getByRole("listitem")).toHaveCount(2);
  await expect(grid).toContainText("Harbour view");
  await expect(grid).toContainText(png.name);
  await userPage.getByRole("button", { name: "Clear finished" }).click();
  await expect(userPage.getByTestId("upload-item")).toHaveCount(0);
  // Newest first, and still there after a reload (stored, not just shown).
  await userPage.reload();
  await expect(grid.getByRole("listitem").first()).toContainText(/Harbour view|rgba\.png/);
  await expect(grid.getByRole("listitem")).toHaveCount(2);
  // The grid's rows are 200 px high: of the plan's 100 and 300 px thumbnails the browser takes the
  // 300 px one for the landscape (srcset; naturalWidth would be in CSS pixels, so the URL says which).
  const harbour = grid.getByRole("link", { name: /Harbour view/ }).locator("img");
  await expect
    .poll(() => harbour.evaluate((img: HTMLImageElement) => img.complete && img.currentSrc))
    .toMatch(/\/thumbnails\/300$/);
  await screenshot(userPage, "gallery");

  // A tile opens the viewer over the gallery; its Details link goes to the image's page.
  await grid.getByRole("link", { name: /Harbour view/ }).click();
  await userPage.getByRole("dialog", { name: "Harbour view" }).getByRole("link", { name: "Details" }).click();
  await expect(userPage.getByRole("heading", { name: "Harbour view" })).toBeVisible();
  imageUrl = userPage.url();
  const thumbs = userPage.getByTestId("thumbnail");
  await expect(thumbs).toHaveCount(2);
  await expect(thumbs.nth(0)).toContainText("100 px");
  await expect(thumbs.nth(1)).toContainText("300 px");
  expect(await naturalSizes(userPage, '[data-testid="thumbnail"] img')).toEqual([
    [150, 100],
    [450, 300],
  ]);
  await expect(userPage.getByRole("link", { name: "Open original" })).toBeVisible();
  await screenshot(userPage, "image-page");

  oldUrls = {
    t300: (await userPage.getByRole("link", { name: "Open 300 px" }).getAttribute("href")) as string,
    original: (await userPage.getByRole("link", { name: "Open original" }).getAttribute("href")) as string,
  };
  const original = await userPage.request.get(oldUrls.original);
  expect(original.status()).toBe(200);
  expect(original.headers()["content-type"]).toBe("image/jpeg");
});

test("staff moves the user to Basic: only the 200 thumbnail remains and old links answer 403", async () => {
  await staff.reload();
  const select = staff.getByLabel(`Plan for ${user.email}`, { exact: true });
  await select.selectOption({ label: "Basic" });
  await staff.getByRole("button", { name: `Save plan for ${user.email}` }).click();
  await expect(tableRow(staff, user.email).getByText("Now on Basic.")).toBeVisible();
  await staff.reload();
  await expect(select.locator("option:checked")).toHaveText("Basic");

  await userPage.goto(imageUrl);
  const thumbs = userPage.getByTestId("thumbnail");
  await expect(thumbs).toHaveCount(1);
  await expect(thumbs).toContainText("200 px");
  expect(await naturalSizes(userPage, '[data-testid="thumbnail"] img')).toEqual([[300, 200]]);
  await expect(userPage.getByRole("link", { name: "Open original" })).toHaveCount(0);
  await expect(userPage.getByText("does not include the original image")).toBeVisible();

  for (const url of [oldUrls.t300, oldUrls.original]) {
    const res = await userPage.request.get(url);
    expect(res.status(), url).toBe(403);
    expect(res.headers()["content-type"]).toBe("application/problem+json");
  }
});

test("an Enterprise user shares an expiring link with a signed-out visitor, then revokes it", async ({ browser }) => {
  const { context, page } = await signedIn(browser, enterprise);
  // Stored 600×400 with EXIF orientation 7: the browser shows it upright, as 400×600.
  const portrait = imageFile("Portrait_7.jpg", await orientedJpeg(7, "portrait"));
  await page
    .getByLabel("Choose image files")
    .setInputFiles({ name: portrait.name, mimeType: portrait.type, buffer: portrait.bytes });
  await page
    .getByRole("list", { name: "Images" })
    .getByRole("link", { name: /Portrait_7/ })
    .click();
  await page
    .getByRole("dialog", { name: /Portrait_7/ })
    .getByRole("link", { name: "Details" })
    .click();

  // Validation speaks before the server is asked.
  const seconds = page.getByLabel("Expires after (seconds)");
  await seconds.fill("299");
  await page.getByRole("button", { name: "Create link" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "alive_duration" })).toContainText("from 300 to 30000");
  await page.getByRole("button", { name: "5 min" }).click();
  await expect(seconds).toHaveValue("300");
  await page.getByRole("button", { name: "Create link" }).click();
  const created = page.getByTestId("new-link");
  await expect(created).toBeVisible();
  const url = (await created.getByTestId("new-link-url").textContent()) as string;
  expect(url).toMatch(/\/l\/[0-9a-f-]{36}\.[A-Za-z0-9_-]+$/);
  // The page for people beside it: the same token under /s/.
  const pageUrl = (await created.getByTestId("new-link-page").getAttribute("href")) as string;
  expect(pageUrl).toBe(url.replace("/l/", "/s/"));
  await expect(page.getByRole("list", { name: "Live links" }).getByRole("listitem")).toHaveCount(1);

  const visitor = await browser.newContext();
  const visitorPage = await visitor.newPage();
  const opened = await visitorPage.goto(url);
  expect(opened?.status()).toBe(200);
  expect(opened?.headers()["content-type"]).toBe("image/jpeg");
  expect(await naturalSizes(visitorPage, "img")).toEqual([[DISPLAYED.portrait.width, DISPLAYED.portrait.height]]);
  const page_ = await visitorPage.goto(pageUrl);
  expect(page_?.status()).toBe(200);
  await expect(visitorPage.getByRole("heading", { name: /Portrait_7/ })).toBeVisible();

  await page.getByRole("list", { name: "Live links" }).getByRole("button", { name: "Revoke" }).click();
  await expect(page.getByText("No live links.")).toBeVisible();
  const after = await visitor.request.get(url);
  expect([404, 410]).toContain(after.status());
  expect((await visitor.request.get(pageUrl)).status()).toBe(410);
  await visitor.close();
  await context.close();
});
