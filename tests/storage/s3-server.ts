/**
 * A real S3-compatible server (s3rver) on 127.0.0.1 for tests: storage contract tests, and API
 * tests that run with STORAGE=s3. Requests must be SigV4-signed with the returned credentials.
 *
 * s3rver runs in a child process because it needs a Node flag (see CHILD_SOURCE) and a small
 * patch that should not leak into the test process. The child exits when its parent does.
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";

export type S3TestServer = {
  /** e.g. http://127.0.0.1:43125 — use with forcePathStyle: true (any region works). */
  endpoint: string;
  /** Created before the server starts; it exists and is empty. */
  bucket: string;
  /** What s3rver's built-in account accepts; any other secret fails signature checks. */
  credentials: { accessKeyId: string; secretAccessKey: string };
  /** Stops the server and removes its data directory. Safe to call twice. */
  stop(): Promise<void>;
};

/**
 * Runs in the child (CommonJS, `node -e`). argv: s3rver's main module, its SigV4 module, options.
 *
 * Two s3rver 4.0.4 defects that break the AWS SDK v3 client, worked around here:
 * - It builds the canonical URI of bucket-level requests (ListObjectsV2, DeleteObjects,
 *   HeadBucket) from route params, so `/media/` is signed as `/media`, whereas the SDK (like real
 *   S3) signs the path as sent: each such call fails with 403 SignatureDoesNotMatch. We put the
 *   trailing slash back before s3rver computes the string to sign; the signature is still checked.
 * - Its ListObjectsV2 continuation tokens use DES, which Node's OpenSSL 3 only offers with
 *   --openssl-legacy-provider: without it, any listing of more than 1000 keys fails with 500.
 * Buckets are created in the store directly (configureBuckets): CreateBucket hits the first defect.
 */
const CHILD_SOURCE = `
const { AsyncLocalStorage } = require("node:async_hooks");
const [s3rverPath, sigV4Path, optionsJson] = process.argv.slice(1);
const S3rver = require(s3rverPath);
const sigV4 = require(sigV4Path);
const requestPath = new AsyncLocalStorage();
const getStringToSign = sigV4.getStringToSign;
sigV4.getStringToSign = function (canonicalRequest, request) {
  const sent = requestPath.getStore() || "";
  const uri = sent.endsWith("/") && !canonicalRequest.uri.endsWith("/") ? canonicalRequest.uri + "/" : canonicalRequest.uri;
  return getStringToSign.call(this, { ...canonicalRequest, uri }, request);
};
const server = new S3rver(JSON.parse(optionsJson));
server.middleware.unshift((ctx, next) => requestPath.run(new URL(ctx.req.url || "/", "http://s3rver").pathname, next));
process.on("disconnect", () => process.exit(0));
server.run().then(
  ({ port }) => process.send({ port }),
  (error) => { process.send({ error: String((error && error.stack) || error) }); process.exit(1); },
);
`;

const require = createRequire(import.meta.url);

export async function startS3Server(options: { bucket?: string } = {}): Promise<S3TestServer> {
  const bucket = options.bucket ?? "media";
  const directory = await mkdtemp(path.join(os.tmpdir(), "s3rver-"));
  const serverOptions = { port: 0, address: "127.0.0.1", silent: true, directory, configureBuckets: [{ name: bucket }] };
  const flags = process.allowedNodeEnvironmentFlags.has("--openssl-legacy-provider") ? ["--openssl-legacy-provider"] : [];
  const child = spawn(
    process.execPath,
    [
      ...flags,
      "-e",
      CHILD_SOURCE,
      require.resolve("@20minutes/s3rver"),
      require.resolve("@20minutes/s3rver/lib/signature/v4.js"),
      JSON.stringify(serverOptions),
    ],
    { stdio: ["ignore", "inherit", "inherit", "ipc"] },
  );

  let port: number;
  try {
    port = await new Promise<number>((resolve, reject) => {
      child.once("error", reject);
      child.once("exit", (code, signal) => reject(new Error(`s3rver exited (${signal ?? code}) before it was ready`)));
      child.once("message", (message: { port?: number; error?: string }) => {
        if (typeof message.port === "number") resolve(message.port);
        else reject(new Error(`s3rver failed to start: ${message.error}`));
      });
    });
  } catch (error) {
    child.kill();
    await rm(directory, { recursive: true, force: true });
    throw error;
  } finally {
    child.removeAllListeners();
  }
  // A forgotten stop() must not keep the test process alive; the child exits when we disconnect.
  child.unref();
  child.channel?.unref();

  let stopping: Promise<void> | undefined;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    bucket,
    credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" },
    stop() {
      stopping ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) {
          child.ref();
          const exited = once(child, "exit");
          child.kill();
          await exited;
        }
        await rm(directory, { recursive: true, force: true });
      })();
      return stopping;
    },
  };
}
