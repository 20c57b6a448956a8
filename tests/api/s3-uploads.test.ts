import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resetEnvForTests } from "@/lib/env";
import { getStorage, setStorage } from "@/lib/storage";
import { startS3Server, type S3TestServer } from "../infra/s3-server";
import { orientedJpeg, rgbPng } from "../support/fixtures";
import {
  api,
  bodyBytes,
  expectNothingStored,
  expectProblem,
  makeUser,
  snapshot,
  storedHeights,
  uploadForm,
  uploadOk,
} from "./harness";

/** The whole upload → serve → delete path with STORAGE=s3 against a real S3-compatible server. */
let s3: S3TestServer;
const saved = { ...process.env };

beforeAll(async () => {
  s3 = await startS3Server();
  Object.assign(process.env, {
    STORAGE: "s3",
    S3_ENDPOINT: s3.endpoint,
    S3_BUCKET: s3.bucket,
    S3_FORCE_PATH_STYLE: "true",
    S3_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: s3.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: s3.credentials.secretAccessKey,
  });
  resetEnvForTests();
  setStorage(undefined);
});

afterAll(async () => {
  process.env = saved;
  resetEnvForTests();
  setStorage(undefined);
  await s3?.stop();
});

describe("STORAGE=s3", () => {
  it("stores original and variants as objects and streams them back through the app", async () => {
    const user = await makeUser("Premium");
    const jpeg = await orientedJpeg(5, "portrait");
    const image = await uploadOk(user, jpeg);
    expect(getStorage().kind).toBe("s3");
    expect(await getStorage().list(`originals/${image.id}`)).toEqual([`originals/${image.id}`]);
    expect(await storedHeights(image.id)).toEqual([200, 400]);

    const original = await api.original(user.token, image.id);
    expect(original.status).toBe(200);
    expect((await bodyBytes(original)).equals(jpeg)).toBe(true);
    const thumb = await api.thumbnail(user.token, image.id, 400);
    expect(thumb.status).toBe(200);
    expect(thumb.headers.get("content-type")).toBe("image/jpeg");

    expect((await api.delete(user.token, image.id)).status).toBe(204);
    expect(await getStorage().list(`originals/${image.id}`)).toEqual([]);
    expect(await getStorage().list(`variants/${image.id}/`)).toEqual([]);
  });

  it("a rejected upload leaves no object in the bucket", async () => {
    const user = await makeUser("Premium");
    const before = await snapshot(user);
    const png = await rgbPng();
    await expectProblem(await api.upload(user.token, uploadForm("cut", png.subarray(0, 100))), 422);
    await expectNothingStored(user, before);
  });

  it("an unreachable S3 endpoint → 503 and no row", async () => {
    const user = await makeUser("Premium");
    const before = await snapshot(user);
    process.env.S3_ENDPOINT = "http://127.0.0.1:1";
    resetEnvForTests();
    setStorage(undefined);
    try {
      await expectProblem(await api.upload(user.token, uploadForm("x", await rgbPng())), 503);
    } finally {
      process.env.S3_ENDPOINT = s3.endpoint;
      resetEnvForTests();
      setStorage(undefined);
    }
    await expectNothingStored(user, before);
  });
});
