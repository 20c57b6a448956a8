import type { Page, Request } from "@playwright/test";
import { greyPng, rgbPng } from "../tests/support/fixtures";
import { E2E } from "./config";
import {
  createUserOnPlan,
  dropFiles,
  expect,
  imageCount,
  imageFile,
  loseFirstCompletion,
  signIn,
  test,
} from "./helpers";

/**
 * The gallery's upload panel: files go on drop, three at a time, are checked before sending, and
 * can be cancelled, retried (without a duplicate) and renamed after the upload.
 */
const run = Date.now().toString(36);
const member = { email: `uploader-${run}@e2e.example.com`, password: "uploader-password-1" };

test.beforeAll(async ({ browser }) => {
  const page = await browser.newPage();
  await signIn(page, E2E.staff.email, E2E.staff.password, "/admin/users");
  await createUserOnPlan(page, member, "Basic");
  await page.close();
});

test.beforeEach(async ({ page }) => {
  await signIn(page, member.email, member.password);
  await expect(page.getByRole("heading", { name: "Your images" })).toBeVisible();
});

/** The file's PUT to its upload URL (the disk storage's URL is on this server). */
const CONTENT_URL = "**/api/v1/uploads/*/content?*";

/** Holds every PUT of a file until `release()` (so the "Uploading" state can be seen). */
async function holdPuts(page: Page) {
  let release: () => void = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  let seen = 0;
  await page.route(CONTENT_URL, async (route) => {
    seen++;
    await held;
    // The browser may have aborted it meanwhile (Cancel): then there is nothing to continue.
    await route.continue().catch(() => {});
  });
  return { release, seen: () => seen };
}

const item = (page: Page, fileName: string) =>
  page.getByTestId("upload-item").filter({ has: page.getByLabel(`Name for ${fileName}`) });

test("uploads start on drop, three at a time, with a percentage and a progress bar", async ({ page }) => {
  const puts = await holdPuts(page);
  const bytes = await greyPng();
  const files = ["first.png", "second.png", "third.png", "fourth.png"].map((name) => imageFile(name, bytes));
  await dropFiles(page, files);

  // No button to press: three go at once, the fourth waits.
  await expect(page.getByRole("button", { name: /^Upload \d+ files?$/ })).toHaveCount(0);
  await expect(page.getByTestId("upload-item")).toHaveCount(4);
  await expect.poll(puts.seen).toBe(3);
  for (const file of files.slice(0, 3)) {
    await expect(item(page, file.name)).toContainText(/Uploading \d+%/);
    const bar = page.getByRole("progressbar", { name: `Upload progress for ${file.name}` });
    await expect(bar).toBeVisible();
    await expect(bar).toHaveAttribute("aria-valuenow", /^\d+$/);
  }
  await expect(item(page, "fourth.png")).toContainText("Queued");

  puts.release();
  for (const file of files) await expect(item(page, file.name)).toContainText("Done");
  expect(puts.seen()).toBe(4);
  const grid = page.getByRole("list", { name: "Images" });
  for (const file of files) await expect(grid).toContainText(file.name);
  await expect(page.getByRole("status").filter({ hasText: "uploaded" })).toHaveText("4 of 4 uploaded");

  // Done items stay listed until cleared.
  await page.getByRole("button", { name: "Clear finished" }).click();
  await expect(page.getByTestId("upload-item")).toHaveCount(0);
});

test("a file over the plan's limit or of the wrong type fails at once and is never sent", async ({ page }) => {
  const created: string[] = [];
  page.on("request", (r: Request) => {
    if (r.method() === "POST" && new URL(r.url()).pathname === "/api/v1/uploads")
      created.push((r.postDataJSON() as { name: string }).name);
  });
  const tooLarge = Buffer.alloc(E2E.maxUploadBytes + 512 * 1024); // 2.5 MB against 2 MB
  tooLarge.set([0xff, 0xd8, 0xff, 0xe0]);
  const good = imageFile("fine.png", await rgbPng());
  await dropFiles(page, [
    { name: "huge.jpg", bytes: tooLarge, type: "image/jpeg" },
    { name: "notes.txt", bytes: Buffer.from("not a picture"), type: "text/plain" },
    good,
  ]);

  await expect(page.getByRole("alert").filter({ hasText: "huge.jpg" })).toContainText(
    "2.5 MB is over your plan's 2 MB limit",
  );
  await expect(page.getByRole("alert").filter({ hasText: "notes.txt" })).toContainText("Only PNG and JPEG");
  for (const name of ["huge.jpg", "notes.txt"]) {
    await expect(item(page, name)).toContainText("Failed");
    // Sending it again could not change the answer: only Remove.
    await expect(page.getByRole("button", { name: `Retry ${name}` })).toHaveCount(0);
  }

  // Once the good file is in, every request the page made has been seen: only the good file's.
  await expect(item(page, good.name)).toContainText("Done");
  expect(created).toEqual([good.name]);

  await page.getByRole("button", { name: "Remove huge.jpg" }).click();
  await expect(page.getByTestId("upload-item")).toHaveCount(2);
});

