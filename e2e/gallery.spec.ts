import type { Locator, Page } from "@playwright/test";
import { E2E } from "./config";
import { orientedJpeg } from "../tests/support/fixtures";
import {
  createUserOnPlan,
  expect,
  imageFile,
  screenshot,
  signIn,
  signInForApi,
  test,
  uploadThroughApi,
} from "./helpers";

const run = Date.now().toString(36);
const member = { email: `gallery-${run}@e2e.example.com`, password: "gallery-password-1" };
/** Uploaded oldest first: the grid shows them newest first, i.e. in reverse. */
const NAMES = ["Alpine lake", "beach hut", "Canal at night", "dune", "Estuary", "fjord"];

test.beforeAll(async ({ browser, playwright }) => {
  const page = await browser.newPage();
  await signIn(page, E2E.staff.email, E2E.staff.password, "/admin/users");
  await createUserOnPlan(page, member, "Enterprise");
  await page.close();
  const context = await browser.newContext();
  const api = await signInForApi(await context.newPage(), playwright.request, member, "gallery spec");
  for (const [i, name] of NAMES.entries()) {
    const file = imageFile(`${name}.jpg`, await orientedJpeg(1, i % 2 ? "portrait" : "landscape"));
    expect((await uploadThroughApi(api, name, file)).status()).toBe(201);
  }
  await api.dispose();
  await context.close();
});

const grid = (page: Page) => page.getByRole("list", { name: "Images" });
const tileNames = (page: Page) => grid(page).getByTestId("image-tile").allTextContents();

/**
 * A modal: Tab goes round the dialog's own controls and never reaches the page behind it (which
 * is inert). Past the last control Chromium may leave focus on no element (the browser's own UI).
 */
async function expectFocusTrapped(page: Page, dialog: Locator) {
  const visited = new Set<string>();
  for (let i = 0; i < 12; i++) {
    await page.keyboard.press("Tab");
    const where = await dialog.evaluate((d) => {
      const active = document.activeElement;
      if (!active || active === document.body) return "nowhere";
      return d.contains(active)
        ? `inside: ${active.outerHTML.slice(0, 80)}`
        : `outside: ${active.outerHTML.slice(0, 80)}`;
    });
    expect(where).not.toMatch(/^outside/);
    visited.add(where);
  }
  // It went round: more than one control of the dialog had focus.
  expect([...visited].filter((w) => w.startsWith("inside")).length).toBeGreaterThan(1);
}

test("justified rows: every tile of a row is as high as the others, and full rows fill the width", async ({ page }) => {
  await page.setViewportSize({ width: 1100, height: 900 });
  await signIn(page, member.email, member.password);
  await expect(grid(page).getByTestId("image-tile")).toHaveCount(NAMES.length);
  const boxes = await grid(page)
    .getByTestId("image-tile")
    .evaluateAll((tiles) => tiles.map((t) => t.querySelector("div")!.getBoundingClientRect().toJSON() as DOMRect));
  const width = await grid(page).evaluate((ul) => ul.getBoundingClientRect().width);
  const rows = new Map<number, DOMRect[]>();
  for (const box of boxes) rows.set(Math.round(box.top), [...(rows.get(Math.round(box.top)) ?? []), box]);
  expect(rows.size).toBeGreaterThan(1);
  const ordered = [...rows.values()];
  for (const row of ordered) {
    for (const box of row) expect(Math.abs(box.height - (row[0] as DOMRect).height)).toBeLessThan(1.5);
    // The images keep their aspect ratio: landscape 3:2, portrait 2:3.
    for (const box of row) expect([1.5, 2 / 3].some((r) => Math.abs(box.width / box.height - r) < 0.03)).toBe(true);
  }
  for (const row of ordered.slice(0, -1)) {
    const used = row.reduce((sum, b) => sum + b.width, 0) + 8 * (row.length - 1);
    expect(Math.abs(used - width)).toBeLessThan(row.length * 2 + 2);
  }
  await screenshot(page, "gallery-justified");
});

test("the viewer: a tile opens the largest thumbnail over the grid; arrows move, Esc closes, Back closes", async ({
  page,
}) => {
  await signIn(page, member.email, member.password);
  const newest = [...NAMES].reverse();
  await grid(page).getByRole("link", { name: newest[1] }).click();
  const viewer = page.getByRole("dialog", { name: newest[1] });
  await expect(viewer).toBeVisible();
  await expect(viewer).toContainText(`2 of ${NAMES.length}`);
  const id = new URL(page.url()).searchParams.get("image");
  expect(id).toMatch(/^[0-9a-f-]{36}$/);
  // The plan's largest height (Enterprise: 400 px).
  await expect(viewer.locator("img")).toHaveAttribute("src", new RegExp(`/api/v1/images/${id}/thumbnails/400$`));
  await expect.poll(() => viewer.locator("img").evaluate((img: HTMLImageElement) => img.naturalHeight)).toBe(400);
  await screenshot(page, "gallery-viewer");
  await expectFocusTrapped(page, viewer);

  await page.keyboard.press("ArrowRight");
  await expect(page.getByRole("dialog", { name: newest[2] })).toBeVisible();
  await page.keyboard.press("ArrowLeft");
  await page.keyboard.press("ArrowLeft");
  await expect(page.getByRole("dialog", { name: newest[0] })).toBeVisible();
  await expect(page.getByRole("button", { name: "Previous image" })).toBeDisabled();
  await page.keyboard.press("Escape");
  await expect(page.getByRole("dialog")).toHaveCount(0);
  expect(new URL(page.url()).searchParams.get("image")).toBeNull();
  // Focus is back on the tile that opened the viewer.
  await expect(grid(page).getByRole("link", { name: newest[1] })).toBeFocused();

  // The URL names the open image; Back closes it, Forward opens it again.
  await grid(page).getByRole("link", { name: newest[3] }).click();
  await expect(page.getByRole("dialog", { name: newest[3] })).toBeVisible();
  await page.goBack();
  await expect(page.getByRole("dialog")).toHaveCount(0);
  await expect(grid(page)).toBeVisible();
  await page.goForward();
  await expect(page.getByRole("dialog", { name: newest[3] })).toBeVisible();
  // A shared URL opens straight into the viewer.
  await page.reload();
  await expect(page.getByRole("dialog", { name: newest[3] })).toBeVisible();
});

