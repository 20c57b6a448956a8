import { randomUUID } from "node:crypto";
import { and, eq } from "drizzle-orm";
import sharp from "sharp";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { getDb } from "@/db/client";
import { expiringLinks, idempotencyKeys, images, users } from "@/db/schema";
import { env } from "@/lib/env";
import { claimIdempotencyKey } from "@/lib/idempotency/keys";
import { openApiDocument } from "@/lib/openapi";
import { setStorage } from "@/lib/storage";
import { createDiskStorage } from "@/lib/storage/disk";
import {
  api,
  expectNothingStored,
  expectProblem,
  imageRowsOf,
  makeUser,
  snapshot,
  storedKeys,
  uploadForm,
} from "./harness";

/**
 * Idempotency-Key on POST /api/v1/images and POST /api/v1/temp-links, with Stripe's semantics:
 * a retry with the same key and request replays the first answer without doing the work again.
 * (The stack suite drops a real connection after the server committed, then retries.)
 */
let png: Buffer;
let otherPng: Buffer;

beforeAll(async () => {
  const make = (r: number) =>
    sharp({ create: { width: 320, height: 240, channels: 3, background: { r, g: 90, b: 160 } } })
      .png()
      .toBuffer();
  [png, otherPng] = await Promise.all([make(20), make(200)]);
});

afterEach(() => setStorage(undefined));

const withKey = (key: string) => ({ "idempotency-key": key });
const uploadWithKey = (token: string, key: string, file: Buffer, name = "holiday") =>
  api.upload(token, uploadForm(name, file, "holiday.png", "image/png"), withKey(key));

/**
 * Storage whose writes wait until `release()`; `atStorage` resolves when the first write arrives.
 * Then each write is stored, or (`fail`) fails like a connection that died.
 */
function holdStorageWrites(then: "store" | "fail") {
  const disk = createDiskStorage(env().MEDIA_DIR);
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let reached!: () => void;
  const atStorage = new Promise<void>((resolve) => (reached = resolve));
  setStorage({
    ...disk,
    put: async (key, data, type) => {
      reached();
      await gate;
      if (then === "fail") throw Object.assign(new Error("the process died here"), { code: "ECONNRESET" });
      await disk.put(key, data, type);
    },
  });
  return { atStorage, release };
}

async function bytesUsedOf(userId: string): Promise<number> {
  const [row] = await getDb().select({ bytesUsed: users.bytesUsed }).from(users).where(eq(users.id, userId));
  return row?.bytesUsed ?? -1;
}

