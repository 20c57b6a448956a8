/** Error codes along an error's cause chain (drivers wrap: drizzle → postgres.js → node's socket error). */
function errorCodes(error: unknown): string[] {
  const codes: string[] = [];
  for (let e: unknown = error; e; e = (e as { cause?: unknown }).cause) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string") codes.push(code);
  }
  return codes;
}

/** The PostgreSQL SQLSTATE of a failed query, if that is what failed. */
export function pgErrorCode(error: unknown): string | undefined {
  return errorCodes(error).find((code) => /^[0-9A-Z]{5}$/.test(code));
}

export const UNIQUE_VIOLATION = "23505";
export const FOREIGN_KEY_VIOLATION = "23503";
/** query_canceled: what a statement cut off by `statement_timeout` fails with. */
const QUERY_CANCELED = "57014";

const UNAVAILABLE = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENOTFOUND",
  "CONNECT_TIMEOUT",
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  QUERY_CANCELED, // the database did not answer within the statement timeout
]);

/** A backing service could not be reached (as opposed to rejecting the request). */
export function isUnavailable(error: unknown): boolean {
  return errorCodes(error).some((code) => UNAVAILABLE.has(code));
}
