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

/**
 * A file of a multipart body, over the bytes the parser gathered: readUploadedFile hands them on
 * as they are, with no copy out of the Blob.
 */
export function uploadedFileOf(bytes: Buffer<ArrayBuffer>, name: string, type: string): File {
  const file = new InMemoryFile(bytes, name, type);
  read.set(file, Promise.resolve(uploadedFile(bytes)));
  return file;
}

/**
 * A File that answers from bytes already in memory. `new File([bytes])` copies them into storage
 * of its own: one more copy of every upload (6.6 MB for a 12 MP photo), made after its last byte
 * arrived. Node's own consumers of a Blob (`new Response(file)`, `FormData.append`) read that
 * storage, empty here: hand them the bytes (readUploadedFile), never this file.
 */
class InMemoryFile extends File {
  readonly #bytes: Buffer<ArrayBuffer>;

  constructor(bytes: Buffer<ArrayBuffer>, name: string, type: string) {
    super([], name, { type });
    this.#bytes = bytes;
    Object.defineProperty(this, "size", { value: bytes.length }); // Blob's own getter reads its storage
  }

  override arrayBuffer(): Promise<ArrayBuffer> {
    const { buffer, byteOffset, byteLength } = this.#bytes;
    return Promise.resolve(buffer.slice(byteOffset, byteOffset + byteLength));
  }

  override bytes(): Promise<Uint8Array<ArrayBuffer>> {
    return Promise.resolve(new Uint8Array(this.#bytes));
  }

  override text(): Promise<string> {
    return Promise.resolve(new TextDecoder().decode(this.#bytes)); // as Blob.text(): UTF-8, BOM dropped
  }

  override stream(): ReadableStream<Uint8Array<ArrayBuffer>> {
    return new Blob([this.#bytes]).stream();
  }

  override slice(start?: number, end?: number, contentType?: string): Blob {
    return new Blob([this.#bytes]).slice(start, end, contentType);
  }
}

function uploadedFile(bytes: Buffer): UploadedFile {
  let digest: string | undefined;
  return { bytes, sha256: () => (digest ??= createHash("sha256").update(bytes).digest("hex")) };
}
