import { randomUUID } from "node:crypto";
import { Queue } from "bullmq";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { resetEnvForTests } from "@/lib/env";
import { type ReleaseSlot, renderSlots } from "@/lib/images/render-slots";
import { closeQueue, THUMBNAIL_QUEUE } from "@/lib/queue/thumbnail-jobs";
import { api, makeUser, storedHeights, storedKeys, uploadForm, type ImageBody } from "../api/harness";
import { orientedJpeg, withEndMarkerAt } from "../support/fixtures";

/**
 * A busy app, every render slot taken (as by as many uploads rendering at once): with a queue,
 * an upload is still decoded whole before anything is stored, but its thumbnails are left to the
 * workers; without one it waits for a slot and answers ready.
 */
const REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
const prefix = `tih-busy-${randomUUID().slice(0, 8)}`;
let held: ReleaseSlot[] = [];

function occupyEverySlot(): void {
  for (let slot = renderSlots().tryTake(); slot; slot = renderSlots().tryTake()) held.push(slot);
}

function releaseSlots(): void {
  for (const release of held) release();
  held = [];
}

afterEach(() => {
  releaseSlots();
  delete process.env.REDIS_URL;
  delete process.env.QUEUE_PREFIX;
  resetEnvForTests();
});

afterAll(async () => {
  const queue = new Queue(THUMBNAIL_QUEUE, { connection: { url: REDIS_URL }, prefix });
  await queue.obliterate({ force: true });
  await queue.close();
  await closeQueue();
});

describe("an upload while the app is busy", () => {
  it("with workers: 201 processing, the original stored, its job queued for them", async () => {
    process.env.REDIS_URL = REDIS_URL;
    process.env.QUEUE_PREFIX = prefix;
    resetEnvForTests();
    const user = await makeUser("Premium");
    occupyEverySlot();
    const res = await api.upload(user.token, uploadForm("busy", await orientedJpeg(1, "landscape")));
    expect(res.status).toBe(201);
    const image = (await res.json()) as ImageBody;
    expect(image.status).toBe("processing");
    expect(await storedHeights(image.id)).toEqual([]);
    expect((await storedKeys()).filter((key) => key.includes(image.id))).toEqual([`originals/${image.id}`]);
    const queue = new Queue(THUMBNAIL_QUEUE, { connection: { url: REDIS_URL }, prefix });
    try {
      expect((await queue.getJob(image.id))?.data).toEqual({ imageId: image.id });
    } finally {
      await queue.close();
    }
  });

  it("with workers, a damaged file is still refused: the decode is not left to them", async () => {
    process.env.REDIS_URL = REDIS_URL;
    process.env.QUEUE_PREFIX = prefix;
    resetEnvForTests();
    const user = await makeUser("Premium");
    const intact = await orientedJpeg(1, "landscape");
    // An end marker halfway through its data: whole as far as its bytes go, broken as pixels.
    const damaged = withEndMarkerAt(intact, Math.floor(intact.length / 2));
    occupyEverySlot();
    expect((await api.upload(user.token, uploadForm("damaged", damaged))).status).toBe(422);
  });

  it("without a queue: it waits for a slot, then answers ready", async () => {
    const user = await makeUser("Premium");
    occupyEverySlot();
    let answered = false;
    const upload = api.upload(user.token, uploadForm("waits", await orientedJpeg(1, "landscape"))).then((res) => {
      answered = true;
      return res;
    });
    for (let i = 0; i < 500 && renderSlots().waiting === 0; i++)
      await new Promise((resolve) => setTimeout(resolve, 10));
    expect(renderSlots().waiting).toBe(1);
    expect(answered).toBe(false);
    releaseSlots();
    const res = await upload;
    expect(res.status).toBe(201);
    expect(((await res.json()) as ImageBody).status).toBe("ready");
  });
});
