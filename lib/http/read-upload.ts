import { AppError } from "@/lib/errors";

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
 * oversized body is never buffered whole.
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

  let received = 0;
  let exceeded = false;
  const counted = request.body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        received += chunk.byteLength;
        if (received > bodyLimit) {
          exceeded = true;
          controller.error(new Error("upload too large"));
          return;
        }
        controller.enqueue(chunk);
      },
    }),
  );

  let form: FormData;
  try {
    const init = {
      method: "POST",
      headers: { "content-type": contentType },
      body: counted,
      duplex: "half",
    } as RequestInit;
    form = await new Request(request.url, init).formData();
  } catch {
    if (exceeded) throw tooLarge(maxBytes);
    throw new AppError("bad-request", "The multipart body could not be parsed.");
  }

  const fields: MultipartFields = {};
  for (const key of new Set(form.keys())) {
    const values = form.getAll(key);
    if (values.some((v) => typeof v !== "string" && v.size > maxBytes)) throw tooLarge(maxBytes);
    fields[key] = values.length === 1 ? (values[0] as FormDataEntryValue) : values;
  }
  return fields;
}
