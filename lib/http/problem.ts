import type { z } from "zod";

/** RFC 9457 problem details: the one error shape every endpoint answers with. */
export type FieldErrors = Record<string, string[]>;

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
  422: "Unprocessable Content",
  500: "Internal Server Error",
  503: "Service Unavailable",
};

/** An error a service throws on purpose; the route wrapper turns it into problem+json. */
export class ApiError extends Error {
  override name = "ApiError";
  constructor(
    readonly status: number,
    readonly detail: string,
    readonly errors?: FieldErrors,
    readonly headers?: Record<string, string>,
  ) {
    super(detail);
  }
}

export const notFound = (what = "resource") => new ApiError(404, `No such ${what}.`);

export function problemOf(status: number, detail: string, errors?: FieldErrors): Problem {
  const slug = (TITLES[status] ?? "Error").toLowerCase().replace(/\s+/g, "-");
  return { type: `about:blank#${slug}`, title: TITLES[status] ?? "Error", status, detail, ...(errors ? { errors } : {}) };
}

export function problemResponse(problem: Problem, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(problem), {
    status: problem.status,
    headers: { "Content-Type": "application/problem+json", "Cache-Control": "no-store", ...headers },
  });
}

/** zod issues keyed by field path, so a form can show each message beside its field. */
export function fieldErrors(error: z.ZodError): FieldErrors {
  const errors: FieldErrors = {};
  for (const issue of error.issues) {
    const key = issue.path.length ? issue.path.join(".") : "_";
    (errors[key] ??= []).push(issue.message);
  }
  return errors;
}

export function validationError(error: z.ZodError): ApiError {
  const errors = fieldErrors(error);
  const summary = Object.entries(errors)
    .map(([field, messages]) => `${field}: ${messages.join("; ")}`)
    .join(". ");
  return new ApiError(422, `Validation failed. ${summary}`, errors);
}

/** Parses or throws a 422 ApiError naming each bad field. */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw validationError(result.error);
  return result.data;
}
