import type { Page } from "@playwright/test";
import { E2E } from "./config";
import { createToken, createUserOnPlan, expect, screenshot, signIn, tableRow, test } from "./helpers";

/**
 * The app on a phone (360 px wide): no page scrolls sideways, the header keeps one line and its
 * navigation collapses into a menu button, the staff tables and the token table become cards whose
 * controls all fit, and the sign-in, 404 and "Staff only" pages work there too.
 */
const PHONE = { width: 360, height: 740 };
test.use({ viewport: PHONE });

const run = Date.now().toString(36);
const member = { email: `phone-${run}@e2e.example.com`, password: "phone-password-1" };

test.beforeAll(async ({ browser }) => {
  const page = await browser.newPage({ viewport: PHONE });
  await signIn(page, E2E.staff.email, E2E.staff.password, "/admin/users");
  await createUserOnPlan(page, member, "Basic");
  await page.close();
});

/** The app's own header (not a <header> inside a page, like the API docs' one). */
const appHeader = (page: Page) => page.locator("body > header");

/** Page width against the viewport's: equal unless something sticks out sideways. */
function scrollWidths(page: Page) {
  return page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    clientWidth: document.documentElement.clientWidth,
  }));
}

async function expectNoHorizontalScroll(page: Page, where: string) {
  await expect
    .poll(async () => {
      const { scrollWidth, clientWidth } = await scrollWidths(page);
      return scrollWidth <= clientWidth;
    }, `${where} scrolls sideways`)
    .toBe(true);
}

async function expectOneLineHeader(page: Page, where: string) {
  const box = await appHeader(page).boundingBox();
  expect(box, `${where}: header`).not.toBeNull();
  expect(box!.height, `${where}: header height`).toBeLessThan(64);
  expect(box!.width, `${where}: header width`).toBeLessThanOrEqual(PHONE.width);
}

/**
 * The visible controls (buttons, selects, inputs) under `selector` that are not wholly inside the
 * viewport's width, described for the failure message. Measured in one pass: the users table can
 * hold hundreds of rows.
 */
function controlsCutOff(page: Page, selector: string) {
  return page.evaluate((sel) => {
    const width = document.documentElement.clientWidth;
    return [...document.querySelectorAll<HTMLElement>(`${sel} :is(button, select, input)`)]
      .map((el) => ({ el, rect: el.getBoundingClientRect() }))
      .filter(({ rect }) => rect.width > 0 && rect.height > 0)
      .filter(({ rect }) => rect.left < 0 || rect.right > width)
      .map(
        ({ el, rect }) =>
          `${el.getAttribute("aria-label") ?? el.textContent?.trim() ?? el.tagName}: ${Math.round(rect.left)}–${Math.round(rect.right)} px`,
      );
  }, selector);
}

/** The staff pages, each with what shows it has rendered. */
const STAFF_PAGES = [
  { path: "/", name: "gallery", heading: "Your images" },
  { path: "/account", name: "account", heading: "Account" },
  { path: "/admin/users", name: "users", heading: "Users" },
  { path: "/admin/plans", name: "plans", heading: "Plans" },
  { path: "/docs", name: "docs", heading: "API docs" },
];

test("no page scrolls sideways and the header keeps one line", async ({ page }) => {
  await signIn(page, E2E.staff.email, E2E.staff.password);
  await expect(page.getByRole("heading", { name: "Your images" })).toBeVisible();
  for (const { path, name, heading } of STAFF_PAGES) {
    await page.goto(path);
    await expect(page.getByRole("heading", { name: heading, level: 1 })).toBeVisible();
    await expectOneLineHeader(page, path);
    if (path === "/docs") {
      // The reference below is Scalar's widget (third-party): only the page's own part is held to
      // the phone's width; the document's width is recorded for the report.
      const own = await page.getByRole("region", { name: /^Your plan: / }).boundingBox();
      expect(own!.x + own!.width, "/docs: the plan summary").toBeLessThanOrEqual(PHONE.width);
      const widths = await scrollWidths(page);
      test.info().annotations.push({ type: "docs width", description: JSON.stringify(widths) });
    } else {
      await expectNoHorizontalScroll(page, path);
    }
    await screenshot(page, `phone-${name}`);
  }
});

test("the menu button opens the navigation, whose links work; Escape and navigating close it", async ({ page }) => {
  await signIn(page, E2E.staff.email, E2E.staff.password);
  await expect(page.getByRole("heading", { name: "Your images" })).toBeVisible();
  const nav = page.getByRole("navigation", { name: "Main" });
  const menu = nav.getByRole("button", { name: "Menu" });
  await expect(menu).toHaveAttribute("aria-expanded", "false");
  const panelId = await menu.getAttribute("aria-controls");
  expect(panelId).toBeTruthy();
  const panel = page.locator(`[id="${panelId}"]`);
  await expect(panel).toBeHidden();
  await expect(nav.getByRole("link", { name: "Account" })).toBeHidden();

  await menu.click();
  await expect(menu).toHaveAttribute("aria-expanded", "true");
  await expect(panel).toBeVisible();
  for (const name of ["Gallery", "Account", "API docs", "Users", "Plans"])
    await expect(nav.getByRole("link", { name, exact: true })).toBeVisible();
  await expect(nav.getByRole("button", { name: "Sign out" })).toBeVisible();
  await expectOneLineHeader(page, "menu open"); // the panel opens over the page, below the header
  await screenshot(page, "phone-menu-open");

  await page.keyboard.press("Escape");
  await expect(menu).toHaveAttribute("aria-expanded", "false");
  await expect(panel).toBeHidden();
  await expect(menu).toBeFocused();

  for (const { link, url, heading } of [
    { link: "Account", url: /\/account$/, heading: "Account" },
    { link: "Users", url: /\/admin\/users$/, heading: "Users" },
    { link: "Plans", url: /\/admin\/plans$/, heading: "Plans" },
    { link: "API docs", url: /\/docs$/, heading: "API docs" },
    { link: "Gallery", url: /\/$/, heading: "Your images" },
  ]) {
    await menu.click();
    await nav.getByRole("link", { name: link, exact: true }).click();
    await expect(page).toHaveURL(url);
    await expect(page.getByRole("heading", { name: heading, level: 1 })).toBeVisible();
    await expect(menu).toHaveAttribute("aria-expanded", "false");
    await expect(panel).toBeHidden();
  }
});

