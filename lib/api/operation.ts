import { z } from "zod";
import type { ZodOpenApiResponseObject } from "zod-openapi";
import { problemSchema } from "./schemas";

/**
 * One API operation, defined once: the route wrapper (lib/http/api-route.ts) authenticates and
 * parses with it, the OpenAPI document (lib/openapi) is assembled from it, and the tests check
 * that every route file is bound to operations and every operation to a route.
 */
type Method = "get" | "post" | "patch" | "put" | "delete";

/** A success response, or the description of an error (documented as problem+json). */
type Responses = Record<number, ZodOpenApiResponseObject | string>;

export type Operation = {
  id: string;
  method: Method;
  /** OpenAPI path template, e.g. `/api/v1/images/{id}`. */
  path: string;
  /** `user`: a Bearer token or the session cookie; `public`: anyone. */
  auth: "user" | "public";
  tag: string;
  summary: string;
  description: string;
  /** Path parameters; a value the schema refuses answers 404 "No such <notFound>." */
  params?: { schema: z.ZodObject; notFound: string };
  query?: z.ZodObject;
  body?: { type: "application/json" | "multipart/form-data"; schema: z.ZodObject };
  /** A body of raw bytes in one of these types, documented here and read by the handler itself (never parsed). */
  rawBody?: { types: readonly string[]; description: string };
  headers?: z.ZodObject;
  /**
   * An extra per-user limit beside requests per minute: `upload` counts against the plan's
   * uploads per hour. (Public operations are limited per client IP.)
   */
  rateLimit?: "upload";
  /** Takes an `Idempotency-Key` header: a retry with the same key replays the first answer. */
  idempotent?: true;
  responses: Responses;
};

export const defineOperation = <const O extends Operation>(operation: O): O => operation;

type Output<S> = S extends z.ZodType ? z.output<S> : Record<string, never>;

/** What a handler receives: already authenticated and parsed. */
export type OperationInput<O extends Operation> = {
  params: O["params"] extends { schema: infer S } ? Output<S> : Record<string, never>;
  query: Output<O["query"]>;
  body: O["body"] extends { schema: infer S } ? Output<S> : undefined;
};

// Response builders for the operation files.

const noStore = z.literal("private, no-store").meta({ description: "API answers are never cached." });

export function jsonResponse(
  description: string,
  schema: z.ZodType,
  headers: z.ZodRawShape = {},
): ZodOpenApiResponseObject {
  return {
    description,
    headers: z.object({ "Cache-Control": noStore, ...headers }),
    content: { "application/json": { schema } },
  };
}

export const noContent: ZodOpenApiResponseObject = {
  description: "Done; no body.",
  headers: z.object({ "Cache-Control": noStore }),
};

export function problemResponse(description: string, headers: z.ZodRawShape = {}): ZodOpenApiResponseObject {
  return {
    description,
    headers: z.object({ "Cache-Control": z.literal("no-store"), ...headers }),
    content: { "application/problem+json": { schema: problemSchema } },
  };
}

const etag = z.string().meta({
  description: "Strong ETag: the SHA-256 of the file's bytes, quoted. Send it back in If-None-Match for a 304.",
});

export const ifNoneMatch = z.object({
  "If-None-Match": z
    .string()
    .optional()
    .meta({ description: "An ETag from an earlier answer; if it still matches, 304 without a body." }),
});

/** 200 and 304 of a file route (thumbnails, originals, expiring links). */
export function mediaResponses(cacheControl: string): Responses {
  const cache = z.literal(cacheControl);
  const file = { schema: z.string().meta({ format: "binary" }) };
  return {
    200: {
      description:
        "The file, in the type detected at upload (PNG or JPEG); HEAD answers the same headers without the body.",
      headers: z.object({
        "Cache-Control": cache,
        ETag: etag,
        "Content-Length": z.number().int().meta({ description: "Size of the file in bytes." }),
        "X-Content-Type-Options": z.literal("nosniff"),
        "Content-Security-Policy": z
          .literal("default-src 'none'")
          .meta({ description: "The file can carry no active content." }),
        "Content-Disposition": z.string().meta({
          description:
            "`inline`, or `attachment` with `?download=1`, naming the file after the image: a plain ASCII `filename` for older clients (accents dropped), then the exact name in `filename*` (RFC 8187: UTF-8, percent-encoded). The name is made safe for any file system (control and invisible characters, path separators and other characters file systems refuse are replaced; at most 150 bytes; `image` if nothing is left), and the extension follows the served type.",
          example: `inline; filename="Cafe.jpg"; filename*=UTF-8''Caf%C3%A9%20%E6%97%A5%E6%9C%AC.jpg`,
        }),
      }),
      content: { "image/png": file, "image/jpeg": file },
    },
    304: {
      description: "Not modified: If-None-Match matched the file's ETag; no body.",
      headers: z.object({ "Cache-Control": cache, ETag: etag }),
    },
  };
}