test("search and sort run on the server and live in the URL", async ({ page }) => {
  await signIn(page, member.email, member.password);
  await page.getByLabel("Search by name").fill("U");
  // Newest first: Estuary, dune, beach hut (names containing "u", any case).
  await expect.poll(() => tileNames(page)).toEqual(["Estuary", "dune", "beach hut"]);
  await expect.poll(() => new URL(page.url()).searchParams.get("q")).toBe("U");
  await page.getByLabel("Sort").selectOption({ label: "Name (A–Z)" });
  await expect.poll(() => tileNames(page)).toEqual(["beach hut", "dune", "Estuary"]);
  expect(new URL(page.url()).searchParams.get("sort")).toBe("name");

  // The state is in the URL: a reload (or a shared link) shows the same.
  await page.reload();
  await expect(page.getByLabel("Search by name")).toHaveValue("U");
  await expect(page.getByLabel("Sort")).toHaveValue("name");
  await expect.poll(() => tileNames(page)).toEqual(["beach hut", "dune", "Estuary"]);

  await page.getByLabel("Search by name").fill("");
  await page.getByLabel("Sort").selectOption({ label: "Oldest first" });
  await expect.poll(() => tileNames(page)).toEqual(NAMES);
  await page.getByLabel("Search by name").fill("nothing like this");
  await expect(page.getByText("No images named like")).toBeVisible();
});

test("select mode: click, shift-click a range, keyboard; bulk delete asks with the count and deletes exactly those", async ({
  page,
  browser,
  playwright,
}) => {
  // A user of its own: the other tests count this one's images.
  const deleter = { email: `bulk-${run}@e2e.example.com`, password: "bulk-password-1" };
  const staff = await browser.newPage();
  await signIn(staff, E2E.staff.email, E2E.staff.password, "/admin/users");
  await createUserOnPlan(staff, deleter, "Basic");
  await staff.close();
  const context = await browser.newContext();
  const api = await signInForApi(await context.newPage(), playwright.request, deleter, "bulk");
  for (const name of ["one", "two", "three", "four", "five"])
    await uploadThroughApi(api, name, imageFile(`${name}.jpg`, await orientedJpeg(1, "landscape")));

  await signIn(page, deleter.email, deleter.password);
  await page.getByRole("button", { name: "Select", exact: true }).click();
  // Newest first: five, four, three, two, one.
  await grid(page).getByRole("button", { name: "Select four" }).click();
  await grid(page)
    .getByRole("button", { name: "Select two" })
    .click({ modifiers: ["Shift"] });
  await expect(page.getByText("3 selected")).toBeVisible();
  // Keyboard: focus a tile and press Space.
  await grid(page).getByRole("button", { name: "Select one" }).focus();
  await page.keyboard.press("Space");
  await expect(page.getByText("4 selected")).toBeVisible();
  await grid(page).getByRole("button", { name: "Select one" }).press("Space");
  await expect(grid(page).getByRole("button", { name: "Select one" })).toHaveAttribute("aria-pressed", "false");

  await page.getByRole("button", { name: "Delete…" }).click();
  const confirm = page.getByRole("alertdialog", { name: "Delete 3 images?" });
  await expect(confirm).toBeVisible();
  await screenshot(page, "gallery-bulk-delete");
  await expectFocusTrapped(page, confirm);
  // Esc cancels and deletes nothing; the selection stays.
  await page.keyboard.press("Escape");
  await expect(confirm).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Delete…" })).toBeFocused();
  await expect(page.getByText("3 selected")).toBeVisible();
  await page.getByRole("button", { name: "Delete…" }).click();
  await confirm.getByRole("button", { name: "Delete 3 images" }).click();
  await expect(confirm).toHaveCount(0);
  await expect.poll(() => tileNames(page)).toEqual(["five", "one"]);
  const left = (await (await api.get("/api/v1/images")).json()) as { items: { name: string }[] };
  expect(left.items.map((i) => i.name)).toEqual(["five", "one"]);
  await api.dispose();
  await context.close();
});

test("tiles carry a srcset over the plan's heights: the browser takes the thumbnail a row needs, larger on sharp screens", async ({
  browser,
}) => {
  for (const [deviceScaleFactor, expected] of [
    [1, 200],
    [2, 400],
  ] as const) {
    const context = await browser.newContext({ deviceScaleFactor, viewport: { width: 1100, height: 900 } });
    const page = await context.newPage();
    await signIn(page, member.email, member.password);
    // The newest upload, fjord, is a portrait: 200 px high at 400 × 600's aspect in a 200 px row.
    const img = grid(page).getByRole("link", { name: "fjord" }).locator("img");
    await expect(img).toHaveAttribute("srcset", /\/thumbnails\/200 133w, .*\/thumbnails\/400 267w$/);
    await expect
      .poll(() => img.evaluate((el: HTMLImageElement) => el.currentSrc))
      .toMatch(new RegExp(`/thumbnails/${expected}$`));
    await context.close();
  }
});
