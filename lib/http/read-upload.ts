import { AppError } from "@/lib/errors";

/** Room for the multipart boundaries, headers and the name field around the file itself. */
const MULTIPART_OVERHEAD = 64 * 1024;

const tooLarge = (maxBytes: number) =>
  new AppError("too-large", `The upload is larger than the limit of ${maxBytes} bytes (${(maxBytes / 1048576).toFixed(1)} MiB).`, {
    fields: { image: ["file too large"] },
  });

/**
 * Reads a multipart/form-data upload, refusing an oversized one early: by its Content-Length
 * before reading anything, or by counting bytes as they stream in (chunked uploads), so an
 * oversized body is never buffered whole.
 */
export async function readUpload(request: Request, maxBytes: number): Promise<{ name: unknown; file: File | null }> {
  const contentType = request.headers.get("content-type") ?? "";
  if (!/^multipart\/form-data\s*;/i.test(contentType)) {
    throw new AppError("unsupported-type", "Send the upload as multipart/form-data with fields `name` and `image`.");
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
    form = await new Request(request.url, { method: "POST", headers: { "content-type": contentType }, body: counted, duplex: "half" } as RequestInit).formData();
  } catch {
    if (exceeded) throw tooLarge(maxBytes);
    throw new AppError("bad-request", "The multipart body could not be parsed.");
  }

  const files = form.getAll("image").filter((v): v is File => typeof v !== "string");
  if (files.length > 1) throw new AppError("invalid", "Send exactly one file in `image`.", { fields: { image: ["exactly one file"] } });
  const file = files[0] ?? null;
  if (file && file.size > maxBytes) throw tooLarge(maxBytes);
  return { name: form.get("name"), file };
}
