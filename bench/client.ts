/** The bench's HTTP client of the JSON API: uploads, and waiting for an image to be ready. */
import { randomUUID } from "node:crypto";
import http from "node:http";
import { sleep } from "../tests/infra/stack/processes";

type Target = { origin: string; token: string };
type ImageBody = { id: string; status: "processing" | "ready" | "failed" };

const authorization = (app: Target) => ({ Authorization: `Bearer ${app.token}` });

/** A JPEG as the multipart part; made once per file, so building it is not timed with each upload. */
export const jpegBlob = (bytes: Buffer) => new Blob([new Uint8Array(bytes)], { type: "image/jpeg" });

const fileBytes = new WeakMap<Blob, Promise<Buffer>>();

/** A file's bytes, read out of its Blob once. */
function bytesOf(file: Blob): Promise<Buffer> {
  let bytes = fileBytes.get(file);
  if (!bytes) fileBytes.set(file, (bytes = file.arrayBuffer().then((buffer) => Buffer.from(buffer))));
  return bytes;
}

const keepAlive = new http.Agent({ keepAlive: true });

/**
 * POST /api/v1/images as multipart/form-data, as curl sends it: the framing encoded here and the
 * file's bytes written as they are, with node:http. fetch with a FormData encodes each body
 * through web streams, 35–45 ms of CPU per 6.6 MB upload on the cores the server is measured on.
 */
async function upload(app: Target, name: string, file: Blob): Promise<{ status: number; body: string }> {
  try {
    return await uploadOnce(app, name, file);
  } catch (error) {
    // A kept-alive connection the server closed as idle just as the request went out on it: the
    // server read nothing of it (Node's docs for request.reusedSocket), so it is sent again once.
    if (!(error instanceof StaleConnectionError)) throw error;
    return uploadOnce(app, name, file);
  }
}

class StaleConnectionError extends Error {
  override name = "StaleConnectionError";
}

async function uploadOnce(app: Target, name: string, file: Blob): Promise<{ status: number; body: string }> {
  const boundary = `bench-${randomUUID()}`;
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="name"\r\n\r\n${name}\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="image"; filename="${name}.jpg"\r\n` +
      `Content-Type: ${file.type}\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const bytes = await bytesOf(file);
  return new Promise((resolve, reject) => {
    const request = http.request(
      `${app.origin}/api/v1/images`,
      {
        method: "POST",
        agent: keepAlive,
        headers: {
          ...authorization(app),
          "content-type": `multipart/form-data; boundary=${boundary}`,
          "content-length": head.length + bytes.length + tail.length,
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () =>
          resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }),
        );
        response.on("error", reject);
      },
    );
    request.on("error", (error: NodeJS.ErrnoException) =>
      reject(
        request.reusedSocket && error.code === "ECONNRESET"
          ? new StaleConnectionError("connection reset", { cause: error })
          : error,
      ),
    );
    request.write(head);
    request.write(bytes);
    request.end(tail);
  });
}

/** Polling interval while an image is `processing`: fine enough for a figure of a few hundred ms. */
const POLL_MS = 10;
const READY_TIMEOUT_MS = 120_000;

/**
 * Uploads and waits until the Image says `ready`: at once if the 201 says so, otherwise polling
 * GET /api/v1/images/{id}. Throws unless the upload answers 201 and the image becomes ready.
 */
export async function uploadUntilReady(
  app: Target,
  name: string,
  file: Blob,
): Promise<{ ms: number; polls: number; id: string }> {
  const start = performance.now();
  const created = await upload(app, name, file);
  if (created.status !== 201) throw new Error(`upload of ${name} answered ${created.status}: ${created.body}`);
  return untilReady(app, name, JSON.parse(created.body) as ImageBody, start);
}

/** Polls GET /api/v1/images/{id} from the upload's answer until the image is ready. */
async function untilReady(
  app: Target,
  name: string,
  answered: ImageBody,
  start: number,
): Promise<{ ms: number; polls: number; id: string }> {
  let image = answered;
  let polls = 0;
  while (image.status !== "ready") {
    if (image.status === "failed") throw new Error(`image ${image.id} (${name}) failed to process`);
    if (performance.now() - start > READY_TIMEOUT_MS)
      throw new Error(`image ${image.id} (${name}) was not ready within ${READY_TIMEOUT_MS / 1000} s`);
    await sleep(POLL_MS);
    const response = await fetch(`${app.origin}/api/v1/images/${image.id}`, {
      headers: authorization(app),
    });
    if (response.status !== 200)
      throw new Error(`GET image ${image.id} answered ${response.status}: ${await response.text()}`);
    image = (await response.json()) as ImageBody;
    polls++;
  }
  return { ms: performance.now() - start, polls, id: image.id };
}

/**
 * The gallery's way: ask for an upload URL, PUT the file there (on disk storage the app's own
 * signed URL), then complete, whose 201 is the Image. Waits until ready as uploadUntilReady does.
 */
export async function directUploadUntilReady(
  app: Target,
  name: string,
  file: Blob,
): Promise<{ ms: number; polls: number; id: string }> {
  const start = performance.now();
  const auth = authorization(app);
  const asked = await fetch(`${app.origin}/api/v1/uploads`, {
    method: "POST",
    headers: { ...auth, "content-type": "application/json" },
    body: JSON.stringify({ name, bytes: file.size, content_type: file.type }),
  });
  if (asked.status !== 201)
    throw new Error(`POST /uploads for ${name} answered ${asked.status}: ${await asked.text()}`);
  const { id, url, headers } = (await asked.json()) as { id: string; url: string; headers: Record<string, string> };
  const put = await fetch(url, { method: "PUT", headers, body: file });
  if (!put.ok) throw new Error(`PUT of ${name} answered ${put.status}: ${await put.text()}`);
  const completed = await fetch(`${app.origin}/api/v1/uploads/${id}/complete`, { method: "POST", headers: auth });
  const body = await completed.text();
  if (completed.status !== 201) throw new Error(`completing ${name} answered ${completed.status}: ${body}`);
  return untilReady(app, name, JSON.parse(body) as ImageBody, start);
}
