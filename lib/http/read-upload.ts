import { once } from "node:events";
import { Busboy, type BusboyInstance } from "@fastify/busboy";
import { AppError } from "@/lib/errors";
import { uploadedFileOf } from "./uploaded-file";

/** Room for the multipart boundaries, headers and the name field around the file itself. */
const MULTIPART_OVERHEAD = 64 * 1024;

const tooLarge = (maxBytes: number) =>
  new AppError(
    "too-large",
    `The upload is larger than the limit of ${maxBytes} bytes (${(maxBytes / 1048576).toFixed(1)} MiB).`,
    {
      fields: { image: ["file too large"] },
    },
  );

/** A field sent once is its value; sent more than once, the list of them (the schema decides). */
export type MultipartFields = Record<string, FormDataEntryValue | FormDataEntryValue[]>;

/**
 * Reads a multipart/form-data body, refusing an oversized one early: by its Content-Length
 * before reading anything, or by counting bytes as they stream in (chunked uploads), so an
 * oversized body is never buffered whole. Parsed as it arrives (busboy): a file's bytes are
 * gathered from the socket's chunks into one Buffer, which readUploadedFile hands on as it is.
 * That buffer comes from `borrow` (lib/memory/buffer-pool: the caller gives it back when done).
 */
export async function readMultipart(
  request: Request,
  maxBytes: number,
  borrow: (size: number) => Buffer<ArrayBuffer> = Buffer.allocUnsafe,
): Promise<MultipartFields> {
  const contentType = request.headers.get("content-type") ?? "";
  if (!/^multipart\/form-data\s*;/i.test(contentType)) {
    throw new AppError("unsupported-type", "Send the upload as multipart/form-data.");
  }
  const bodyLimit = maxBytes + MULTIPART_OVERHEAD;
  const declared = Number(request.headers.get("content-length") ?? NaN);
  if (declared > bodyLimit) throw tooLarge(maxBytes);
  if (!request.body) throw new AppError("invalid", "The request has no body.", { fields: { image: ["required"] } });

  // In the body's order: a file takes its place when its part begins, and gets its bytes at its end.
  const entries: { name: string; value?: FormDataEntryValue }[] = [];
  let parser: BusboyInstance;
  try {
    parser = Busboy({
      headers: { "content-type": contentType },
      // As the Fetch standard's formData(): a part is a file when it names a file name.
      isPartAFile: (_field, _type, fileName) => fileName !== undefined,
      // The file name as sent, as formData() gives it (it never reaches a storage key).
      preservePath: true,
      // A text field whole, as formData() keeps it (the body's limit bounds it); busboy cuts at 1 MiB.
      limits: { fileSize: maxBytes, fieldSize: bodyLimit },
    });
  } catch {
    throw unparseable();
  }

  let failure: AppError | undefined;
  const parsed = new Promise<void>((resolve, reject) => {
    const fail = (error: AppError) => {
      failure ??= error;
      reject(failure);
    };
    parser.on("field", (name, value) => entries.push({ name, value }));
    let files = 0;
    parser.on("file", (name, stream, fileName, _encoding, mimeType) => {
      const entry: (typeof entries)[number] = { name };
      entries.push(entry);
      // The one file an upload sends fits in the body's declared length, and in the limit.
      const capacity = files++ === 0 && Number.isSafeInteger(declared) ? Math.min(declared, maxBytes) : 0;
      const gathered = new GatheredBytes(capacity > 0 ? borrow(capacity) : undefined);
      stream.on("data", (chunk: Buffer) => gathered.add(chunk));
      stream.on("limit", () => fail(tooLarge(maxBytes)));
      stream.on("error", () => fail(unparseable()));
      stream.on("end", () => {
        if (stream.truncated) return;
        entry.value = uploadedFileOf(gathered.bytes(), fileName, mimeType);
      });
    });
    parser.on("finish", () => (failure ? reject(failure) : resolve()));
    parser.on("error", () => fail(unparseable()));
  });
  parsed.catch(() => {}); // awaited below; a failure while the body still streams stops the pump first

  const reader = request.body.getReader();
  let received = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (failure) break;
      if (done) {
        parser.end();
        break;
      }
      received += value.byteLength;
      if (received > bodyLimit) {
        failure ??= tooLarge(maxBytes);
        break;
      }
      const chunk = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
      if (!parser.write(chunk)) await once(parser, "drain").catch(() => {}); // an error is reported by `parsed`
    }
  } catch {
    failure ??= new AppError("bad-request", "The upload was interrupted before its end.");
  }
  if (failure) {
    await reader.cancel().catch(() => {});
    parser.destroy();
    throw failure;
  }
  await parsed;
  const fields: MultipartFields = {};
  for (const { name, value } of entries) {
    if (value === undefined) continue;
    const earlier = fields[name];
    fields[name] = earlier === undefined ? value : Array.isArray(earlier) ? [...earlier, value] : [earlier, value];
  }
  return fields;
}

/**
 * A file part's bytes as they arrive: copied at once into the buffer given (the socket's chunks
 * then go as soon as they are read, and nothing is left to join at the end); past its end, or
 * with none, kept and joined at the end.
 */
class GatheredBytes {
  #buffer: Buffer<ArrayBuffer> | undefined;
  #chunks: Buffer[] = [];
  #size = 0;

  constructor(buffer: Buffer<ArrayBuffer> | undefined) {
    this.#buffer = buffer;
  }

  add(chunk: Buffer): void {
    if (this.#buffer && this.#size + chunk.length <= this.#buffer.length) chunk.copy(this.#buffer, this.#size);
    else {
      if (this.#buffer) this.#chunks.push(this.#buffer.subarray(0, this.#size));
      this.#buffer = undefined;
      this.#chunks.push(chunk);
    }
    this.#size += chunk.length;
  }

  /** Only the bytes written: never the rest of the buffer, which may hold an earlier upload's. */
  bytes(): Buffer<ArrayBuffer> {
    return this.#buffer ? this.#buffer.subarray(0, this.#size) : Buffer.concat(this.#chunks, this.#size);
  }
}

const unparseable = () => new AppError("bad-request", "The multipart body could not be parsed.");
