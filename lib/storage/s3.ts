import {
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  ListObjectsV2Command,
  NoSuchKey,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
} from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { assertSafeKey, type ListedObject, type StorageProvider, type StoredObject } from "./types";

export type S3StorageOptions = {
  bucket: string;
  region: string;
  endpoint?: string;
  /** The endpoint clients reach the bucket at, for presigned uploads, when it is not `endpoint` (default: `endpoint`). */
  publicEndpoint?: string;
  forcePathStyle?: boolean;
  credentials?: S3ClientConfig["credentials"];
  /** Bound of every call: connecting, waiting for an answer, a stalled body (default 10 s). */
  timeoutMs?: number;
};

/**
 * A call that did not complete within the bound: coded ETIMEDOUT, so the API answers 503 as for
 * any other unreachable dependency.
 */
class S3TimeoutError extends Error {
  override name = "S3TimeoutError";
  readonly code = "ETIMEDOUT";
}

/**
 * Any S3-compatible store (AWS, MinIO, R2). Media routes stream objects through the app rather
 * than redirecting, so the bucket stays private and every response carries our headers.
 */
export function createS3Storage(options: S3StorageOptions): StorageProvider {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const client = new S3Client({
    region: options.region,
    endpoint: options.endpoint,
    forcePathStyle: options.forcePathStyle,
    credentials: options.credentials,
    // S3-compatible servers reject the SDK's default CRC checksums on some calls.
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
    // Each try: connecting, the answer's headers, and any silence on the socket (a stalled body).
    requestHandler: {
      connectionTimeout: timeoutMs,
      requestTimeout: timeoutMs,
      throwOnRequestTimeout: true,
      socketTimeout: timeoutMs,
    },
  });
  // The SDK retries a timed-out try; the whole call, retries included, still answers within the
  // bound (a body being streamed back afterwards is bounded by socketTimeout alone).
  async function bounded<T>(call: (options: { abortSignal: AbortSignal }) => Promise<T>): Promise<T> {
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), timeoutMs);
    try {
      return await call({ abortSignal: abort.signal });
    } catch (error) {
      const name = (error as { name?: unknown }).name;
      if (abort.signal.aborted || name === "TimeoutError" || name === "AbortError")
        throw new S3TimeoutError(`S3: no answer within ${timeoutMs} ms`, { cause: error });
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }
  const Bucket = options.bucket;
  // Presigning is local (no request): a client of its own when browsers reach the bucket elsewhere.
  const presigner = options.publicEndpoint
    ? new S3Client({
        region: options.region,
        endpoint: options.publicEndpoint,
        forcePathStyle: options.forcePathStyle,
        credentials: options.credentials,
        requestChecksumCalculation: "WHEN_REQUIRED",
      })
    : client;

  async function listAll(prefix: string): Promise<ListedObject[]> {
    const listed: ListedObject[] = [];
    let ContinuationToken: string | undefined;
    do {
      const out = await bounded((o) =>
        client.send(new ListObjectsV2Command({ Bucket, Prefix: prefix, ContinuationToken }), o),
      );
      // S3 always sends LastModified; were it missing, the object counts as new (spared, not deleted).
      for (const o of out.Contents ?? [])
        if (o.Key) listed.push({ key: o.Key, lastModified: o.LastModified ?? new Date() });
      ContinuationToken = out.IsTruncated ? out.NextContinuationToken : undefined;
    } while (ContinuationToken);
    return listed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  return {
    kind: "s3",

    async put(key, data, contentType) {
      assertSafeKey(key);
      await bounded((o) =>
        client.send(
          new PutObjectCommand({
            Bucket,
            Key: key,
            Body: data,
            ContentType: contentType,
            ContentLength: data.byteLength,
          }),
          o,
        ),
      );
    },

    async presignPut(key, { bytes, contentType, expiresInSeconds }) {
      assertSafeKey(key);
      const command = new PutObjectCommand({ Bucket, Key: key, ContentLength: bytes, ContentType: contentType });
      // Signed headers: the store refuses a body of another length or type (the presigner signs neither by default).
      const url = await getSignedUrl(presigner, command, {
        expiresIn: expiresInSeconds,
        signableHeaders: new Set(["content-length", "content-type"]),
      });
      return { url, headers: { "Content-Type": contentType, "Content-Length": String(bytes) } };
    },

    async get(key): Promise<StoredObject | null> {
      assertSafeKey(key);
      try {
        const out = await bounded((o) => client.send(new GetObjectCommand({ Bucket, Key: key }), o));
        if (!out.Body) return null;
        return { body: out.Body.transformToWebStream() as ReadableStream<Uint8Array>, size: out.ContentLength ?? 0 };
      } catch (error) {
        if (error instanceof NoSuchKey || (error as { name?: string }).name === "NoSuchKey") return null;
        throw error;
      }
    },

    async delete(keys) {
      keys.forEach(assertSafeKey); // refuse the whole batch before deleting any chunk
      for (let i = 0; i < keys.length; i += 1000) {
        const chunk = keys.slice(i, i + 1000);
        if (chunk.length === 0) continue;
        const out = await bounded((o) =>
          client.send(
            new DeleteObjectsCommand({ Bucket, Delete: { Objects: chunk.map((Key) => ({ Key })), Quiet: true } }),
            o,
          ),
        );
        const failed = (out.Errors ?? []).filter((e) => e.Code !== "NoSuchKey");
        if (failed.length)
          throw new Error(`S3 could not delete ${failed.map((e) => `${e.Key}: ${e.Code}`).join(", ")}`);
      }
    },

    async list(prefix) {
      return (await listAll(prefix)).map((o) => o.key);
    },

    async listWithDates(prefix) {
      return listAll(prefix);
    },

    async check() {
      await bounded((o) => client.send(new HeadBucketCommand({ Bucket }), o));
    },
  };
}
