import { createReadStream } from "node:fs";
import { mkdir, readdir, rename, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { Readable } from "node:stream";
import { randomUUID } from "node:crypto";
import { BufferPool, pageAlignedBuffer } from "@/lib/memory/buffer-pool";
import { writeFileDirect } from "./direct-write";
import { assertSafeKey, type StorageProvider, type StoredObject } from "./types";

/**
 * Chunk size of a read. Node's 64 KiB default makes a 6.6 MB original a hundred chunks through
 * the web stream the interface hands out, about 15–28 ms to read whole here; 1 MiB chunks, 4 ms.
 */
const READ_CHUNK_BYTES = 1024 * 1024;

const MiB = 1024 * 1024;

/**
 * Objects from this size on are written around the page cache (lib/storage/direct-write.ts):
 * originals, which are written once and read rarely; thumbnails, which are what is served, stay
 * ordinary writes.
 */
const DIRECT_WRITE_MIN_BYTES = MiB;

/** Page-aligned buffers the direct writes copy through, a few uploads' worth, as uploadBuffers. */
const stagingBuffers = new BufferPool({
  minBytes: 0,
  maxIdleBytes: 64 * MiB,
  idleMs: 30_000,
  allocate: pageAlignedBuffer,
});

/** Files under one root directory; writes go to a temporary name and are renamed into place. */
export function createDiskStorage(root: string): StorageProvider {
  const base = path.resolve(root);
  const fileOf = (key: string) => {
    assertSafeKey(key);
    return path.join(base, ...key.split("/"));
  };

  /** Every stored file under a prefix, sorted by key; temporary files of writes in progress are not keys. */
  const files = async (prefix: string): Promise<{ key: string; file: string }[]> => {
    if (!/^[a-z0-9/-]*$/.test(prefix)) throw new Error(`Refusing unsafe storage prefix ${JSON.stringify(prefix)}`);
    const dir = path.join(base, ...prefix.split("/").filter(Boolean));
    try {
      const entries = await readdir(dir, { recursive: true, withFileTypes: true });
      return entries
        .filter((e) => e.isFile() && !e.name.endsWith(".tmp"))
        .map((e) => {
          const file = path.join(e.parentPath, e.name);
          return { key: path.relative(base, file).split(path.sep).join("/"), file };
        })
        .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw error;
    }
  };

  // Until the filesystem refuses a direct write: then every write is an ordinary one.
  let directWrites = true;
  const writeNewFile = async (file: string, data: Uint8Array) => {
    if (!directWrites || data.length < DIRECT_WRITE_MIN_BYTES) return writeFile(file, data);
    const loans = stagingBuffers.loans();
    try {
      directWrites = (await writeFileDirect(file, data, loans.borrow)) === "direct";
    } finally {
      loans.end();
    }
  };

  return {
    kind: "disk",

    async put(key, data) {
      const file = fileOf(key);
      await mkdir(path.dirname(file), { recursive: true });
      const temp = `${file}.${randomUUID()}.tmp`;
      try {
        await writeNewFile(temp, data);
        await rename(temp, file);
      } catch (error) {
        await rm(temp, { force: true });
        throw error;
      }
    },

    async get(key): Promise<StoredObject | null> {
      const file = fileOf(key);
      try {
        const { size } = await stat(file);
        const stream = createReadStream(file, { highWaterMark: READ_CHUNK_BYTES });
        return { body: Readable.toWeb(stream) as ReadableStream<Uint8Array>, size };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
        throw error;
      }
    },

    async delete(keys) {
      const files = keys.map(fileOf); // refuse the whole batch before removing anything
      await Promise.all(files.map((file) => rm(file, { force: true })));
    },

    async list(prefix) {
      return (await files(prefix)).map((f) => f.key);
    },

    async listWithDates(prefix) {
      const listed = await Promise.all(
        (await files(prefix)).map(async ({ key, file }) => {
          try {
            return { key, lastModified: (await stat(file)).mtime };
          } catch (error) {
            if ((error as NodeJS.ErrnoException).code === "ENOENT") return null; // deleted since readdir
            throw error;
          }
        }),
      );
      return listed.filter((o) => o !== null);
    },

    async check() {
      await mkdir(base, { recursive: true });
      await stat(base);
    },
  };
}
