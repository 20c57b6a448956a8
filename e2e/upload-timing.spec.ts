import { writeFile, mkdir } from "node:fs/promises";
import path from "node:path";
import { photoLikeJpeg } from "../tests/support/fixtures";
import { E2E } from "./config";
import { createUserOnPlan, DROPZONE, expect, imageCount, signIn, test, waitForHydration } from "./helpers";

/**
 * What a person sees after dropping a phone photo (a 12 MP JPEG) on the gallery: its row in the
 * upload list at once, then its tile with the placeholder painted, then the thumbnail itself.
 * The times from the drop are measured in the page and reported (as annotations and in
 * test-results/upload-timing.json), never compared with a threshold: speed lives in `npm run bench`.
 */
const run = Date.now().toString(36);
const member = { email: `timing-${run}@e2e.example.com`, password: "timing-password-1" };
const DROPS = 3;

type Marks = { listed: number; tile: number; placeholderAtTile: boolean; thumbnail: number; done: number };

test.beforeAll(async ({ browser }) => {
  const page = await browser.newPage();
  await signIn(page, E2E.staff.email, E2E.staff.password, "/admin/users");
  await createUserOnPlan(page, member, "Premium");
  await page.close();
});

test("a dropped 12 MP photo is listed at once, then tiled with its placeholder, then shows its thumbnail", async ({
  page,
}, testInfo) => {
  // 12 MP, of a texture that compresses to 1.6 MB: under the e2e server's 2 MB limit (E2E.maxUploadBytes).
  const photo = await photoLikeJpeg(4000, 3000, 85, 24);
  expect(photo.length).toBeLessThan(E2E.maxUploadBytes);
  await signIn(page, member.email, member.password);
  await waitForHydration(page, DROPZONE);
  const runs: Marks[] = [];
  for (let i = 0; i < DROPS; i++) {
    const name = `photo-${i}.jpg`;
    // Dropped and watched from inside the page, so the times are the page's own (every frame).
    const marks = await page.evaluate(
      ({ base64, name, dropzone }) =>
        new Promise<Marks>((resolve) => {
          const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
          const files = new DataTransfer();
          files.items.add(new File([bytes], name, { type: "image/jpeg" }));
          const zone = document.querySelector(dropzone);
          const seen: Partial<Marks> = {};
          const start = performance.now();
          const watch = () => {
            const now = performance.now() - start;
            const item = [...document.querySelectorAll('[data-testid="upload-item"]')].find((el) =>
              el.textContent?.includes(`Name for ${name}`),
            );
            if (item && seen.listed === undefined) seen.listed = now;
            if (item?.textContent?.includes("Done") && seen.done === undefined) seen.done = now;
            const tile = [...document.querySelectorAll('[data-testid="image-tile"]')].find((el) =>
              el.textContent?.includes(name),
            );
            const img = tile?.querySelector("img");
            if (img && seen.tile === undefined) {
              seen.tile = now;
              seen.placeholderAtTile = img.complete || getComputedStyle(img).backgroundImage.startsWith('url("data:');
            }
            if (img?.complete && img.naturalWidth > 0 && seen.thumbnail === undefined) seen.thumbnail = now;
            if (seen.thumbnail !== undefined && seen.done !== undefined) resolve(seen as Marks);
            else requestAnimationFrame(watch);
          };
          zone?.dispatchEvent(new DragEvent("dragover", { dataTransfer: files, bubbles: true, cancelable: true }));
          zone?.dispatchEvent(new DragEvent("drop", { dataTransfer: files, bubbles: true, cancelable: true }));
          requestAnimationFrame(watch);
        }),
      { base64: photo.toString("base64"), name, dropzone: DROPZONE },
    );
    // The order a person sees: listed, then a tile painted with its placeholder, then its pixels.
    expect(marks.listed).toBeLessThanOrEqual(marks.tile);
    expect(marks.placeholderAtTile).toBe(true);
    expect(marks.tile).toBeLessThanOrEqual(marks.thumbnail);
    runs.push(marks);
  }
  expect(await imageCount(page)).toBe(DROPS);

  const median = (key: "listed" | "tile" | "thumbnail" | "done") =>
    Math.round(runs.map((r) => r[key]).sort((a, b) => a - b)[Math.floor(runs.length / 2)] ?? NaN);
  const report = {
    file: `4000×3000 JPEG, ${(photo.length / 1e6).toFixed(1)} MB`,
    drops: DROPS,
    median_ms: { listed: median("listed"), tile: median("tile"), thumbnail: median("thumbnail"), done: median("done") },
    runs,
  };
  for (const [mark, value] of Object.entries(report.median_ms))
    testInfo.annotations.push({ type: `drop to ${mark} (median ms)`, description: String(value) });
  await mkdir("test-results", { recursive: true });
  await writeFile(path.join("test-results", "upload-timing.json"), JSON.stringify(report, null, 2));
  console.log(`drop → listed / tile / thumbnail / done, median of ${DROPS} (${report.file}):`, report.median_ms);
});
