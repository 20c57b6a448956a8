import { env } from "@/lib/env";
import { createDiskStorage } from "./disk";
import { createS3Storage } from "./s3";
import type { StorageProvider } from "./types";

export type { ListedObject, StorageProvider, StoredObject } from "./types";

let current: StorageProvider | undefined;

/** The store chosen once from the environment (STORAGE=disk|s3). */
export function getStorage(): StorageProvider {
  if (!current) {
    const e = env();
    current =
      e.STORAGE === "s3"
        ? createS3Storage({
            bucket: e.S3_BUCKET as string,
            region: e.S3_REGION,
            endpoint: e.S3_ENDPOINT,
            publicEndpoint: e.S3_PUBLIC_ENDPOINT,
            forcePathStyle: e.S3_FORCE_PATH_STYLE,
            timeoutMs: e.S3_TIMEOUT_MS,
          })
        : createDiskStorage(e.MEDIA_DIR);
  }
  return current;
}

/** Tests swap in a failing or instrumented store. */
export function setStorage(storage: StorageProvider | undefined): void {
  current = storage;
}
