import { createHash } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AppError } from "@/lib/errors";
import { type MultipartFields, readMultipart } from "./read-upload";
import { readUploadedFile } from "./uploaded-file";

const LIMIT = 64 * 1024;

/** A request as undici's FormData encodes it (what browsers and fetch send). */
function requestOf(form: FormData): Request {
  return new Request("http://app.test/api/v1/images", { method: "POST", body: form });
}

/**
 * The same request's body, streamed in chunks of `size` bytes: with no Content-Length (chunked),
 * or declaring the body's length plus `declaredOffBy` (only a capacity to the parser: the server
 * holds a body to its declared length).
 */
async function chunkedRequestOf(
  form: FormData,
  size: number,
  declaredOffBy?: number,
): Promise<{ request: Request; pulled: () => number }> {
  const encoded = requestOf(form);
  const body = new Uint8Array(await encoded.arrayBuffer());
  const length = declaredOffBy === undefined ? {} : { "content-length": String(body.length + declaredOffBy) };
  let offset = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (offset >= body.length) return controller.close();
      controller.enqueue(body.slice(offset, offset + size));
      offset += size;
    },
  });
  const request = new Request(encoded.url, {
    method: "POST",
    headers: { "content-type": encoded.headers.get("content-type") ?? "", ...length },
    body: stream,
    duplex: "half",
  } as RequestInit);
  return { request, pulled: () => offset };
}

/** Fields by name, each name's values in order: strings as they are, files as name, type and bytes. */
async function comparable(fields: MultipartFields | FormData) {
  const byName: [string, FormDataEntryValue[]][] =
    fields instanceof FormData
      ? [...new Set(fields.keys())].map((key) => [key, fields.getAll(key)])
      : Object.entries(fields).map(([key, v]) => [key, Array.isArray(v) ? v : [v]]);
  const shown = await Promise.all(
    byName.map(async ([key, values]) => [
      key,
      await Promise.all(
        values.map(async (value) =>
          typeof value === "string"
            ? value
            : { name: value.name, type: value.type, bytes: Buffer.from(await value.arrayBuffer()).toString("hex") },
        ),
      ),
    ]),
  );
  return Object.fromEntries(shown);
}

async function refusal(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

describe("readMultipart", () => {
  it("reads what FormData encodes exactly as the Fetch standard's formData() does, in any chunking", async () => {
    const bytes = fc.uint8Array({ maxLength: 3000 });
    // Values that look like the framing (CRLF, dashes) must not confuse the parser.
    const text = fc.stringMatching(/^[\w \-\r\n–é]{0,40}$/);
    const part = fc.oneof(
      fc.record({ key: fc.constantFrom("name", "image", "x"), value: text }),
      fc.record({
        key: fc.constantFrom("image", "other"),
        file: bytes,
        fileName: fc.stringMatching(/^[\w.\-é ]{1,20}$/),
        type: fc.constantFrom("image/jpeg", "image/png", "application/octet-stream"),
      }),
    );
    // Declared lengths off either way reach both of the parser's ways of gathering a file.
    const declaredOffBy = fc.option(fc.integer({ min: -400, max: 400 }), { nil: undefined });
    await fc.assert(
      fc.asyncProperty(
        fc.array(part, { maxLength: 5 }),
        fc.integer({ min: 1, max: 700 }),
        declaredOffBy,
        async (parts, chunk, offBy) => {
          const form = new FormData();
          for (const p of parts) {
            if ("value" in p) form.append(p.key, p.value);
            else form.append(p.key, new Blob([new Uint8Array(p.file)], { type: p.type }), p.fileName);
          }
          const expected = await comparable(await requestOf(form).formData());
          const { request } = await chunkedRequestOf(form, chunk, offBy);
          expect(await comparable(await readMultipart(request, LIMIT))).toEqual(expected);
        },
      ),
      { numRuns: 150 },
    );
  });

  it("gives a file that reads as the File formData() gives, through every Blob method", async () => {
    const bytes = fc.uint8Array({ maxLength: 2000 });
    const range = fc.option(fc.integer({ min: -2100, max: 2100 }), { nil: undefined });
    await fc.assert(
      fc.asyncProperty(bytes, range, range, async (content, start, end) => {
        const form = new FormData();
        form.append("image", new Blob([new Uint8Array(content)], { type: "image/png" }), "a.png");
        const expected = (await requestOf(form).formData()).get("image") as File;
        const file = (await readMultipart(requestOf(form), LIMIT)).image as File;
        expect(file).toBeInstanceOf(File);
        expect([file.name, file.type, file.size]).toEqual([expected.name, expected.type, expected.size]);
        const hex = (buffer: ArrayBuffer) => Buffer.from(buffer).toString("hex");
        expect(hex(await file.arrayBuffer())).toBe(hex(await expected.arrayBuffer()));
        expect(hex(await new Response(file.stream()).arrayBuffer())).toBe(hex(await expected.arrayBuffer()));
        expect(await file.text()).toBe(await expected.text());
        const [mine, theirs] = [file.slice(start, end), expected.slice(start, end)];
        expect(hex(await mine.arrayBuffer())).toBe(hex(await theirs.arrayBuffer()));
      }),
      { numRuns: 60 },
    );
  });

  it("hands a file's bytes to readUploadedFile as parsed, hashed once", async () => {
    const form = new FormData();
    form.append("name", "n");
    form.append("image", new Blob([new Uint8Array([1, 2, 3, 255])], { type: "image/png" }), "a.png");
    const fields = await readMultipart(requestOf(form), LIMIT);
    const file = fields.image as File;
    const first = await readUploadedFile(file);
    expect([...first.bytes]).toEqual([1, 2, 3, 255]);
    expect(await readUploadedFile(file)).toBe(first);
    expect(first.sha256()).toBe(
      createHash("sha256")
        .update(Buffer.from([1, 2, 3, 255]))
        .digest("hex"),
    );
  });

  it("refuses a file over the limit with 413, and a chunked body over it before reading it all", async () => {
    const form = new FormData();
    form.append("image", new Blob([new Uint8Array(LIMIT + 1)]), "big.jpg");
    expect((await refusal(readMultipart(requestOf(form), LIMIT))).kind).toBe("too-large");

    const huge = new FormData();
    huge.append("image", new Blob([new Uint8Array(LIMIT * 20)]), "huge.jpg");
    const { request, pulled } = await chunkedRequestOf(huge, 16 * 1024);
    expect((await refusal(readMultipart(request, LIMIT))).kind).toBe("too-large");
    expect(pulled()).toBeLessThan(LIMIT * 4);
  });

  it("refuses a body that is not multipart (415) and one cut short or without a boundary (400)", async () => {
    const json = new Request("http://app.test/", {
      method: "POST",
      body: "{}",
      headers: { "content-type": "application/json" },
    });
    expect((await refusal(readMultipart(json, LIMIT))).kind).toBe("unsupported-type");

    const form = new FormData();
    form.append("image", new Blob([new Uint8Array(100)]), "a.jpg");
    const whole = requestOf(form);
    const body = new Uint8Array(await whole.arrayBuffer());
    const cut = new Request(whole.url, {
      method: "POST",
      headers: { "content-type": whole.headers.get("content-type") ?? "" },
      body: body.slice(0, body.length - 30),
    });
    expect((await refusal(readMultipart(cut, LIMIT))).kind).toBe("bad-request");

    const noBoundary = new Request("http://app.test/", {
      method: "POST",
      body: "x",
      headers: { "content-type": "multipart/form-data; charset=utf-8" },
    });
    expect((await refusal(readMultipart(noBoundary, LIMIT))).kind).toBe("bad-request");
  });
});
