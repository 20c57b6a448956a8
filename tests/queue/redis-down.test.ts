import { afterAll, beforeAll, expect, it } from "vitest";
import { resetEnvForTests } from "@/lib/env";
import { closeQueue, settleInProcessJobs } from "@/lib/queue/thumbnail-jobs";
import { api, makeUser, storedHeights, uploadForm, type ImageBody } from "../api/harness";
import { orientedJpeg } from "../support/fixtures";

beforeAll(() => {
  process.env.REDIS_URL = "redis://127.0.0.1:1"; // configured, but nothing listens
  resetEnvForTests();
});

afterAll(async () => {
  await closeQueue().catch(() => {});
  delete process.env.REDIS_URL;
  resetEnvForTests();
});

it("with the queue down, uploads still succeed and the app makes the thumbnails itself", async () => {
  const user = await makeUser("Premium");
  const res = await api.upload(user.token, uploadForm("x", await orientedJpeg(2, "landscape")));
  expect(res.status).toBe(201);
  const { id } = (await res.json()) as ImageBody;
  await settleInProcessJobs();
  expect(((await (await api.get(user.token, id)).json()) as ImageBody).status).toBe("ready");
  expect(await storedHeights(id)).toEqual([200, 400]);
});
