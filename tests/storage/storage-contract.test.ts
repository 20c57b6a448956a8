/**
 * One behavioural contract, run against every StorageProvider: the disk adapter on a temp dir and
 * the S3 adapter against a real S3-compatible server (s3rver, SigV4 verified) on 127.0.0.1.
 */
import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, readdir, rm, utimes, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDiskStorage } from "@/lib/storage/disk";
import { createS3Storage } from "@/lib/storage/s3";
import type { StorageProvider, StoredObject } from "@/lib/storage/types";
import { startS3Server, type S3TestServer } from "../infra/s3-server";

type Store = {
  storage: StorageProvider;
  /** Every trace the store leaves, including anything written outside its root or bucket. */
  snapshot(): Promise<string[]>;
  /** A store of the same kind whose backend cannot be reached. */
  unreachable(): Promise<StorageProvider>;
  cleanup(): Promise<void>;
};

type Adapter = { name: string; open(): Promise<Store> };

const adapters: Adapter[] = [
  {
    name: "disk",
    async open() {
      // The store's root sits inside a sandbox, so writes that escape the root are still seen.
      const sandbox = await mkdtemp(path.join(os.tmpdir(), "storage-contract-"));
      const root = path.join(sandbox, "media");
      return {
        storage: createDiskStorage(root),
        snapshot: async () =>
          (await readdir(sandbox, { recursive: true })).map((p) => p.split(path.sep).join("/")).sort(),
        async unreachable() {
          const file = path.join(sandbox, "not-a-directory");
          await writeFile(file, "");
          return createDiskStorage(file);
        },
        cleanup: () => rm(sandbox, { recursive: true, force: true }),
      };
    },
  },
  {
    name: "s3",
    async open() {
      const server = await startS3Server();
      const storage = s3Storage(server);
      return {
        storage,
        snapshot: () => storage.list(""),
        unreachable: async () => s3Storage(server, { endpoint: "http://127.0.0.1:1" }), // nothing listens on port 1
        cleanup: () => server.stop(),
      };
    },
  },
];

function s3Storage(
  server: S3TestServer,
  overrides: Partial<Parameters<typeof createS3Storage>[0]> = {},
): StorageProvider {
  return createS3Storage({
    bucket: server.bucket,
    region: "us-east-1",
    endpoint: server.endpoint,
    forcePathStyle: true,
    credentials: server.credentials,
    ...overrides,
  });
}

const bytes = (text: string) => new TextEncoder().encode(text);
const sha256 = (data: Uint8Array) => createHash("sha256").update(data).digest("hex");

async function read(object: StoredObject | null): Promise<{ data: Uint8Array; size: number } | null> {
  if (!object) return null;
  return { data: new Uint8Array(await new Response(object.body).arrayBuffer()), size: object.size };
}

/** A fresh key namespace per test, so tests never see each other's objects. */
let namespaces = 0;
const ns = () => `t${(namespaces += 1)}${randomBytes(3).toString("hex")}`;

const UNSAFE_KEYS = ["../x", "a//b", "A/B", "x y", "", "/a", "a/", "a/../b", "a/./b", "a\\b", "a.tmp", "a/b%2f"];

