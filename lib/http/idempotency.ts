import { createHash } from "node:crypto";
import { AppError } from "@/lib/errors";
import {
  claimIdempotencyKey,
  completeIdempotencyKey,
  releaseIdempotencyKey,
  type StoredAnswer,
} from "@/lib/idempotency/keys";
import { IDEMPOTENCY_KEY } from "@/lib/idempotency/rules";
import { logger } from "@/lib/log";
import { readUploadedFile } from "./uploaded-file";

/**
 * `Idempotency-Key` for the operations that create something (lib/idempotency/keys.ts keeps the
 * records). The request's fingerprint is the operation and its parsed input, a file by the SHA-256
 * of its bytes, so a retry that sends the same thing matches however its multipart boundary or JSON
 * spacing differs.
 */
const IDEMPOTENCY_HEADER = "idempotency-key";

/**
 * Answers a retry may change, so they are not kept: a refusal of the moment (409, 429) and a
 * failure on our side (5xx). Everything else, success or refusal, is replayed as it was.
 */
const keepsAnswer = (status: number) => status < 500 && status !== 409 && status !== 429;

/** Sorted keys and files by digest: equal inputs give equal text. */
async function canonical(value: unknown): Promise<unknown> {
  if (value instanceof Blob) {
    return { file: (await readUploadedFile(value)).sha256(), bytes: value.size };
  }
  if (Array.isArray(value)) return Promise.all(value.map(canonical));
  if (value instanceof Date) return value.toISOString();
  if (value && typeof value === "object") {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return Object.fromEntries(await Promise.all(entries.map(async ([k, v]) => [k, await canonical(v)] as const)));
  }
  return value;
}

export async function requestFingerprint(operationId: string, input: unknown): Promise<string> {
  const text = JSON.stringify(await canonical({ operation: operationId, input }));
  return createHash("sha256").update(text).digest("hex");
}

function replayed(answer: StoredAnswer): Response {
  return new Response(answer.body || null, {
    status: answer.status,
    headers: { ...answer.headers, "Idempotent-Replayed": "true" },
  });
}

/** The key sent with the request, checked; null when there is none. */
export function idempotencyKeyOf(request: Request): string | null {
  const key = request.headers.get(IDEMPOTENCY_HEADER);
  if (key === null) return null;
  if (!IDEMPOTENCY_KEY.test(key)) {
    throw new AppError("invalid", "Idempotency-Key must be 1 to 255 printable ASCII characters.", {
      fields: { "Idempotency-Key": ["must be 1 to 255 printable ASCII characters"] },
    });
  }
  return key;
}

/**
 * Runs `respond` once per (user, key): the first request does the work and its answer is kept for
 * 24 h; a retry with the same request gets that answer again with `Idempotent-Replayed: true`.
 * `respond` answers every outcome as a Response (errors included), so refusals are kept too.
 */
export async function idempotently(
  userId: string,
  key: string,
  fingerprint: string,
  respond: () => Promise<Response>,
): Promise<Response> {
  const claim = await claimIdempotencyKey(userId, key, fingerprint);
  if (claim.kind === "replay") return replayed(claim.answer);

  let response: Response;
  try {
    response = await respond();
  } catch (error) {
    await releaseIdempotencyKey(userId, key, claim.claim).catch(() => {});
    throw error;
  }
  try {
    if (keepsAnswer(response.status)) {
      const headers = Object.fromEntries(response.headers);
      const body = await response.clone().text();
      await completeIdempotencyKey(userId, key, claim.claim, { status: response.status, headers, body });
    } else {
      await releaseIdempotencyKey(userId, key, claim.claim);
    }
  } catch (error) {
    // The work is done and its answer goes out; only a retry after the lease could repeat it.
    logger.error({ err: error, userId }, "could not record an Idempotency-Key's answer");
  }
  return response;
}
