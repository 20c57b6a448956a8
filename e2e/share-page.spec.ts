import type { APIRequestContext, Page } from "@playwright/test";
import { E2E } from "./config";
import { DISPLAYED, orientedJpeg } from "../tests/support/fixtures";
import {
  createUserOnPlan,
  expect,
  imageFile,
  naturalSizes,
  signIn,
  signInForApi,
  test,
  uploadThroughApi,
} from "./helpers";

/**
 * A temp link's share page (`page_url`), as a signed-out visitor and a chat app's unfurler see it:
 * the image, its name, a download button, the Open Graph tags; a 410 page once revoked.
 */
const run = Date.now().toString(36);
const enterprise = { email: `share-ent-${run}@e2e.example.com`, password: "enterprise-password-1" };
// Markup and quotes in the name: the page must show it as text, never run it.
const NAME = `Café 日本 <script>alert(1)</script> & "quotes"`;

let api: APIRequestContext;

test.beforeAll(async ({ browser, playwright }) => {
  const page = await browser.newPage();
  await signIn(page, E2E.staff.email, E2E.staff.password, "/admin/users");
  await createUserOnPlan(page, enterprise, "Enterprise");
  await page.context().clearCookies();
  api = await signInForApi(page, playwright.request, enterprise, "share pages");
  await page.close();
});

test.afterAll(async () => {
  await api.dispose();
});

const metaContent = (page: Page, key: string) =>
  page.locator(`head meta[property="${key}"], head meta[name="${key}"]`).getAttribute("content");

test("a signed-out visitor opens an Enterprise user's share page: image, name, download, unfurl tags; 410 once revoked", async ({
  browser,
}) => {
  // Stored 600×400 with EXIF orientation 7: shown upright, 400×600, as the Image JSON says.
  const file = imageFile("portrait.jpg", await orientedJpeg(7, "portrait"));
  const uploaded = await uploadThroughApi(api, NAME, file);
  expect(uploaded.status()).toBe(201);
  const image = (await uploaded.json()) as { id: string; width: number; height: number };
  expect([image.width, image.height]).toEqual([DISPLAYED.portrait.width, DISPLAYED.portrait.height]);
  const created = await api.post("/api/v1/temp-links", { data: { image_id: image.id, alive_duration: 600 } });
  expect(created.status()).toBe(201);
  const link = (await created.json()) as { url: string; page_url: string };
  expect(link.page_url).toBe(link.url.replace("/l/", "/s/"));

  const visitor = await browser.newContext();
  const page = await visitor.newPage();
  const dialogs: string[] = [];
  page.on("dialog", async (dialog) => {
    dialogs.push(dialog.message());
    await dialog.dismiss();
  });
  const opened = await page.goto(link.page_url);
  expect(opened?.status()).toBe(200);
  expect(opened?.headers()["x-robots-tag"]).toBe("noindex");
  expect(opened?.headers()["referrer-policy"]).toBe("no-referrer");
  // No sign-in asked for.
  await expect(page).toHaveURL(link.page_url);

  // The image loads from /l/ under the page's CSP (the fixture fails the test on any violation).
  expect(await naturalSizes(page, "main img")).toEqual([[image.width, image.height]]);
  await expect(page.getByRole("img", { name: NAME })).toBeVisible();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(NAME);
  await expect(page).toHaveTitle(`${NAME} · Tiered Image Hosting`);
  await expect(page.locator("time")).toHaveText(/^expires in [89] min$/);
  expect(dialogs).toEqual([]);

  const download = page.getByRole("link", { name: "Download" });
  expect(await download.getAttribute("href")).toMatch(/download=1$/);
  const [saved] = await Promise.all([page.waitForEvent("download"), download.click()]);
  expect(saved.suggestedFilename()).toBe("Café 日本 _script_alert(1)_script_ & _quotes_.jpg");

  // What a chat app reads to unfurl the link.
  expect(await metaContent(page, "og:title")).toBe(NAME);
  expect(await metaContent(page, "og:type")).toBe("website");
  expect(await metaContent(page, "og:image")).toBe(link.url);
  expect(await metaContent(page, "og:image:type")).toBe("image/jpeg");
  expect(await metaContent(page, "og:image:width")).toBe(String(image.width));
  expect(await metaContent(page, "og:image:height")).toBe(String(image.height));
  expect(await metaContent(page, "twitter:card")).toBe("summary_large_image");
  expect(await metaContent(page, "twitter:image")).toBe(link.url);
  expect(await metaContent(page, "robots")).toBe("noindex");
  // The name's markup stayed text: the page has no script element at all.
  await expect(page.locator("script")).toHaveCount(0);

  const linkId = new URL(link.url).pathname.split("/")[2]?.split(".")[0] as string;
  expect((await api.delete(`/api/v1/temp-links/${linkId}`)).status()).toBe(204);
  const gone = await page.reload();
  expect(gone?.status()).toBe(410);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("This link has been revoked");
  await expect(page.locator("main img")).toHaveCount(0);
  await visitor.close();
});
