/** The rules of Idempotency-Key, apart from the records (lib/idempotency/keys.ts), for the API document too. */
export const IDEMPOTENCY_TTL_SECONDS = 24 * 60 * 60;

/**
 * How long a running first request holds its key. Every dependency call is bounded (S3, PostgreSQL,
 * Redis), so a request still running after this has died with its process.
 */
export const IDEMPOTENCY_LEASE_SECONDS = 120;

/** Printable ASCII, 1–255 characters: what Stripe accepts (UUIDs, ULIDs, client-made strings). */
export const IDEMPOTENCY_KEY = /^[\x20-\x7e]{1,255}$/;
