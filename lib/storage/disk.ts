import { createReadStream } from "node:fs";
import { mkdir, readdir, rename, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { Readable } from "node:stream";
import { randomUUID } from "node:crypto";
import { assertSafeKey, type StorageProvider, type StoredObject } from "./types";

/** Files under one root directory; writes go to a temporary name and are renamed into place. */
export function createDiskStorage(root: string): StorageProvider {
  const base = path.resolve(root);
  const fileOf = (key: string) => {
    assertSafeKey(key);
    return path.join(base, ...key.split("/"));
  };

  return {
    kind: "disk",

    async put(key, data) {
      const file = fileOf(key);
      await mkdir(path.dirname(file), { recursive: true });
      const temp = `${file}.${randomUUID()}.tmp`;
      try {
        await writeFile(temp, data);
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
        return { body: Readable.toWeb(createReadStream(file)) as ReadableStream<Uint8Array>, size };
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
      if (!/^[a-z0-9/-]*$/.test(prefix)) throw new Error(`Refusing unsafe storage prefix ${JSON.stringify(prefix)}`);
      const dir = path.join(base, ...prefix.split("/").filter(Boolean));
      try {
        const entries = await readdir(dir, { recursive: true, withFileTypes: true });
        return entries
          .filter((e) => e.isFile() && !e.name.endsWith(".tmp"))
          .map((e) => path.relative(base, path.join(e.parentPath, e.name)).split(path.sep).join("/"))
          .sort();
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
        throw error;
      }
    },

    async check() {
      await mkdir(base, { recursive: true });
      await stat(base);
    },
  };
}
