import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resetEnvForTests } from "@/lib/env";
import { getStorage, setStorage } from "@/lib/storage";
import { startS3Server, type S3TestServer } from "../infra/s3-server";
import { orientedJpeg, rgbPng } from "../support/fixtures";
import {
  api,
  BASE,
  bodyBytes,
  expectNothingStored,
  expectProblem,
  type ImageBody,
  makeUser,
  snapshot,
  storedHeights,
  type TestUser,
  type UploadBody,
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

describe("direct uploads with STORAGE=s3: the bytes go to the bucket, the store checks the signature", () => {
  async function start(user: TestUser, bytes: Uint8Array, type = "image/jpeg") {
    const res = await api.createUpload(user.token, { name: "direct", bytes: bytes.length, content_type: type });
    expect(res.status).toBe(201);
    return (await res.json()) as UploadBody;
  }

  it("the URL is the bucket's, presigned for the size and type; completing makes the image from the object", async () => {
    const user = await makeUser("Premium");
    const jpeg = await orientedJpeg(1, "landscape");
    const upload = await start(user, jpeg);
    const url = new URL(upload.url);
    expect(url.origin).toBe(s3.endpoint);
    expect(url.pathname).toBe(`/${s3.bucket}/uploads/${upload.id}`);
    expect(url.searchParams.get("X-Amz-SignedHeaders")?.split(";")).toEqual(
      expect.arrayContaining(["content-length", "content-type", "host"]),
    );
    expect(Number(url.searchParams.get("X-Amz-Expires"))).toBeLessThanOrEqual(900);

    // The app's own upload URL takes no bytes on S3.
    const appUrl = `${BASE}/api/v1/uploads/${upload.id}/content?expires=1&signature=x`;
    await expectProblem(await api.sendUpload(appUrl, jpeg, upload.headers), 404);

    const put = await api.sendUpload(upload.url, jpeg, upload.headers);
    expect(put.status, await put.text()).toBe(200);
    const completed = await api.completeUpload(user.token, upload.id);
    expect(completed.status).toBe(201);
    expect(((await completed.json()) as ImageBody).status).toBe("ready");
    expect(await storedHeights(upload.id)).toEqual([200, 400]);
    expect((await bodyBytes(await api.original(user.token, upload.id))).equals(jpeg)).toBe(true);
    expect(await getStorage().list(`uploads/${upload.id}`)).toEqual([]);

    // The URL is still valid, and the bucket takes a second PUT: it lands beside, never on, the original.
    expect((await api.sendUpload(upload.url, Buffer.alloc(jpeg.length, 0x41), upload.headers)).status).toBe(200);
    expect((await bodyBytes(await api.original(user.token, upload.id))).equals(jpeg)).toBe(true);
    expect((await api.completeUpload(user.token, upload.id)).status).toBe(201);
  });

  it("the store refuses another size, another type and a tampered signature; a refused file's object is deleted", async () => {
    const user = await makeUser("Premium");
    const jpeg = await orientedJpeg(1, "landscape");
    const upload = await start(user, jpeg);
    const key = `uploads/${upload.id}`;

    expect((await api.sendUpload(upload.url, jpeg.subarray(0, jpeg.length - 1), upload.headers)).status).toBe(403);
    expect((await api.sendUpload(upload.url, Buffer.concat([jpeg, Buffer.alloc(1)]), upload.headers)).status).toBe(403);
    const png = { ...upload.headers, "Content-Type": "image/png" };
    expect((await api.sendUpload(upload.url, jpeg, png)).status).toBe(403);
    const tampered = new URL(upload.url);
    const signature = tampered.searchParams.get("X-Amz-Signature") as string;
    tampered.searchParams.set(
      "X-Amz-Signature",
      signature.replace(/.$/, (c) => (c === "0" ? "1" : "0")),
    );
    expect((await api.sendUpload(tampered.toString(), jpeg, upload.headers)).status).toBe(403);
    const otherKey = new URL(upload.url);
    otherKey.pathname = `/${s3.bucket}/originals/${randomUUID()}`;
    expect((await api.sendUpload(otherKey.toString(), jpeg, upload.headers)).status).toBe(403);
    expect(await getStorage().list(key)).toEqual([]);

    // A file that is not an image gets the multipart upload's 415, and its object goes.
    const fake = Buffer.alloc(jpeg.length, 7);
    expect((await api.sendUpload(upload.url, fake, upload.headers)).status).toBe(200);
    expect(await getStorage().list(key)).toEqual([key]);
    await expectProblem(await api.completeUpload(user.token, upload.id), 415);
    expect(await getStorage().list(key)).toEqual([]);
  });

  it("the store refuses a presigned URL once it has expired", async () => {
    const storage = getStorage();
    const presign = storage.presignPut?.bind(storage);
    if (!presign) throw new Error("the S3 store presigns uploads");
    const body = Buffer.from("expiring");
    const key = `originals/${randomUUID()}`;
    const put = await presign(key, { bytes: body.length, contentType: "image/png", expiresInSeconds: 1 });
    await new Promise((resolve) => setTimeout(resolve, 2100));
    expect((await api.sendUpload(put.url, body, put.headers)).status).toBe(403);
    expect(await storage.list(key)).toEqual([]);
  });
});