describe.each(adapters)("$name storage", (adapter) => {
  let store: Store;
  let storage: StorageProvider;

  beforeAll(async () => {
    store = await adapter.open();
    storage = store.storage;
  });
  afterAll(async () => {
    await store?.cleanup();
  });

  it("reports its kind", () => {
    expect(storage.kind).toBe(adapter.name);
  });

  it("returns the bytes and size that were put", async () => {
    const key = `${ns()}/original`;
    const data = bytes("GIF89a\u0000\u00ff binary-ish \r\n payload");
    await storage.put(key, data, "image/gif");

    const got = await read(await storage.get(key));
    expect(got).not.toBeNull();
    expect(got?.size).toBe(data.byteLength);
    expect(got?.data).toEqual(data);
  });

  it("round-trips an empty object", async () => {
    const key = `${ns()}/empty`;
    await storage.put(key, new Uint8Array(0), "application/octet-stream");
    const got = await read(await storage.get(key));
    expect(got).toEqual({ data: new Uint8Array(0), size: 0 });
  });

  it("round-trips a large object intact", { timeout: 30_000 }, async () => {
    const key = `${ns()}/large`;
    const data = new Uint8Array(randomBytes(6 * 1024 * 1024 + 17));
    await storage.put(key, data, "image/png");

    const got = await read(await storage.get(key));
    expect(got?.size).toBe(data.byteLength);
    expect(got?.data.byteLength).toBe(data.byteLength);
    expect(sha256(got?.data ?? new Uint8Array(0))).toBe(sha256(data));
  });

  it("keeps each of several large objects put at once intact, and a shorter one replaces a longer", async () => {
    const prefix = ns();
    // Sizes off and on 4 KiB blocks: the disk adapter writes these around the page cache, in blocks.
    const sizes = [1024 * 1024, 1024 * 1024 + 1, 3 * 1024 * 1024 - 4095, 2 * 1024 * 1024 + 4096, 5_000_001];
    const objects = sizes.map((size, i) => ({ key: `${prefix}/large-${i}`, data: new Uint8Array(randomBytes(size)) }));
    await Promise.all(objects.map((o) => storage.put(o.key, o.data, "image/jpeg")));
    for (const o of objects) {
      const got = await read(await storage.get(o.key));
      expect(got?.size).toBe(o.data.byteLength);
      expect(sha256(got?.data ?? new Uint8Array(0))).toBe(sha256(o.data));
    }

    const longest = `${prefix}/large-${sizes.length - 1}`;
    const shorter = new Uint8Array(randomBytes(1024 * 1024 + 3));
    await storage.put(longest, shorter, "image/jpeg");
    const got = await read(await storage.get(longest));
    expect(got?.size).toBe(shorter.byteLength);
    expect(sha256(got?.data ?? new Uint8Array(0))).toBe(sha256(shorter));
  });

  it("returns null for a key that does not exist", async () => {
    const prefix = ns();
    await storage.put(`${prefix}/present`, bytes("x"), "text/plain");
    expect(await storage.get(`${prefix}/absent`)).toBeNull();
    expect(await storage.get(`${ns()}/never/written`)).toBeNull();
  });

  it("overwrites an existing key", async () => {
    const key = `${ns()}/variant`;
    await storage.put(key, bytes("a longer first version"), "text/plain");
    await storage.put(key, bytes("second"), "text/plain");

    const got = await read(await storage.get(key));
    expect(got).toEqual({ data: bytes("second"), size: 6 });
    expect(await storage.list(`${key.split("/")[0]}/`)).toEqual([key]);
  });

  it("deletes the given keys, leaves the others, and ignores missing keys", async () => {
    const p = ns();
    for (const k of ["a", "b", "c"]) await storage.put(`${p}/${k}`, bytes(k), "text/plain");

    await storage.delete([`${p}/a`, `${p}/missing`, `${p}/c`]);

    expect(await storage.get(`${p}/a`)).toBeNull();
    expect(await storage.get(`${p}/c`)).toBeNull();
    expect(await read(await storage.get(`${p}/b`))).toEqual({ data: bytes("b"), size: 1 });
    expect(await storage.list(`${p}/`)).toEqual([`${p}/b`]);

    // Deleting again, deleting keys that never existed, and deleting nothing all succeed.
    await expect(storage.delete([`${p}/a`, `${ns()}/nope/nothing`])).resolves.toBeUndefined();
    await expect(storage.delete([])).resolves.toBeUndefined();
    expect(await storage.list(`${p}/`)).toEqual([`${p}/b`]);
  });

  it("lists exactly the keys under a prefix, sorted", async () => {
    const p = ns();
    const inside = [`${p}/img/b/200`, `${p}/img/a/10`, `${p}/img/a/9`, `${p}/img/a-b/1`, `${p}/img/c`];
    const outside = [`${p}/imgs/1`, `${p}/other/img/1`, `${p}/i/1`, `${p}x/img/1`];
    for (const key of [...inside, ...outside]) await storage.put(key, bytes(key), "text/plain");

    // Plain string order: "-" sorts before "/", "10" before "9".
    expect(await storage.list(`${p}/img/`)).toEqual([
      `${p}/img/a-b/1`,
      `${p}/img/a/10`,
      `${p}/img/a/9`,
      `${p}/img/b/200`,
      `${p}/img/c`,
    ]);
    expect(await storage.list(`${p}/img/a/`)).toEqual([`${p}/img/a/10`, `${p}/img/a/9`]);
    expect(await storage.list(`${p}/`)).toEqual([...inside, ...outside.filter((k) => k.startsWith(`${p}/`))].sort());
    expect(await storage.list(`${p}/nothing/`)).toEqual([]);
    expect(await storage.list(`${ns()}/`)).toEqual([]);
  });

  it("lists the same keys with dates, each the time it was last written", async () => {
    const p = ns();
    // S3 reports whole seconds.
    const before = Math.floor(Date.now() / 1000) * 1000;
    for (const key of [`${p}/b/1`, `${p}/a`, `${p}/b/0`]) await storage.put(key, bytes(key), "text/plain");
    const after = Date.now();

    const listed = await storage.listWithDates(`${p}/`);
    expect(listed.map((o) => o.key)).toEqual(await storage.list(`${p}/`));
    expect(listed.map((o) => o.key)).toEqual([`${p}/a`, `${p}/b/0`, `${p}/b/1`]);
    for (const { lastModified } of listed) {
      expect(lastModified.getTime()).toBeGreaterThanOrEqual(before);
      expect(lastModified.getTime()).toBeLessThanOrEqual(after);
    }
    expect(await storage.listWithDates(`${p}/nothing/`)).toEqual([]);
  });

  it("lists and deletes more keys than one S3 request handles (1000)", { timeout: 60_000 }, async () => {
    const p = ns();
    const keys = Array.from({ length: 1005 }, (_, i) => `${p}/k${String(i).padStart(4, "0")}`);
    await putAll(storage, keys);
    await storage.put(`${p}x/outside`, bytes("x"), "text/plain");

    expect(await storage.list(`${p}/`)).toEqual(keys);
    expect((await storage.listWithDates(`${p}/`)).map((o) => o.key)).toEqual(keys);

    await storage.delete(keys);
    expect(await storage.list(`${p}/`)).toEqual([]);
    expect(await storage.list(`${p}x/`)).toEqual([`${p}x/outside`]);
  });

  it("check() succeeds when the store is reachable", async () => {
    await expect(storage.check()).resolves.toBeUndefined();
  });

  it("check() rejects when the store cannot be reached", { timeout: 30_000 }, async () => {
    const broken = await store.unreachable();
    await expect(broken.check()).rejects.toThrow();
  });

  it.each(UNSAFE_KEYS)("refuses the unsafe key %j and writes nothing", async (key) => {
    const before = await store.snapshot();

    await expect(storage.put(key, bytes("evil"), "text/plain")).rejects.toThrow(/unsafe storage key/);
    await expect(storage.get(key)).rejects.toThrow(/unsafe storage key/);
    await expect(storage.delete([key])).rejects.toThrow(/unsafe storage key/);

    expect(await store.snapshot()).toEqual(before);
  });

  it("deletes nothing when any key in the batch is unsafe", { timeout: 30_000 }, async () => {
    const p = ns();
    await storage.put(`${p}/keep`, bytes("keep"), "text/plain");
    // The unsafe key comes after a full first batch (1000 keys) that includes a real object.
    const keys = [`${p}/keep`, ...Array.from({ length: 1000 }, (_, i) => `${p}/filler${i}`), "../x"];

    await expect(storage.delete(keys)).rejects.toThrow(/unsafe storage key/);
    expect(await read(await storage.get(`${p}/keep`))).toEqual({ data: bytes("keep"), size: 4 });
  });
});

