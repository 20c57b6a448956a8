import { describe, expect, it } from "vitest";
import { uploadBuffers } from "@/lib/memory/buffer-pool";
import { photoLikeJpeg } from "../support/fixtures";
import { api, bodyBytes, type ImageBody, makeUser, type TestUser, uploadDirect, uploadForm } from "./harness";

/**
 * Upload bodies are read into buffers that are lent again once their request is done
 * (lib/memory/buffer-pool). Uploads in flight at once, multipart and direct, each keep their own
 * bytes: the stored original is the file sent, and the thumbnails are the ones that file makes.
 */

// Four photos of different sizes, each above the pool's 1 MiB, padded to one length after their
// end marker (as a motion photo carries its video): same-size buffers are the ones reused.
const photos = await Promise.all(
  [
    [2000, 1500],
    [1900, 1600],
    [2100, 1400],
    [1800, 1700],
  ].map(([width = 0, height = 0], i) => photoLikeJpeg(width, height, 90, 60 + 10 * i)),
);
const LENGTH = Math.max(...photos.map((p) => p.length)) + 1;
const files = photos.map((p) => Buffer.concat([p, Buffer.alloc(LENGTH - p.length, 0xee)]));

/** A multipart upload as clients send it, with its Content-Length (the buffer is sized from it). */
async function upload(user: TestUser, file: Buffer): Promise<ImageBody> {
  const encoded = new Response(uploadForm("photo", file, "photo.jpg", "image/jpeg"));
  const headers = {
    "content-type": encoded.headers.get("content-type") ?? "",
    "content-length": String((await encoded.clone().arrayBuffer()).byteLength),
  };
  const res = await api.upload(user.token, await encoded.arrayBuffer(), headers);
  expect(res.status).toBe(201);
  return (await res.json()) as ImageBody;
}

async function storedFiles(user: TestUser, image: ImageBody) {
  const [original, ...thumbnails] = await Promise.all([
    api.original(user.token, image.id).then(bodyBytes),
    ...image.thumbnails.map((t) => api.thumbnail(user.token, image.id, t.height).then(bodyBytes)),
  ]);
  return { original, thumbnails };
}

describe("upload buffers lent again", () => {
  it("keeps each upload's bytes its own when uploads run at once, multipart and direct", async () => {
    expect(LENGTH).toBeGreaterThan(1024 * 1024);
    // Each file alone first: the thumbnails it makes.
    const alone = await makeUser("Premium");
    const expected = [];
    for (const file of files) expected.push((await storedFiles(alone, await upload(alone, file))).thumbnails);
    expect(uploadBuffers.idleBytes).toBeGreaterThan(0); // the buffers these used are there to be lent again

    const user = await makeUser("Premium");
    for (let wave = 0; wave < 3; wave++) {
      const order = files.map((_, i) => (i + wave) % files.length);
      const uploaded = await Promise.all([
        ...order.map(async (i) => ({ i, image: await upload(user, files[i] as Buffer) })),
        ...order.map(async (i) => {
          const { completed } = await uploadDirect(user, files[i] as Buffer);
          expect(completed.status).toBe(201);
          return { i, image: (await completed.json()) as ImageBody };
        }),
      ]);
      for (const { i, image } of uploaded) {
        expect(image.status).toBe("ready");
        const stored = await storedFiles(user, image);
        expect(stored.original.equals(files[i] as Buffer)).toBe(true);
        expect(stored.thumbnails).toEqual(expected[i]);
      }
    }
  });
});
