import { createHash } from "node:crypto";

/** A file from a multipart body, read out of its Blob once, with its SHA-256 (hex). */
export type UploadedFile = { bytes: Buffer; sha256: string };

const read = new WeakMap<Blob, Promise<UploadedFile>>();

/**
 * The bytes and digest of a parsed file, computed on first use and shared by every later one (the
 * Idempotency-Key fingerprint and the upload itself): reading a Blob copies it, and hashing a
 * 25 MB file costs tens of milliseconds, so each happens once per request.
 */
export function readUploadedFile(file: Blob): Promise<UploadedFile> {
  let result = read.get(file);
  if (!result) {
    result = file.arrayBuffer().then((buffer) => {
      const bytes = Buffer.from(buffer);
      return { bytes, sha256: createHash("sha256").update(bytes).digest("hex") };
    });
    read.set(file, result);
  }
  return result;
}
