import type { z } from "zod";

/**
 * Errors the services throw on purpose. They say what went wrong in domain terms (a kind), never
 * as an HTTP status: the same services answer API routes, server actions and the CLI, and only
 * lib/http decides which status each kind becomes.
 */
export type ErrorKind =
  | "invalid"
  | "bad-request"
  | "unauthenticated"
  | "forbidden"
  | "quota-exceeded"
  | "not-found"
  | "conflict"
  | "idempotency-key-in-use"
  | "idempotency-key-reused"
  | "gone"
  | "too-large"
  | "unsupported-type"
  | "rate-limited"
  | "unavailable";

/** Messages keyed by field path ("heights.0"), so a form can show each beside its field. */
export type FieldErrors = Record<string, string[]>;

/** `message` is shown to the user as is, so it must be written for them. */
export class AppError extends Error {
  override name = "AppError";
  readonly fields?: FieldErrors;
  /** For "unavailable" and "rate-limited": how soon a retry may succeed. */
  readonly retryAfterSeconds?: number;

  constructor(
    readonly kind: ErrorKind,
    message: string,
    options: { fields?: FieldErrors; retryAfterSeconds?: number; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.fields = options.fields;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

export const notFound = (what: string) => new AppError("not-found", `No such ${what}.`);

export function fieldErrors(error: z.ZodError): FieldErrors {
  const errors: FieldErrors = {};
  for (const issue of error.issues) {
    const key = issue.path.length ? issue.path.join(".") : "_";
    (errors[key] ??= []).push(issue.message);
  }
  return errors;
}

/** The message names every bad field too, for callers that show only the message (API clients, the CLI). */
function invalidInput(error: z.ZodError): AppError {
  const fields = fieldErrors(error);
  const summary = Object.entries(fields)
    .map(([field, messages]) => `${field}: ${messages.join("; ")}`)
    .join(". ");
  return new AppError("invalid", `Validation failed. ${summary}`, { fields });
}

export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw invalidInput(result.error);
  return result.data;
}
