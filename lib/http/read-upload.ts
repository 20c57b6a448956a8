import { once } from "node:events";
import { Busboy, type BusboyInstance } from "@fastify/busboy";
import { AppError } from "@/lib/errors";
import { rememberUploadedFile } from "./uploaded-file";

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
 */
export async function readMultipart(request: Request, maxBytes: number): Promise<MultipartFields> {
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
    parser.on("file", (name, stream, fileName, _encoding, mimeType) => {
      const entry: (typeof entries)[number] = { name };
      entries.push(entry);
      const chunks: Buffer[] = [];
      let size = 0;
      stream.on("data", (chunk: Buffer) => {
        chunks.push(chunk);
        size += chunk.length;
      });
      stream.on("limit", () => fail(tooLarge(maxBytes)));
      stream.on("error", () => fail(unparseable()));
      stream.on("end", () => {
        if (stream.truncated) return;
        const bytes = Buffer.concat(chunks, size);
        const file = new File([bytes], fileName, { type: mimeType });
        rememberUploadedFile(file, bytes);
        entry.value = file;
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

const unparseable = () => new AppError("bad-request", "The multipart body could not be parsed.");
