/**
 * A real S3-compatible server (s3rver) on 127.0.0.1: for the storage contract tests, API tests
 * that run with STORAGE=s3, and the native production stack (tests/infra/stack). Requests must be
 * SigV4-signed with the returned credentials.
 *
 * s3rver runs in a child process because it needs a Node flag (see CHILD_SOURCE) and a small
 * patch that should not leak into the calling process. By default the child exits when its
 * parent does; with `detached: true` it outlives its parent (the stack CLI's `up`) and is stopped
 * by pid (`down`).
 *
 * Given `port` and `directory`, a server can be stopped and started again on the same port with
 * its objects kept (fault tests: storage goes away and comes back).
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { closeSync, mkdirSync, openSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";

export type S3TestServer = {
  /** e.g. http://127.0.0.1:43125 — use with forcePathStyle: true (any region works). */
  endpoint: string;
  /** The port it listens on (pass it back as `port`, with `directory`, to start it again there). */
  port: number;
  /** Created before the server starts; it exists (and is empty unless `directory` held objects). */
  bucket: string;
  /** What s3rver's built-in account accepts; any other secret fails signature checks. */
  credentials: { accessKeyId: string; secretAccessKey: string };
  /** Where objects are stored. */
  directory: string;
  /** The child's pid (with `detached`, also its process group id). */
  pid: number;
  /**
   * Stops the server; removes its data directory if this call created it (no `directory` given),
   * otherwise keeps it, so a server started again on it finds its objects. Safe to call twice.
   */
  stop(): Promise<void>;
};

export type S3ServerOptions = {
  /** Default "media". */
  bucket?: string;
  /** Default 0: any free port. */
  port?: number;
  /** Data directory (created if missing, kept on stop). Default: a fresh temporary directory, removed on stop. */
  directory?: string;
  /** Own process group; survives this process (stop it with stop() or by pid). */
  detached?: boolean;
  /** Where the child's stdout/stderr go (appended). Default: inherited (s3rver itself is silent). */
  logFile?: string;
};

/**
 * Runs in the child (CommonJS, `node -e`). argv: s3rver's main module, its SigV4 module, options,
 * "attached" | "detached".
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
const [s3rverPath, sigV4Path, optionsJson, mode] = process.argv.slice(1);
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
if (mode !== "detached") process.on("disconnect", () => process.exit(0));
server.run().then(
  ({ port }) => process.send({ port }),
  (error) => { process.send({ error: String((error && error.stack) || error) }); process.exit(1); },
);
`;

const require = createRequire(import.meta.url);

export async function startS3Server(options: S3ServerOptions = {}): Promise<S3TestServer> {
  const bucket = options.bucket ?? "media";
  const ownsDirectory = options.directory === undefined;
  const directory = options.directory ?? (await mkdtemp(path.join(os.tmpdir(), "s3rver-")));
  if (!ownsDirectory) mkdirSync(directory, { recursive: true });
  const serverOptions = {
    port: options.port ?? 0,
    address: "127.0.0.1",
    silent: true,
    directory,
    configureBuckets: [{ name: bucket }],
  };
  const flags = process.allowedNodeEnvironmentFlags.has("--openssl-legacy-provider")
    ? ["--openssl-legacy-provider"]
    : [];
  const log = options.logFile === undefined ? undefined : openLog(options.logFile);
  const output = log ?? "inherit";
  const child = spawn(
    process.execPath,
    [
      ...flags,
      "-e",
      CHILD_SOURCE,
      require.resolve("@20minutes/s3rver"),
      require.resolve("@20minutes/s3rver/lib/signature/v4.js"),
      JSON.stringify(serverOptions),
      options.detached ? "detached" : "attached",
    ],
    { stdio: ["ignore", output, output, "ipc"], detached: options.detached === true },
  );
  if (log !== undefined) closeSync(log);

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
    if (ownsDirectory) await rm(directory, { recursive: true, force: true });
    throw error;
  } finally {
    child.removeAllListeners();
  }
  if (child.pid === undefined) throw new Error("s3rver has no pid");
  const pid = child.pid;
  if (options.detached) {
    // It runs on by itself now: no channel, no handle keeping this process alive.
    child.disconnect();
  } else {
    // A forgotten stop() must not keep this process alive; the child exits when we disconnect.
    child.channel?.unref();
  }
  child.unref();

  let stopping: Promise<void> | undefined;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    bucket,
    credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" },
    directory,
    pid,
    stop() {
      stopping ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) {
          child.ref();
          const exited = once(child, "exit");
          child.kill("SIGTERM");
          const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
          await exited;
          clearTimeout(timer);
        }
        if (ownsDirectory) await rm(directory, { recursive: true, force: true });
      })();
      return stopping;
    },
  };
}

function openLog(file: string): number {
  mkdirSync(path.dirname(file), { recursive: true });
  return openSync(file, "a");
}
