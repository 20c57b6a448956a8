import { orientedJpeg } from "../tests/support/fixtures";
import { expect, imageFile, signInForApi, test, uploadThroughApi } from "./helpers";
import { E2E } from "./config";

/**
 * The image's ThumbHash is painted at once, before its thumbnail arrives, in the gallery and on
 * the image page, and goes once the thumbnail has loaded: no grey boxes.
 */
test("gallery tiles and the image page paint the placeholder until the thumbnail has loaded", async ({
  page,
  playwright,
}) => {
  const api = await signInForApi(page, playwright.request, E2E.staff, `placeholders ${Date.now()}`);
  try {
    const file = imageFile("portrait.jpg", await orientedJpeg(6, "portrait"));
    const uploaded = await uploadThroughApi(api, "placeholder", file);
    expect(uploaded.status()).toBe(201);
    const image = (await uploaded.json()) as { id: string; placeholder: string; thumbnails: { url: string }[] };
    expect(image.placeholder).toMatch(/^[A-Za-z0-9+/]+=*$/);

    // Hold the thumbnails back until the placeholder has been seen, on each page afresh.
    let release: () => void = () => {};
    let held = Promise.resolve();
    await page.route(`**/api/v1/images/${image.id}/thumbnails/**`, async (route) => {
      await held;
      await route.continue();
    });

    for (const path of ["/", `/images/${image.id}`]) {
      held = new Promise<void>((resolve) => (release = resolve));
      await page.goto(path, { waitUntil: "domcontentloaded" }); // "load" would wait for the held thumbnails
      const img = page.locator(`img[src^="${image.thumbnails[0]?.url}"]`).first();
      await expect(img).toHaveAttribute("data-placeholder", "shown");
      const background = await img.evaluate((el) => getComputedStyle(el).backgroundImage);
      expect(background).toMatch(/^url\("data:image\/png;base64,/);
      release();
      await expect(img).not.toHaveAttribute("data-placeholder", "shown");
      expect(await img.evaluate((el: HTMLImageElement) => el.naturalWidth)).toBeGreaterThan(0);
      expect(await img.evaluate((el) => getComputedStyle(el).backgroundImage)).toBe("none");
    }
  } finally {
    await api.dispose();
  }
});
