import { describe, expect, it } from "vitest";
import * as accountRoute from "@/app/api/v1/account/route";
import { env } from "@/lib/env";
import { settleInProcessJobs } from "@/lib/queue/thumbnail-jobs";
import { accountSchema, type AccountJson } from "@/lib/api/schemas";
import { orientedJpeg, rgbaPng } from "../support/fixtures";
import { api, call, expectProblem, makeUser, uploadForm, type ImageBody } from "./harness";

const png = await rgbaPng();
const jpeg = await orientedJpeg(1, "landscape");
const MiB = 1024 * 1024;

const getAccount = (token: string | null) => call(accountRoute.GET, { path: "/api/v1/account", token });

async function account(token: string): Promise<AccountJson> {
  const res = await getAccount(token);
  expect(res.status).toBe(200);
  expect(res.headers.get("cache-control")).toBe("private, no-store");
  return accountSchema.parse(await res.json());
}

describe("GET /api/v1/account", () => {
  it("requires authentication", async () => {
    const res = await getAccount(null);
    await expectProblem(res, 401);
    await expectProblem(await getAccount("tih_not-a-real-token"), 401);
  });

  it("answers the e-mail, the plan's limits and an empty usage for a new Basic user", async () => {
    const user = await makeUser("Basic");
    expect(await account(user.token)).toEqual({
      email: user.email,
      plan: {
        name: "Basic",
        heights: [200],
        original: false,
        expiring_links: false,
        max_upload_bytes: Math.min(10 * MiB, env().MAX_UPLOAD_BYTES),
        quota_bytes: 1024 * MiB,
        requests_per_minute: 600,
        uploads_per_hour: 100,
      },
      usage: { images: 0, bytes: 0, quota_bytes: 1024 * MiB },
    });
  });

  it("Enterprise has no quota", async () => {
    const user = await makeUser("Enterprise");
    const body = await account(user.token);
    expect(body.plan).toMatchObject({ name: "Enterprise", quota_bytes: null, expiring_links: true, original: true });
    expect(body.usage.quota_bytes).toBeNull();
  });

  it("counts images and bytes right after uploads and deletes", async () => {
    const user = await makeUser("Premium");
    const ids: string[] = [];
    for (const file of [png, jpeg, png]) {
      const res = await api.upload(user.token, uploadForm("x", file));
      expect(res.status).toBe(201);
      ids.push(((await res.json()) as ImageBody).id);
    }
    expect((await account(user.token)).usage).toEqual({
      images: 3,
      bytes: 2 * png.length + jpeg.length,
      quota_bytes: 20 * 1024 * MiB,
    });
    expect((await api.delete(user.token, ids[1] as string)).status).toBe(204);
    expect((await account(user.token)).usage).toMatchObject({ images: 2, bytes: 2 * png.length });
    expect((await api.delete(user.token, ids[0] as string)).status).toBe(204);
    expect((await api.delete(user.token, ids[2] as string)).status).toBe(204);
    expect((await account(user.token)).usage).toMatchObject({ images: 0, bytes: 0 });
    await settleInProcessJobs();
  });
});