describe("Idempotency-Key on uploads", () => {
  it("a retry with the same key replays the 201 (same body, Location) and stores the image once", async () => {
    const user = await makeUser("Premium");
    const key = randomUUID();
    const first = await uploadWithKey(user.token, key, png);
    expect(first.status).toBe(201);
    expect(first.headers.get("idempotent-replayed")).toBeNull();
    const firstBody = await first.json();
    const keysAfterFirst = await storedKeys();

    // A new multipart body (another boundary) with the same fields and file is the same request.
    const retry = await uploadWithKey(user.token, key, png);
    expect(retry.status).toBe(201);
    expect(retry.headers.get("idempotent-replayed")).toBe("true");
    expect(retry.headers.get("location")).toBe(first.headers.get("location"));
    expect(retry.headers.get("content-type")).toBe("application/json");
    expect(await retry.json()).toEqual(firstBody);

    expect(await imageRowsOf(user.id)).toHaveLength(1);
    expect(await storedKeys()).toEqual(keysAfterFirst);
    expect(await bytesUsedOf(user.id)).toBe(png.length); // the quota counted it once
  });

  it("the same key with a different file, or on another operation, is refused with 422 and stores nothing", async () => {
    const user = await makeUser("Enterprise");
    const key = randomUUID();
    expect((await uploadWithKey(user.token, key, png)).status).toBe(201);
    const before = await snapshot(user);

    const otherFile = await expectProblem(await uploadWithKey(user.token, key, otherPng), 422);
    expect(otherFile.type).toMatch(/idempotency-key-reused$/);
    expect(otherFile.detail).toMatch(/different request/);
    const otherName = await expectProblem(await uploadWithKey(user.token, key, png, "another name"), 422);
    expect(otherName.type).toMatch(/idempotency-key-reused$/);
    await expectNothingStored(user, before);

    const [image] = await imageRowsOf(user.id);
    const link = await api.createLink(user.token, { image_id: image?.id, alive_duration: 600 });
    expect(link.status).toBe(201);
    const reused = await call422(user.token, key, { image_id: image?.id, alive_duration: 600 });
    expect(reused.type).toMatch(/idempotency-key-reused$/);
  });

  it("keys are per user: another user's same key is a new request", async () => {
    const [alice, bob] = await Promise.all([makeUser("Basic"), makeUser("Basic")]);
    const key = `shared-${randomUUID()}`;
    const a = await uploadWithKey(alice.token, key, png);
    const b = await uploadWithKey(bob.token, key, png);
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(b.headers.get("idempotent-replayed")).toBeNull();
    expect((await a.json()).id).not.toBe((await b.json()).id);
  });

  it("while the first request still runs, a second with its key gets 409 with Retry-After; then the replay", async () => {
    const user = await makeUser("Premium");
    const key = randomUUID();
    const { atStorage, release } = holdStorageWrites("store"); // the first request holds there, its key claimed

    const first = uploadWithKey(user.token, key, png);
    await atStorage;
    const busy = await uploadWithKey(user.token, key, png);
    expect(busy.headers.get("retry-after")).toBe("1");
    const second = await expectProblem(busy, 409);
    expect(second.type).toMatch(/idempotency-key-in-use$/);
    release();
    expect((await first).status).toBe(201);
    // The 409 was not kept: the next retry gets the first request's answer.
    const third = await uploadWithKey(user.token, key, png);
    expect(third.status).toBe(201);
    expect(third.headers.get("idempotent-replayed")).toBe("true");
    expect(await imageRowsOf(user.id)).toHaveLength(1);
  });

  it("a first request that died holding its key (lease over) is taken over by the retry, which does the work", async () => {
    const user = await makeUser("Premium");
    const key = randomUUID();
    const { atStorage, release } = holdStorageWrites("fail");
    const dying = uploadWithKey(user.token, key, png);
    await atStorage;
    // As a crashed process leaves it: running, its lease over.
    await getDb()
      .update(idempotencyKeys)
      .set({ lockedUntil: new Date(Date.now() - 1000) })
      .where(and(eq(idempotencyKeys.userId, user.id), eq(idempotencyKeys.key, key)));
    setStorage(undefined);

    const retry = await uploadWithKey(user.token, key, png);
    expect(retry.status).toBe(201);
    expect(retry.headers.get("idempotent-replayed")).toBeNull();
    release();
    await dying; // its failure must not take the key from the retry that finished
    const again = await uploadWithKey(user.token, key, png);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect((await again.json()).id).toBe((await retry.clone().json()).id);
    expect(await imageRowsOf(user.id)).toHaveLength(1);
  });

  it("a 5xx is not kept: after storage comes back, the retry with the same key does the work", async () => {
    const user = await makeUser("Premium");
    const key = randomUUID();
    const before = await snapshot(user);
    setStorage({
      ...createDiskStorage(env().MEDIA_DIR),
      put: async () => {
        throw Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
      },
    });
    await expectProblem(await uploadWithKey(user.token, key, png), 503);
    await expectNothingStored(user, before);
    setStorage(undefined);

    const retry = await uploadWithKey(user.token, key, png);
    expect(retry.status).toBe(201);
    expect(retry.headers.get("idempotent-replayed")).toBeNull();
    expect(await imageRowsOf(user.id)).toHaveLength(1);
  });

  it("a refusal of the request itself (415) is kept and replayed like a success", async () => {
    const user = await makeUser("Basic");
    const key = randomUUID();
    const notAnImage = Buffer.from("GIF89a, not a PNG or JPEG at all");
    const first = await expectProblem(await uploadWithKey(user.token, key, notAnImage), 415);
    const retry = await uploadWithKey(user.token, key, notAnImage);
    expect(retry.status).toBe(415);
    expect(retry.headers.get("content-type")).toBe("application/problem+json");
    expect(retry.headers.get("idempotent-replayed")).toBe("true");
    expect(await retry.json()).toEqual(first);
  });

  it("a body that fails validation does not use up the key", async () => {
    const user = await makeUser("Basic");
    const key = randomUUID();
    await expectProblem(await api.upload(user.token, uploadForm("", png, "a.png", "image/png"), withKey(key)), 422);
    const fixed = await uploadWithKey(user.token, key, png);
    expect(fixed.status).toBe(201);
    expect(fixed.headers.get("idempotent-replayed")).toBeNull();
  });

  it.each([
    ["empty", ""],
    ["256 characters", "k".repeat(256)],
    ["a control character", "abc\tdef"],
    ["non-ASCII", "clé-1"],
  ])("a key that is %s is refused with 422 naming the header, before anything is stored", async (_, key) => {
    const user = await makeUser("Basic");
    const before = await snapshot(user);
    const problem = await expectProblem(await uploadWithKey(user.token, key, png), 422);
    expect(problem.errors).toHaveProperty("Idempotency-Key");
    await expectNothingStored(user, before);
  });

  it("accepts keys of 1 and 255 printable characters", async () => {
    const user = await makeUser("Premium");
    for (const key of ["x", "~".repeat(255)]) expect((await uploadWithKey(user.token, key, png)).status).toBe(201);
  });
});

