import sharp from "sharp";
import { beforeAll, expect, it } from "vitest";
import { api, expectNothingStored, expectProblem, makeUser, snapshot, uploadForm, uploadOk } from "./harness";

/**
 * An upload is accepted only if every pixel of it decodes, though its thumbnails are far smaller.
 * The trap: a baseline JPEG whose last entropy-coded bytes are gone (the end marker put back)
 * decodes at 1/8 scale (JPEG shrink-on-load stops short of what is missing) but not at full size.
 * The upload's one decode (lib/images/imaging renderUpload) is a full-size one.
 */
let intact: Buffer;
let truncated: Buffer;

beforeAll(async () => {
  intact = await sharp({
    create: {
      width: 300,
      height: 200,
      channels: 3,
      background: "#808080",
      noise: { type: "gaussian", mean: 128, sigma: 40 },
    },
  })
    .jpeg({ quality: 90, progressive: false })
    .toBuffer();
  const endMarker = Buffer.from([0xff, 0xd9]);
  truncated = Buffer.concat([intact.subarray(0, intact.length - 2 - 64), endMarker]);
});

const decodes = (p: Promise<unknown>) =>
  p.then(
    () => true,
    () => false,
  );

it("the file is the trap: a reduced-size decode passes, a full decode fails", async () => {
  const options = { failOn: "warning" } as const;
  expect(
    await decodes(sharp(truncated, options).resize({ width: 64, height: 64, fit: "inside" }).raw().toBuffer()),
  ).toBe(true);
  expect(await decodes(sharp(truncated, options).raw().toBuffer())).toBe(false);
});

it("such a JPEG is refused with 422 and nothing is stored", async () => {
  const user = await makeUser("Premium");
  const before = await snapshot(user);
  const problem = await expectProblem(await api.upload(user.token, uploadForm("cut", truncated)), 422);
  expect(problem.errors?.image).toBeDefined();
  await expectNothingStored(user, before);
});

it("the intact file uploads and serves every thumbnail of the plan", async () => {
  const user = await makeUser("Premium");
  const image = await uploadOk(user, intact);
  expect(image.status).toBe("ready");
  for (const { height } of image.thumbnails)
    expect((await api.thumbnail(user.token, image.id, height)).status).toBe(200);
});