test("on /admin/users every row is a card whose controls all fit the screen", async ({ page }) => {
  await signIn(page, E2E.staff.email, E2E.staff.password, "/admin/users");
  await expect(page.getByRole("heading", { name: "Users", level: 1 })).toBeVisible();
  const row = tableRow(page, member.email);
  await expect(row).toBeVisible();
  for (const name of [
    `Save plan for ${member.email}`,
    `Deactivate ${member.email}`,
    `Reset password for ${member.email}`,
  ]) {
    const box = await row.getByRole("button", { name }).boundingBox();
    expect(box, name).not.toBeNull();
    expect(box!.x, name).toBeGreaterThanOrEqual(0);
    expect(box!.x + box!.width, name).toBeLessThanOrEqual(PHONE.width);
  }
  // The password form opened inside the card fits too.
  await row.getByRole("button", { name: `Reset password for ${member.email}` }).click();
  await expect(row.getByLabel(`New password for ${member.email}`)).toBeVisible();
  expect(await controlsCutOff(page, "table")).toEqual([]);
  await expectNoHorizontalScroll(page, "/admin/users with a password form open");
  await screenshot(page, "phone-users-cards");
});

test("on /admin/plans every plan's buttons fit the screen", async ({ page }) => {
  await signIn(page, E2E.staff.email, E2E.staff.password, "/admin/plans");
  await expect(page.getByRole("heading", { name: "Plans", level: 1 })).toBeVisible();
  await expect(page.getByRole("button", { name: "Edit plan Basic", exact: true })).toBeVisible();
  expect(await controlsCutOff(page, "table")).toEqual([]);
});

test("on /account the token cards show Revoke whole", async ({ page }) => {
  await signIn(page, member.email, member.password, "/account");
  await expect(page).toHaveURL(/\/account$/);
  await createToken(page, "phone token");
  await page.reload();
  const revoke = page.getByRole("button", { name: "Revoke token phone token" });
  await expect(revoke).toBeVisible();
  await expect(revoke).toHaveText("Revoke");
  const box = await revoke.boundingBox();
  expect(box).not.toBeNull();
  expect(box!.x).toBeGreaterThanOrEqual(0);
  expect(box!.x + box!.width).toBeLessThanOrEqual(PHONE.width);
  expect(await controlsCutOff(page, "table")).toEqual([]);
  await expectNoHorizontalScroll(page, "/account with a token");
  await screenshot(page, "phone-account-tokens");
});

test("a failed sign-in keeps the e-mail, out of the URL, and the next try goes to the page asked for", async ({
  page,
}) => {
  await signIn(page, member.email, "not-the-password", "/account");
  await expect(page.getByRole("alert").filter({ hasText: "Wrong" })).toContainText("Wrong e-mail or password");
  await expect(page.getByLabel("E-mail")).toHaveValue(member.email);
  await expect(page.getByLabel("Password")).toHaveValue("");
  expect(page.url()).not.toContain(encodeURIComponent(member.email));
  expect(page.url()).not.toContain(member.email);
  await expectOneLineHeader(page, "/sign-in");
  await expectNoHorizontalScroll(page, "/sign-in");
  await screenshot(page, "phone-sign-in-failed");

  await page.getByLabel("Password").fill(member.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/account$/);
  await expect(page.getByRole("heading", { name: "Plan: Basic" })).toBeVisible();
});

test("an unknown path shows the app's own 404 page", async ({ page }) => {
  const res = await page.goto(`/no-such-page-${run}`);
  expect(res?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "Page not found", level: 1 })).toBeVisible();
  await expect(page.getByRole("link", { name: "Back to the gallery" })).toHaveAttribute("href", "/");
  await expectOneLineHeader(page, "404");
  await expectNoHorizontalScroll(page, "404");
  await screenshot(page, "phone-not-found");
});

test("a member who is not staff gets a 403 with the branded Staff only page on the admin pages", async ({ page }) => {
  await signIn(page, member.email, member.password);
  await expect(page.getByRole("heading", { name: "Your images" })).toBeVisible();
  for (const path of ["/admin/users", "/admin/plans"]) {
    const res = await page.goto(path);
    expect(res?.status(), path).toBe(403);
    await expect(page.getByRole("heading", { name: "Staff only", level: 1 })).toBeVisible();
    await expect(page.getByRole("heading", { name: /^(Users|Plans)$/ })).toHaveCount(0);
    await expect(page.getByRole("link", { name: "Back to the gallery" })).toBeVisible();
    await expectNoHorizontalScroll(page, path);
  }
  await screenshot(page, "phone-staff-only");
});
