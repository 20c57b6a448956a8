import { describe, expect, it, vi } from "vitest";
import {
  contentTypeOf,
  overLimitMessage,
  preSendProblem,
  progressSummary,
  type FileLike,
  type SendEvents,
  UploadQueue,
} from "./upload-queue";

const MB = 1024 * 1024;
type Image = { id: string; name: string };
type Sent = {
  request: { file: FileLike; name: string; contentType: string; idempotencyKey: string };
  events: SendEvents;
  resolve: (image: Image) => void;
  reject: (error: unknown) => void;
};

const png = (name = "a.png", size = 1000): FileLike => ({ name, size, type: "image/png" });
/** A failure the server kept for its key (a 4xx but 409/429), as api-client's failureIsKept says. */
class Kept extends Error {}

function setup(concurrency?: number) {
  const sent: Sent[] = [];
  const renames: { image: Image; name: string; resolve: (i: Image) => void; reject: (e: unknown) => void }[] = [];
  const uploaded: Image[] = [];
  const renamed: Image[] = [];
  let n = 0;
  const queue = new UploadQueue<FileLike, Image>({
    send: (request, events) =>
      new Promise((resolve, reject) => {
        events.signal.addEventListener("abort", () => reject(new DOMException("aborted", "AbortError")));
        sent.push({ request, events, resolve, reject });
      }),
    rename: (image, name) => new Promise((resolve, reject) => renames.push({ image, name, resolve, reject })),
    failureIsKept: (e) => e instanceof Kept,
    validateName: (name) => (name.trim() ? { name: name.trim() } : { error: "name must not be empty" }),
    onUploaded: (i) => uploaded.push(i),
    onRenamed: (i) => renamed.push(i),
    newId: () => `id-${++n}`,
    concurrency,
  });
  const states = () => queue.getItems().map((i) => i.status.state);
  return { queue, sent, renames, uploaded, renamed, states };
}

const settle = () => new Promise((r) => setTimeout(r, 0));

