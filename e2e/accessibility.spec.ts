import AxeBuilder from "@axe-core/playwright";
import type { Page } from "@playwright/test";
import { E2E } from "./config";
import { orientedJpeg } from "../tests/support/fixtures";
import { createUserOnPlan, expect, imageFile, signIn, signInForApi, test, uploadThroughApi } from "./helpers";

/**
 * axe-core on every page, in the state people see it: no violation of any impact (WCAG 2.x A and
 * AA rules and axe's best practices). Each page is checked once it has rendered its data, in the
 * light and the dark colour scheme (the app follows prefers-color-scheme).
 */
const run = Date.now().toString(36);
const member = { email: `a11y-${run}@e2e.example.com`, password: "a11y-password-1" };
let imageId = "";
let pageUrl = "";

test.beforeAll(async ({ browser, playwright }) => {
  const staff = await browser.newPage();
  await signIn(staff, E2E.staff.email, E2E.staff.password, "/admin/users");
  await createUserOnPlan(staff, member, "Enterprise");
  await staff.close();
  const context = await browser.newContext();
  const api = await signInForApi(await context.newPage(), playwright.request, member, "a11y");
  for (const name of ["Lighthouse", "Harbour"]) {
    const res = await uploadThroughApi(api, name, imageFile(`${name}.jpg`, await orientedJpeg(1, "landscape")));
    imageId = ((await res.json()) as { id: string }).id;
  }
  const link = await api.post("/api/v1/temp-links", { data: { image_id: imageId, alive_duration: 3600 } });
  pageUrl = ((await link.json()) as { page_url: string }).page_url;
  await api.dispose();
  await context.close();
});

/** The page's background as the browser paints it: relative luminance 0 (black) to 1 (white). */
async function backgroundLuminance(page: Page): Promise<number> {
  const rgb = await page.evaluate(() => {
    const probe = document.createElement("canvas").getContext("2d")!;
    probe.fillStyle = getComputedStyle(document.body).backgroundColor;
    probe.fillRect(0, 0, 1, 1);
    return [...probe.getImageData(0, 0, 1, 1).data.slice(0, 3)];
  });
  const linear = rgb.map((c) => (c / 255 <= 0.04045 ? c / 255 / 12.92 : ((c / 255 + 0.055) / 1.055) ** 2.4));
  return 0.2126 * linear[0]! + 0.7152 * linear[1]! + 0.0722 * linear[2]!;
}

