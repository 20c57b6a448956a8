import { CHROMIUM_ACCEPT } from "../tests/support/accept";
import { orientedJpeg } from "../tests/support/fixtures";
import { expect, imageFile, naturalSizes, signInForApi, test, uploadThroughApi } from "./helpers";
import { E2E } from "./config";

/**
 * Thumbnails by Accept, as clients really ask: Chromium's <img> on the image page gets AVIF,
 * a plain client (Accept: *\/*, as curl) gets the JPEG, and both show the same picture size.
 */
test("an <img> in Chromium gets AVIF; a client that names no image format gets the JPEG", async ({
  page,
  playwright,
}) => {
  const api = await signInForApi(page, playwright.request, E2E.staff, `formats ${Date.now()}`);
  try {
    const file = imageFile("landscape.jpg", await orientedJpeg(1, "landscape"));
    const uploaded = await uploadThroughApi(api, "formats", file);
    expect(uploaded.status()).toBe(201);
    const image = (await uploaded.json()) as { id: string; thumbnails: { height: number; url: string }[] };
    const first = image.thumbnails[0];
    expect(first).toBeDefined();
    // The upload's job makes the AVIF just after the 201; until it is stored, a browser's Accept
    // gets the JPEG (revalidated each time), and no AVIF is encoded on the request.
    await expect
      .poll(
        async () =>
          (await api.get(first?.url ?? "", { headers: { accept: CHROMIUM_ACCEPT } })).headers()["content-type"],
      )
      .toBe("image/avif");

    const served = page.waitForResponse((r) => r.url() === first?.url);
    await page.goto(`/images/${image.id}`);
    const response = await served;
    expect(response.status()).toBe(200);
    expect(response.headers()["content-type"]).toBe("image/avif");
    // Next adds its own request headers to Vary; caches must see Accept among them.
    const vary = (response.headers()["vary"] ?? "").split(",").map((h) => h.trim().toLowerCase());
    expect(vary).toContain("accept");
    const [[, shownHeight] = [0, 0]] = await naturalSizes(page, `img[src="${first?.url}"]`);
    expect(shownHeight).toBe(first?.height);

    const plain = await api.get(first?.url ?? "", { headers: { accept: "*/*" } });
    expect(plain.status()).toBe(200);
    expect(plain.headers()["content-type"]).toBe("image/jpeg");
    expect(plain.headers()["etag"]).not.toBe(response.headers()["etag"]);
  } finally {
    await api.dispose();
  }
});
