import { createHash } from "node:crypto";

/** A file from a multipart body, read out of its Blob once; its SHA-256 (hex) computed on first use. */
export type UploadedFile = { bytes: Buffer; sha256: () => string };

const read = new WeakMap<Blob, Promise<UploadedFile>>();

/**
 * The bytes of a parsed file, read on first use and shared by every later one (the
 * Idempotency-Key fingerprint and the upload itself): reading a Blob copies it. The digest is
 * computed once too, when first asked for: an upload without a key asks while its decode runs on
 * libvips' threads, so hashing a 25 MB file does not add to its time.
 */
export function readUploadedFile(file: Blob): Promise<UploadedFile> {
  let result = read.get(file);
  if (!result) {
    result = file.arrayBuffer().then((buffer) => uploadedFile(Buffer.from(buffer)));
    read.set(file, result);
  }
  return result;
}

/** The multipart parser made `file` from `bytes`: they are its bytes, with no copy out of the Blob. */
export function rememberUploadedFile(file: Blob, bytes: Buffer): void {
  read.set(file, Promise.resolve(uploadedFile(bytes)));
}

function uploadedFile(bytes: Buffer): UploadedFile {
  let digest: string | undefined;
  return { bytes, sha256: () => (digest ??= createHash("sha256").update(bytes).digest("hex")) };
}
