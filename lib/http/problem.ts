import { AppError, type ErrorKind, type FieldErrors } from "@/lib/errors";

/** RFC 9457 problem details: the one error shape every endpoint answers with. */
export type Problem = {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: FieldErrors;
};

const TITLES: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  409: "Conflict",
  410: "Gone",
  413: "Content Too Large",
  415: "Unsupported Media Type",
  429: "Too Many Requests",
  422: "Unprocessable Content",
  500: "Internal Server Error",
  503: "Service Unavailable",
};

/** The one place a service's error kind becomes an HTTP status. */
const STATUS: Record<ErrorKind, number> = {
  invalid: 422,
  "bad-request": 400,
  unauthenticated: 401,
  forbidden: 403,
  "quota-exceeded": 403,
  "not-found": 404,
  conflict: 409,
  "idempotency-key-in-use": 409,
  "idempotency-key-reused": 422,
  gone: 410,
  "too-large": 413,
  "unsupported-type": 415,
  "rate-limited": 429,
  unavailable: 503,
};

/** Kinds that share a status with a more general one say so in the problem's `type`. */
const TYPE_OF_KIND: Partial<Record<ErrorKind, string>> = {
  "quota-exceeded": "about:blank#quota-exceeded",
  "idempotency-key-in-use": "about:blank#idempotency-key-in-use",
  "idempotency-key-reused": "about:blank#idempotency-key-reused",
};

const KIND_OF_STATUS = new Map(
  Object.entries(STATUS)
    .filter(([kind]) => !(kind in TYPE_OF_KIND))
    .map(([kind, status]) => [status, kind as ErrorKind]),
);

/**
 * For lib/http's own errors that need what a kind cannot say: response headers (a 401's
 * WWW-Authenticate challenge) or a status of its own. Services throw AppError, never this.
 */
export class ApiError extends AppError {
  override name = "ApiError";
  readonly status: number;
  readonly detail: string;
  readonly errors?: FieldErrors;
  readonly headers?: Record<string, string>;

  constructor(status: number, detail: string, errors?: FieldErrors, headers?: Record<string, string>) {
    super(KIND_OF_STATUS.get(status) ?? (status >= 500 ? "unavailable" : "bad-request"), detail, { fields: errors });
    this.status = status;
    this.detail = detail;
    this.errors = errors;
    this.headers = headers;
  }
}

export function problemOf(status: number, detail: string, errors?: FieldErrors): Problem {
  const slug = (TITLES[status] ?? "Error").toLowerCase().replace(/\s+/g, "-");
  return {
    type: `about:blank#${slug}`,
    title: TITLES[status] ?? "Error",
    status,
    detail,
    ...(errors ? { errors } : {}),
  };
}

export function problemResponse(problem: Problem, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(problem), {
    status: problem.status,
    headers: { "Content-Type": "application/problem+json", "Cache-Control": "no-store", ...headers },
  });
}

const retryAfter = (error: AppError): Record<string, string> | undefined =>
  error.retryAfterSeconds === undefined ? undefined : { "Retry-After": String(error.retryAfterSeconds) };

/** A service's error as problem+json: its kind picks the status, its message is the detail. */
export function appErrorResponse(error: AppError): Response {
  const http = error instanceof ApiError ? error : undefined;
  const problem = problemOf(http?.status ?? STATUS[error.kind], error.message, error.fields);
  const type = http ? undefined : TYPE_OF_KIND[error.kind];
  return problemResponse(type ? { ...problem, type } : problem, {
    ...retryAfter(error),
    ...http?.headers,
  });
}