describe("disk storage: listed dates", () => {
  it("are the files' modification times; a write in progress (its temporary file) is not listed", async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), "storage-dates-"));
    try {
      const storage = createDiskStorage(root);
      await storage.put("originals/old", bytes("old"), "text/plain");
      await storage.put("originals/new", bytes("new"), "text/plain");
      // Whole seconds: every filesystem keeps those exactly.
      const twoHoursAgo = new Date(Math.floor(Date.now() / 1000 - 2 * 3600) * 1000);
      await utimes(path.join(root, "originals/old"), twoHoursAgo, twoHoursAgo);
      await writeFile(path.join(root, "originals/partial.0b1c.tmp"), "half written");

      const listed = await storage.listWithDates("originals/");
      expect(listed.map((o) => o.key)).toEqual(["originals/new", "originals/old"]);
      expect(listed[1]?.lastModified).toEqual(twoHoursAgo);
      expect(listed[0]?.lastModified.getTime()).toBeGreaterThan(twoHoursAgo.getTime());
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});

describe("s3 storage: authentication", () => {
  let server: S3TestServer;

  beforeAll(async () => {
    server = await startS3Server();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it("rejects every operation signed with the wrong secret, and writes nothing", async () => {
    const good = s3Storage(server);
    const key = `${ns()}/existing`;
    await good.put(key, bytes("mine"), "text/plain");
    const wrong = s3Storage(server, { credentials: { ...server.credentials, secretAccessKey: "not-the-secret" } });

    await expect(wrong.check()).rejects.toThrow();
    await expect(wrong.put(`${ns()}/intruder`, bytes("x"), "text/plain")).rejects.toThrow(/signature/i);
    await expect(wrong.get(key)).rejects.toThrow(/signature/i); // an error, not "missing"
    await expect(wrong.list("")).rejects.toThrow(/signature/i);
    await expect(wrong.delete([key])).rejects.toThrow(/signature/i);

    expect(await good.list("")).toEqual([key]);
    expect(await read(await good.get(key))).toEqual({ data: bytes("mine"), size: 4 });
  });

  it("rejects an unknown access key", async () => {
    const stranger = s3Storage(server, { credentials: { accessKeyId: "NOBODY", secretAccessKey: "S3RVER" } });
    await expect(stranger.put(`${ns()}/x`, bytes("x"), "text/plain")).rejects.toThrow(/access key/i);
  });

  it("check() rejects for a bucket that does not exist", async () => {
    await expect(s3Storage(server, { bucket: "no-such-bucket" }).check()).rejects.toThrow();
    await expect(s3Storage(server).check()).resolves.toBeUndefined();
  });
});

async function putAll(storage: StorageProvider, keys: readonly string[]): Promise<void> {
  for (let i = 0; i < keys.length; i += 50) {
    await Promise.all(keys.slice(i, i + 50).map((key) => storage.put(key, bytes(key), "text/plain")));
  }
}
