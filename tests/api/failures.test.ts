import { eq } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { closeDb, getDb } from "@/db/client";
import { users } from "@/db/schema";
import { env, resetEnvForTests } from "@/lib/env";
import { settleInProcessJobs } from "@/lib/queue/thumbnail-jobs";
import { setStorage } from "@/lib/storage";
import { createDiskStorage } from "@/lib/storage/disk";
import type { StorageProvider } from "@/lib/storage/types";
import { orientedJpeg } from "../support/fixtures";
import {
  api,
  expectNothingStored,
  expectProblem,
  makeUser,
  refusingThumbnailWrites,
  snapshot,
  storedHeights,
  storedKeys,
  uploadForm,
  uploadOk,
  type ImageBody,
} from "./harness";

const jpeg = await orientedJpeg(1, "landscape");

/** The real disk store, with hooks around each write. */
function diskWith(hooks: {
  before?: (key: string, n: number) => Promise<void> | void;
  after?: (key: string, n: number) => void;
}): StorageProvider {
  const disk = createDiskStorage(env().MEDIA_DIR);
  let n = 0;
  return {
    ...disk,
    put: async (key, data, type) => {
      const count = ++n;
      await hooks.before?.(key, count);
      await disk.put(key, data, type);
      hooks.after?.(key, count);
    },
  };
}

const connectionReset = () => Object.assign(new Error("socket hang up"), { code: "ECONNRESET" });

afterEach(() => setStorage(undefined));

describe("a failed upload leaves no row and no file", () => {
  it("storage refuses the original → 503, and the same request succeeds once it is back", async () => {
    const user = await makeUser("Premium");
    const before = await snapshot(user);
    setStorage(
      diskWith({
        before: () => {
          throw Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
        },
      }),
    );
    const problem = await expectProblem(await api.upload(user.token, uploadForm("x", jpeg)), 503);
    expect(problem.detail).toMatch(/storage/i);
    await expectNothingStored(user, before);

    setStorage(undefined);
    expect((await api.upload(user.token, uploadForm("x", jpeg))).status).toBe(201);
  });

  it("a write that landed but answered with an error → 503, and the landed file is removed", async () => {
    const user = await makeUser("Premium");
    const before = await snapshot(user);
    setStorage(
      diskWith({
        after: () => {
          throw connectionReset();
        },
      }),
    );
    await expectProblem(await api.upload(user.token, uploadForm("x", jpeg)), 503);
    await expectNothingStored(user, before);
  });

  it("the database rejects the rows (owner deleted meanwhile) → error, files removed", async () => {
    const user = await makeUser("Premium");
    const before = await snapshot(user);
    setStorage(
      diskWith({
        before: async () => {
          await getDb().delete(users).where(eq(users.id, user.id));
        },
      }),
    );
    const res = await api.upload(user.token, uploadForm("x", jpeg));
    expect(res.status).toBeGreaterThanOrEqual(500);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    await expectNothingStored(user, before);
  });

  it("the database is unreachable when rows are written → 503, files removed, and it recovers", async () => {
    const user = await makeUser("Premium");
    const before = await snapshot(user);
    const realUrl = process.env.DATABASE_URL as string;
    setStorage(
      diskWith({
        before: async () => {
          // Point the pool at a closed port: the insert that follows cannot connect.
          process.env.DATABASE_URL = "postgres://postgres@127.0.0.1:1/none";
          resetEnvForTests();
          await closeDb();
        },
      }),
    );
    try {
      const problem = await expectProblem(await api.upload(user.token, uploadForm("x", jpeg)), 503);
      expect(problem.detail).toMatch(/unavailable/);
    } finally {
      process.env.DATABASE_URL = realUrl;
      resetEnvForTests();
      await closeDb();
    }
    // The reservation cannot be given back while the database is unreachable (it stays counted).
    await expectNothingStored(user, before, { usageGivenBack: false });
    setStorage(undefined);
    expect((await api.upload(user.token, uploadForm("x", jpeg))).status).toBe(201);
  });
});

describe("a thumbnail write that fails during an upload", () => {
  it("still answers 201, as processing, and the job makes the thumbnails", async () => {
    const user = await makeUser("Premium");
    // The upload's own two thumbnail writes fail; the original's, and the job's later, succeed.
    setStorage(refusingThumbnailWrites(2));
    const res = await api.upload(user.token, uploadForm("x", jpeg));
    expect(res.status).toBe(201);
    const body = (await res.json()) as ImageBody;
    expect(body.status).toBe("processing");
    expect(await storedHeights(body.id)).toEqual([]);

    await settleInProcessJobs();
    expect(((await (await api.get(user.token, body.id)).json()) as ImageBody).status).toBe("ready");
    expect(await storedHeights(body.id)).toEqual([200, 400]);
    // The failed writes left nothing behind: the original and one file per height.
    expect((await storedKeys()).filter((k) => k.includes(body.id))).toHaveLength(3);
  });
});

describe("a delete while storage is unreachable", () => {
  it("answers 503 and keeps the image whole; the retry deletes rows and files", async () => {
    const user = await makeUser("Premium");
    const image = await uploadOk(user, jpeg);
    const disk = createDiskStorage(env().MEDIA_DIR);
    setStorage({
      ...disk,
      delete: async () => {
        throw Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
      },
    });
    await expectProblem(await api.delete(user.token, image.id), 503);
    setStorage(undefined);
    expect((await api.get(user.token, image.id)).status).toBe(200);
    expect((await api.original(user.token, image.id)).status).toBe(200);
    expect(await storedHeights(image.id)).toEqual([200, 400]);

    expect((await api.delete(user.token, image.id)).status).toBe(204);
    expect(await storedHeights(image.id)).toEqual([]);
    expect((await storedKeys()).filter((k) => k.includes(image.id))).toEqual([]);
  });

  it("a bulk delete deletes each image whole or not at all: the one the store failed is `failed` and kept", async () => {
    const user = await makeUser("Premium");
    const images = [await uploadOk(user, jpeg, "one"), await uploadOk(user, jpeg, "two")];
    const ids = images.map((i) => i.id);
    const disk = createDiskStorage(env().MEDIA_DIR);
    const failing = ids[1] as string;
    setStorage({
      ...disk,
      delete: async (keys) => {
        if (keys.some((k) => k.includes(failing)))
          throw Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
        return disk.delete(keys);
      },
    });
    const res = await api.deleteMany(user.token, { ids });
    setStorage(undefined);
    expect(res.status).toBe(200);
    const { results } = (await res.json()) as { results: { id: string; status: string; detail?: string }[] };
    expect(results.map((r) => r.status)).toEqual(["deleted", "failed"]);
    expect(results[1]?.detail).toMatch(/Storage is unavailable/);
    expect((await api.get(user.token, ids[0] as string)).status).toBe(404);
    expect((await api.original(user.token, failing)).status).toBe(200);
    expect(await storedHeights(failing)).toEqual([200, 400]);

    const retry = (await (await api.deleteMany(user.token, { ids })).json()) as { results: { status: string }[] };
    expect(retry.results.map((r) => r.status)).toEqual(["not_found", "deleted"]);
    for (const id of ids) expect((await storedKeys()).filter((k) => k.includes(id))).toEqual([]);
  });
});
