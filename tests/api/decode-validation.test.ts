import { beforeAll, expect, it } from "vitest";
import { noisyJpeg } from "../support/fixtures";
import { api, expectNothingStored, expectProblem, makeUser, snapshot, uploadForm, uploadOk } from "./harness";

/**
 * An upload is accepted only if its file decodes to its end, though its thumbnails are far
 * smaller: the upload's one decode (lib/images/imaging renderUpload) reduces on load, here to 1/4
 * of 2000×1600 for Premium's 400 px, and still reads every byte of the entropy-coded data.
 */
let intact: Buffer;

beforeAll(async () => {
  intact = await noisyJpeg(2000, 1600);
});

it("a JPEG whose last bytes are lost (as an interrupted transfer leaves it) is refused with 422, nothing stored", async () => {
  const user = await makeUser("Premium");
  for (const lost of [1, 64, 4096]) {
    const cut = intact.subarray(0, intact.length - 2 - lost);
    const before = await snapshot(user);
    const problem = await expectProblem(await api.upload(user.token, uploadForm(`cut ${lost}`, cut)), 422);
    expect(problem.errors?.image).toBeDefined();
    await expectNothingStored(user, before);
  }
});

it("the intact file uploads and serves every thumbnail of the plan", async () => {
  const user = await makeUser("Premium");
  const image = await uploadOk(user, intact);
  expect(image.status).toBe("ready");
  for (const { height } of image.thumbnails)
    expect((await api.thumbnail(user.token, image.id, height)).status).toBe(200);
});