/** `alwaysDark`: the share page is a photo viewer, dark in either scheme. */
async function expectNoViolations(page: Page, what: string, { alwaysDark = false } = {}) {
  const scheme = await page.evaluate(() => (matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light"));
  // The scheme really applies: axe on a light page in "dark" would prove nothing.
  const luminance = await backgroundLuminance(page);
  if (scheme === "dark" || alwaysDark) expect(luminance, `${what}: dark background`).toBeLessThan(0.05);
  else expect(luminance, `${what}: light background`).toBeGreaterThan(0.8);
  const results = await new AxeBuilder({ page })
    .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"])
    .analyze();
  const found = results.violations.map(
    (v) => `${v.impact ?? "?"} ${v.id}: ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`,
  );
  expect(found, `${what} (${scheme})`).toEqual([]);
  for (const state of [["hover"], ["focus", "focus-visible"]])
    await expectContrastIn(page, state, `${what} (${scheme})`);
}

const CONTROLS = "a[href], button, select, input, textarea, summary, [role=button], [tabindex]";

/**
 * Contrast in the other states a control is seen in: every control of the page is forced into
 * `states` at once (Chromium's DevTools protocol, as the Styles pane's :hov toggles do), and axe's
 * colour-contrast rule runs again. Each control's own colours are what change, so forcing them
 * together is the same as hovering or focusing each in turn.
 */
async function expectContrastIn(page: Page, states: string[], what: string) {
  const cdp = await page.context().newCDPSession(page);
  try {
    await cdp.send("DOM.enable");
    await cdp.send("CSS.enable");
    const { root } = await cdp.send("DOM.getDocument", { depth: -1 });
    const { nodeIds } = await cdp.send("DOM.querySelectorAll", { nodeId: root.nodeId, selector: CONTROLS });
    const colours = () =>
      page.evaluate(
        (selector) =>
          [...document.querySelectorAll(selector)].map((el) => {
            const style = getComputedStyle(el);
            return `${style.color} ${style.backgroundColor} ${style.textDecorationLine}`;
          }),
        CONTROLS,
      );
    const before = await colours();
    for (const nodeId of nodeIds) await cdp.send("CSS.forcePseudoState", { nodeId, forcedPseudoClasses: states });
    try {
      // The states really apply (hover styles sit behind @media (hover: hover)): some control changes.
      if (states.includes("hover") && nodeIds.length)
        expect((await colours()).some((c, i) => c !== before[i])).toBe(true);
      const results = await new AxeBuilder({ page }).withRules(["color-contrast"]).analyze();
      const found = results.violations.flatMap((v) => v.nodes.map((n) => `${n.target.join(" ")}: ${n.failureSummary}`));
      expect(found, `${what}, :${states.join(", :")}`).toEqual([]);
    } finally {
      for (const nodeId of nodeIds) await cdp.send("CSS.forcePseudoState", { nodeId, forcedPseudoClasses: [] });
    }
  } finally {
    await cdp.detach();
  }
}

for (const colorScheme of ["light", "dark"] as const) {
  test.describe(`${colorScheme} colour scheme`, () => {
    test.use({ colorScheme });

    test("signed out: the sign-in page, a failed sign-in, the 404 page and a share page", async ({ page }) => {
      await page.goto("/sign-in");
      await expectNoViolations(page, "sign-in");
      await page.getByLabel("E-mail").fill(member.email);
      await page.getByLabel("Password").fill("wrong-password-1");
      await page.getByRole("button", { name: "Sign in" }).click();
      await expect(page.getByRole("alert").filter({ hasText: "Wrong" })).toBeVisible();
      await expectNoViolations(page, "sign-in failed");
      await page.goto("/no-such-page");
      await expectNoViolations(page, "404");
      await page.goto(pageUrl);
      await expect(page.getByRole("heading", { name: "Harbour" })).toBeVisible();
      await expectNoViolations(page, "share page", { alwaysDark: true });
    });

    test("signed in: gallery, viewer, select mode, image page, account and Staff only", async ({ page }) => {
      await signIn(page, member.email, member.password);
      await expect(page.getByRole("list", { name: "Images" }).getByTestId("image-tile")).toHaveCount(2);
      await expectNoViolations(page, "gallery");
      await page.getByRole("list", { name: "Images" }).getByRole("link", { name: "Harbour" }).click();
      await expect(page.getByRole("dialog", { name: "Harbour" })).toBeVisible();
      await expectNoViolations(page, "viewer");
      await page.keyboard.press("Escape");
      await page.getByRole("button", { name: "Select", exact: true }).click();
      await page.getByRole("button", { name: "Select Harbour" }).click();
      await expectNoViolations(page, "select mode");
      await page.getByRole("button", { name: "Delete…" }).click();
      await expect(page.getByRole("alertdialog")).toBeVisible();
      await expectNoViolations(page, "delete confirmation");
      await page.keyboard.press("Escape");

      await page.goto(`/images/${imageId}`);
      await expect(page.getByRole("heading", { name: "Harbour" })).toBeVisible();
      await expectNoViolations(page, "image page");
      await page.getByRole("button", { name: "Create link" }).click();
      await expect(page.getByTestId("new-link")).toBeVisible();
      await expectNoViolations(page, "image page with a new link");

      await page.goto("/account");
      await expectNoViolations(page, "account");
      const forbidden = await page.goto("/admin/users");
      expect(forbidden?.status()).toBe(403);
      await expectNoViolations(page, "staff only (403)");
    });

    test("staff: users and plans", async ({ page }) => {
      await signIn(page, E2E.staff.email, E2E.staff.password, "/admin/users");
      await expect(page).toHaveURL(/\/admin\/users$/);
      await expectNoViolations(page, "admin users");
      await page.goto("/admin/plans");
      await expectNoViolations(page, "admin plans");
    });
  });
}