async function call422(token: string, key: string, body: unknown) {
  const response = await api.createLink(token, body, withKey(key));
  return expectProblem(response, 422);
}

describe("Idempotency-Key on expiring links", () => {
  it("a retry replays the same link (same URL and expiry) and makes one link", async () => {
    const user = await makeUser("Enterprise");
    const created = await uploadWithKey(user.token, randomUUID(), png);
    const { id } = await created.json();
    const key = randomUUID();
    const first = await api.createLink(user.token, { image_id: id, alive_duration: 900 }, withKey(key));
    expect(first.status).toBe(201);
    const retry = await api.createLink(user.token, { alive_duration: 900, image_id: id }, withKey(key));
    expect(retry.status).toBe(201);
    expect(retry.headers.get("idempotent-replayed")).toBe("true");
    expect(await retry.json()).toEqual(await first.json());
    expect(await getDb().select().from(expiringLinks).where(eq(expiringLinks.imageId, id))).toHaveLength(1);

    const longer = await call422(user.token, key, { image_id: id, alive_duration: 1800 });
    expect(longer.type).toMatch(/idempotency-key-reused$/);
  });
});

describe("Idempotency-Key records", () => {
  it("an expired record no longer binds its key: the same key is a new request", async () => {
    const user = await makeUser("Basic");
    const key = randomUUID();
    expect((await uploadWithKey(user.token, key, png)).status).toBe(201);
    await getDb()
      .update(idempotencyKeys)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(idempotencyKeys.userId, user.id));
    const later = await uploadWithKey(user.token, key, otherPng);
    expect(later.status).toBe(201);
    expect(later.headers.get("idempotent-replayed")).toBeNull();
    expect(await getDb().select().from(images).where(eq(images.ownerId, user.id))).toHaveLength(2);
  });

  it("a live record claimed by one request cannot be claimed by another (one statement decides)", async () => {
    const user = await makeUser("Basic");
    const key = randomUUID();
    const claims = await Promise.allSettled(
      Array.from({ length: 8 }, () => claimIdempotencyKey(user.id, key, "same-fingerprint")),
    );
    expect(claims.filter((c) => c.status === "fulfilled")).toHaveLength(1);
    expect(claims.filter((c) => c.status === "rejected").map((c) => (c.reason as { kind: string }).kind)).toEqual(
      Array(7).fill("idempotency-key-in-use"),
    );
  });
});

describe("the API document", () => {
  it("documents Idempotency-Key, 409 and Idempotent-Replayed on exactly the three creating operations", () => {
    const doc = openApiDocument() as unknown as {
      paths: Record<
        string,
        Record<
          string,
          {
            parameters?: { name: string; in: string }[];
            responses: Record<string, { headers?: Record<string, unknown> }>;
          }
        >
      >;
    };
    const idempotent: string[] = [];
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(methods)) {
        if (op.parameters?.some((p) => p.in === "header" && p.name === "Idempotency-Key")) {
          idempotent.push(`${method} ${path}`);
          expect(op.responses["409"]).toBeDefined();
          expect(op.responses["201"]?.headers).toHaveProperty("Idempotent-Replayed");
        }
      }
    }
    expect(idempotent.sort()).toEqual(["post /api/v1/images", "post /api/v1/temp-links", "post /api/v1/uploads"]);
  });
});