describe("pre-send checks", () => {
  it("takes PNG and JPEG by type, or by extension when the type is empty", () => {
    expect(contentTypeOf({ name: "x.bin", size: 1, type: "image/png" })).toBe("image/png");
    expect(contentTypeOf({ name: "x.png", size: 1, type: "image/gif" })).toBeNull();
    expect(contentTypeOf({ name: "Photo.JPG", size: 1, type: "" })).toBe("image/jpeg");
    expect(contentTypeOf({ name: "photo.jpeg", size: 1, type: "" })).toBe("image/jpeg");
    expect(contentTypeOf({ name: "notes.txt", size: 1, type: "" })).toBeNull();
    expect(contentTypeOf({ name: "png", size: 1, type: "" })).toBeNull();
  });

  it("says the size in MB against the plan's limit", () => {
    expect(overLimitMessage(Math.round(12.4 * MB), 10 * MB)).toBe("12.4 MB is over your plan's 10 MB limit.");
    // Just over: never "2 MB is over … 2 MB".
    expect(overLimitMessage(2 * MB + 1024, 2 * MB)).toBe("2.01 MB is over your plan's 2 MB limit.");
    expect(preSendProblem(png("a.png", 10 * MB), 10 * MB)).toBeNull();
    expect(preSendProblem(png("a.png", 10 * MB + 1), 10 * MB)).toMatch(/over your plan's 10 MB limit/);
    expect(preSendProblem({ name: "a.gif", size: 1, type: "image/gif" }, MB)).toMatch(/Only PNG and JPEG/);
  });
});

describe("UploadQueue", () => {
  it("starts at once, at most three at a time, the rest queued in order", async () => {
    const { queue, sent, states } = setup();
    queue.add([png("1.png"), png("2.png"), png("3.png"), png("4.png"), png("5.png")], MB);
    expect(states()).toEqual(["uploading", "uploading", "uploading", "queued", "queued"]);
    expect(sent.map((s) => s.request.name)).toEqual(["1.png", "2.png", "3.png"]);
    sent[1]?.resolve({ id: "img-2", name: "2.png" });
    await settle();
    expect(states()).toEqual(["uploading", "done", "uploading", "uploading", "queued"]);
    expect(sent.map((s) => s.request.name)).toEqual(["1.png", "2.png", "3.png", "4.png"]);
  });

  it("fails refused files at once without sending them; they cannot be retried", () => {
    const { queue, sent } = setup();
    queue.add([png("big.png", 3 * MB), { name: "a.gif", size: 5, type: "image/gif" }], 2 * MB);
    expect(sent).toEqual([]);
    const [big, gif] = queue.getItems();
    expect(big?.status).toMatchObject({ state: "failed", retryable: false, message: expect.stringContaining("3 MB") });
    expect(gif?.status).toMatchObject({ state: "failed", retryable: false });
    queue.retry(big!.id);
    expect(sent).toEqual([]);
    queue.remove(big!.id);
    expect(queue.getItems()).toHaveLength(1);
  });

  it("sends the content type from the extension when the browser gave none", () => {
    const { queue, sent } = setup();
    queue.add([{ name: "p.jpg", size: 10, type: "" }], MB);
    expect(sent[0]?.request.contentType).toBe("image/jpeg");
  });

  it("follows progress, then processing, then done, and reports the image", async () => {
    const { queue, sent, uploaded } = setup();
    queue.add([png()], MB);
    const listener = vi.fn();
    queue.subscribe(listener);
    sent[0]?.events.onProgress(0.5);
    expect(queue.getItems()[0]?.status).toEqual({ state: "uploading", progress: 0.5 });
    sent[0]?.events.onProcessing();
    expect(queue.getItems()[0]?.status).toEqual({ state: "processing" });
    sent[0]?.resolve({ id: "img", name: "a.png" });
    await settle();
    expect(queue.getItems()[0]?.status).toEqual({ state: "done" });
    expect(uploaded).toEqual([{ id: "img", name: "a.png" }]);
    expect(listener).toHaveBeenCalledTimes(3);
    queue.clearFinished();
    expect(queue.getItems()).toEqual([]);
  });

  it("cancels a queued or uploading file: gone from the list, its request aborted, the next one starts", async () => {
    const { queue, sent, states } = setup(1);
    queue.add([png("1.png"), png("2.png"), png("3.png")], MB);
    const [first, second] = queue.getItems();
    queue.cancel(second!.id);
    expect(states()).toEqual(["uploading", "queued"]);
    queue.cancel(first!.id);
    expect(sent[0]?.events.signal.aborted).toBe(true);
    expect(states()).toEqual(["uploading"]);
    expect(sent.map((s) => s.request.name)).toEqual(["1.png", "3.png"]);
    await settle(); // the aborted send's rejection changes nothing
    expect(states()).toEqual(["uploading"]);
  });

  it("does not cancel a file being processed", () => {
    const { queue, sent, states } = setup();
    queue.add([png()], MB);
    sent[0]?.events.onProcessing();
    queue.cancel(queue.getItems()[0]!.id);
    expect(states()).toEqual(["processing"]);
  });

  it("retries with the same key and name after a failure the server did not keep", async () => {
    const { queue, sent } = setup();
    queue.add([png()], MB);
    sent[0]?.reject(new Error("Network error"));
    await settle();
    const item = queue.getItems()[0]!;
    expect(item.status).toEqual({ state: "failed", message: "Network error", retryable: true });
    queue.setName(item.id, "edited"); // the first attempt may have made the image under the old name
    queue.retry(item.id);
    expect(sent[1]?.request).toMatchObject({ idempotencyKey: sent[0]?.request.idempotencyKey, name: "a.png" });
  });

  it("retries with a new key (and the current name) after a failure the server kept", async () => {
    const { queue, sent } = setup();
    queue.add([png()], MB);
    sent[0]?.reject(new Kept("Too many uploads"));
    await settle();
    const item = queue.getItems()[0]!;
    queue.setName(item.id, "second try");
    queue.retry(item.id);
    expect(sent[1]?.request.idempotencyKey).not.toBe(sent[0]?.request.idempotencyKey);
    expect(sent[1]?.request.name).toBe("second try");
  });

  it("sends the name edited while queued", () => {
    const { queue, sent } = setup(1);
    queue.add([png("1.png"), png("2.png")], MB);
    queue.setName(queue.getItems()[1]!.id, "  Harbour  ");
    sent[0]?.resolve({ id: "x", name: "1.png" });
    return settle().then(() => expect(sent[1]?.request.name).toBe("Harbour"));
  });

  it("fails a file whose name is invalid when its turn comes, and retries it once fixed", () => {
    const { queue, sent } = setup();
    queue.add([png()], MB);
    const id = queue.getItems()[0]!.id;
    sent[0]?.reject(new Kept("bad"));
    return settle().then(() => {
      queue.setName(id, " ");
      queue.retry(id);
      expect(queue.getItems()[0]?.status).toMatchObject({ state: "failed", message: "Name: name must not be empty" });
      queue.setName(id, "ok");
      queue.retry(id);
      expect(sent[1]?.request.name).toBe("ok");
    });
  });

  it("renames a done image on commit, and reports the renamed image", async () => {
    const { queue, sent, renames, renamed } = setup();
    queue.add([png()], MB);
    sent[0]?.resolve({ id: "img", name: "a.png" });
    await settle();
    const id = queue.getItems()[0]!.id;
    queue.commitName(id); // unchanged: nothing to do
    expect(renames).toEqual([]);
    queue.setName(id, "New name");
    queue.commitName(id);
    queue.commitName(id); // Enter, then leaving the field: one request
    expect(renames.map((r) => r.name)).toEqual(["New name"]);
    expect(queue.getItems()[0]?.rename).toEqual({ state: "saving", name: "New name" });
    renames[0]?.resolve({ id: "img", name: "New name" });
    await settle();
    expect(queue.getItems()[0]).toMatchObject({ rename: { state: "saved" }, image: { name: "New name" } });
    expect(renamed).toEqual([{ id: "img", name: "New name" }]);
  });

  it("shows a rename's error, and refuses an invalid name without a request", async () => {
    const { queue, sent, renames } = setup();
    queue.add([png()], MB);
    sent[0]?.resolve({ id: "img", name: "a.png" });
    await settle();
    const id = queue.getItems()[0]!.id;
    queue.setName(id, "");
    queue.commitName(id);
    expect(renames).toEqual([]);
    expect(queue.getItems()[0]?.rename).toEqual({ state: "failed", message: "name must not be empty" });
    queue.setName(id, "b");
    queue.commitName(id);
    renames[0]?.reject(new Error("name must be at most 200 characters"));
    await settle();
    expect(queue.getItems()[0]?.rename).toEqual({ state: "failed", message: "name must be at most 200 characters" });
  });

  it("applies a name edited during the upload once the image exists", async () => {
    const { queue, sent, renames } = setup();
    queue.add([png()], MB);
    const id = queue.getItems()[0]!.id;
    queue.setName(id, "During");
    queue.commitName(id); // still uploading: nothing yet
    expect(renames).toEqual([]);
    sent[0]?.resolve({ id: "img", name: "a.png" });
    await settle();
    expect(renames.map((r) => r.name)).toEqual(["During"]);
  });

  it("summarises for the live region", async () => {
    const { queue, sent } = setup();
    expect(progressSummary(queue.getItems())).toBeNull();
    queue.add([png("1.png"), png("2.png"), png("big.png", 2 * MB)], MB);
    sent[0]?.resolve({ id: "a", name: "1.png" });
    await settle();
    expect(progressSummary(queue.getItems())).toBe("1 of 3 uploaded, 1 failed");
  });
});