test("a failed upload is retried with its Idempotency-Key and stored once", async ({ page }) => {
  const before = await imageCount(page);
  const keys = await loseFirstCompletion(page);
  const file = imageFile("retried.png", await greyPng());
  await dropFiles(page, [file]);

  await expect(page.getByRole("alert").filter({ hasText: file.name })).toContainText("Network error");
  await expect(item(page, file.name)).toContainText("Failed");
  await page.getByRole("button", { name: `Retry ${file.name}` }).click();
  await expect(item(page, file.name)).toContainText("Done");

  expect(keys).toHaveLength(2);
  expect(keys[1]).toBe(keys[0]);
  expect(await imageCount(page)).toBe(before + 1);
  const tiles = page.getByRole("list", { name: "Images" }).getByRole("listitem").filter({ hasText: file.name });
  await expect(tiles).toHaveCount(1);
});

test("an uploaded image is renamed from its name field, and the grid follows", async ({ page }) => {
  const file = imageFile("rename-me.png", await greyPng());
  await dropFiles(page, [file]);
  await expect(item(page, file.name)).toContainText("Done");
  const grid = page.getByRole("list", { name: "Images" });
  await expect(grid).toContainText(file.name);

  const name = page.getByLabel(`Name for ${file.name}`);
  const renames: string[] = [];
  page.on("request", (r) => {
    if (r.method() === "PATCH") renames.push((r.postDataJSON() as { name: string }).name);
  });

  // A name the API would refuse is refused here, without a request.
  await name.fill("   ");
  await name.press("Enter");
  await expect(item(page, file.name)).toContainText("name must not be empty");

  await name.fill(`Pier ${run}`);
  await name.press("Enter");
  await expect(item(page, file.name)).toContainText("Saved");
  await expect(grid).toContainText(`Pier ${run}`);
  await expect(grid).not.toContainText(file.name);

  // Leaving the field saves too.
  await name.fill(`Pier at dusk ${run}`);
  await name.blur();
  await expect(grid).toContainText(`Pier at dusk ${run}`);
  await expect(item(page, file.name)).toContainText("Saved");
  expect(renames).toEqual([`Pier ${run}`, `Pier at dusk ${run}`]);

  // Stored, not just shown.
  const listed = (await (await page.request.get("/api/v1/images?limit=100")).json()) as { items: { name: string }[] };
  expect(listed.items.map((i) => i.name)).toContain(`Pier at dusk ${run}`);
});

test("cancelling an upload during its PUT removes it, and no image is made", async ({ page }) => {
  const before = await imageCount(page);
  const completes: string[] = [];
  page.on("request", (r) => {
    if (/\/api\/v1\/uploads\/[^/]+\/complete$/.test(new URL(r.url()).pathname)) completes.push(r.url());
  });
  const puts = await holdPuts(page);
  const file = imageFile("cancelled.png", await greyPng());
  await dropFiles(page, [file]);
  await expect.poll(puts.seen).toBe(1);
  await expect(item(page, file.name)).toContainText("Uploading");

  await page.getByRole("button", { name: `Cancel ${file.name}` }).click();
  await expect(page.getByTestId("upload-item")).toHaveCount(0);
  puts.release();

  // A later upload goes through: by then a completion of the cancelled one would have shown.
  await page.unrouteAll({ behavior: "ignoreErrors" });
  const other = imageFile("after-cancel.png", await greyPng());
  await dropFiles(page, [other]);
  await expect(item(page, other.name)).toContainText("Done");
  expect(completes).toHaveLength(1);
  expect(await imageCount(page)).toBe(before + 1);
  await expect(page.getByRole("list", { name: "Images" })).not.toContainText(file.name);
});
