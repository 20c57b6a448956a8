import AxeBuilder from "@axe-core/playwright";
import type { Page } from "@playwright/test";
import { E2E } from "./config";
import { orientedJpeg } from "../tests/support/fixtures";
import { createUserOnPlan, expect, imageFile, signIn, signInForApi, test, uploadThroughApi } from "./helpers";

/**
 * axe-core on every page, in the state people see it: no violation of any impact (WCAG 2.x A and
 * AA rules and axe's best practices). Each page is checked once it has rendered its data.
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

async function expectNoViolations(page: Page, what: string) {
  const results = await new AxeBuilder({ page })
    .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"])
    .analyze();
  const found = results.violations.map(
    (v) => `${v.impact ?? "?"} ${v.id}: ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`,
  );
  expect(found, what).toEqual([]);
}

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
  await expectNoViolations(page, "share page");
});

test("signed in: gallery, viewer, select mode, image page and account", async ({ page }) => {
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
});

test("staff: users and plans", async ({ page }) => {
  await signIn(page, E2E.staff.email, E2E.staff.password, "/admin/users");
  await expect(page).toHaveURL(/\/admin\/users$/);
  await expectNoViolations(page, "admin users");
  await page.goto("/admin/plans");
  await expectNoViolations(page, "admin plans");
});
