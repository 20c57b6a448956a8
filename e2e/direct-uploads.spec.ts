import { E2E } from "./config";
import { orientedJpeg } from "../tests/support/fixtures";
import { createUserOnPlan, dropFiles, expect, imageFile, signIn, test } from "./helpers";

const run = Date.now().toString(36);
const member = { email: `direct-${run}@e2e.example.com`, password: "direct-password-1" };

test.beforeAll(async ({ browser }) => {
  const page = await browser.newPage();
  await signIn(page, E2E.staff.email, E2E.staff.password, "/admin/users");
  await createUserOnPlan(page, member, "Premium");
  await page.close();
});

test("a gallery upload sends the file straight to its upload URL, shows progress, and never posts it to the app", async ({
  page,
}) => {
  await signIn(page, member.email, member.password);
  const file = imageFile("direct.jpg", await orientedJpeg(1, "landscape"));
  const calls: { method: string; path: string; bytes: number }[] = [];
  page.on("request", (r) => {
    const url = new URL(r.url());
    if (url.pathname.startsWith("/api/v1/"))
      calls.push({ method: r.method(), path: url.pathname, bytes: r.postDataBuffer()?.length ?? 0 });
  });
  // The file's PUT is held back a moment, so its progress bar is seen before the image is done.
  let release: () => void = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  await page.route("**/api/v1/uploads/*/content?*", async (route) => {
    await held;
    await route.continue();
  });

  await dropFiles(page, [file]); // the upload starts on drop
  await expect(page.getByLabel(`Upload progress for ${file.name}`)).toBeVisible();
  release();
  const grid = page.getByRole("list", { name: "Images" });
  await expect(grid).toContainText(file.name);

  const created = calls.find((c) => c.method === "POST" && c.path === "/api/v1/uploads");
  const put = calls.find((c) => c.method === "PUT");
  expect(created).toBeDefined();
  expect(put?.path).toMatch(/^\/api\/v1\/uploads\/[0-9a-f-]{36}\/content$/);
  expect(put?.bytes).toBe(file.bytes.length);
  const id = put?.path.split("/")[4];
  expect(calls).toContainEqual({ method: "POST", path: `/api/v1/uploads/${id}/complete`, bytes: 0 });
  // The bytes went once, to the upload URL: nothing was posted to the multipart upload.
  expect(calls.filter((c) => c.path === "/api/v1/images" && c.method === "POST")).toEqual([]);
  const image = (await (await page.request.get(`/api/v1/images/${id}`)).json()) as { name: string; status: string };
  expect(image).toMatchObject({ name: file.name, status: "ready" });
});
