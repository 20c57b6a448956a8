import { z } from "zod";
import {
  type ZodOpenApiOperationObject,
  type ZodOpenApiPathsObject,
  type ZodOpenApiResponseObject,
  createDocument,
} from "zod-openapi";
import { type Operation, problemResponse } from "@/lib/api/operation";
import { operations } from "@/lib/api/operations";
import { IDEMPOTENCY_KEY } from "@/lib/idempotency/rules";
import { PUBLIC_PER_MINUTE } from "@/lib/limits/policies";

/**
 * The OpenAPI 3.1 document, assembled from the operation registry by zod-openapi: requests as
 * zod accepts them, responses as the routes produce them. Served at /api/v1/openapi.json and
 * rendered at /docs.
 */
const description = `The JSON API of the image host, and its public expiring links.

**Authentication.** Every \`/api/v1\` operation takes either \`Authorization: Bearer <token>\` (API tokens from the Account page or \`npm run admin -- create-token --email you@example.com\`) or the web session cookie of a signed-in browser. With the cookie, requests that change something must carry an \`Origin\` header of this site, or they answer 403. Public: \`GET /l/{token}\` and this document.

**Errors** are \`application/problem+json\` (RFC 9457): \`{"type","title","status","detail","errors"?}\`, with \`errors\` mapping each bad field to its messages. A method a route does not implement answers 405 with an \`Allow\` header; an unknown path under \`/api/v1\` answers 404.

**Plans** decide what each user gets (thumbnail heights, the original, expiring links), checked against the user's current plan on every request: a request outside the plan answers 403.

**Rate limits.** Your plan sets requests per minute and uploads per hour (0 = unlimited); public operations allow ${PUBLIC_PER_MINUTE} requests per minute per client IP. Over a limit: 429 with \`Retry-After\` (seconds). Answers carry \`RateLimit-Policy\` and \`RateLimit\` (draft-ietf-httpapi-ratelimit-headers), e.g. \`RateLimit-Policy: "minute";q=600;w=60\` and \`RateLimit: "minute";r=599;t=42\`: quota \`q\` per window \`w\` seconds, \`r\` remaining, \`t\` seconds until the window resets.`;

const CROSS_SITE =
  "A session-cookie request to change something came without an Origin header of this site (Bearer requests are exempt).";

/** What every operation may answer, beside what it documents itself. */
function implicitErrors(operation: Operation): Record<number, string> {
  const errors: Record<number, string> = {
    500: "Unexpected server error.",
    503: "A backing service (database or storage) is unavailable; try again shortly.",
  };
  errors[429] =
    operation.auth === "public"
      ? `Too many requests from your IP address (${PUBLIC_PER_MINUTE} per minute); retry after Retry-After seconds.`
      : operation.rateLimit === "upload"
        ? "Over your plan's requests per minute or uploads per hour; retry after Retry-After seconds."
        : "Over your plan's requests per minute; retry after Retry-After seconds.";
  if (operation.idempotent) {
    errors[409] =
      "A request with the same Idempotency-Key is still in progress (`type` ends in `idempotency-key-in-use`); retry after Retry-After seconds.";
    errors[422] =
      "The Idempotency-Key was used in the last 24 h for a different request (`type` ends in `idempotency-key-reused`), or is not 1 to 255 printable characters.";
  }
  if (operation.auth === "public") return errors;
  errors[401] =
    "Not authenticated: no Bearer token and no valid session cookie, or the token is invalid, revoked, or its user is deactivated (a sent Authorization header is never retried with the cookie).";
  if (operation.method !== "get") errors[403] = CROSS_SITE;
  return errors;
}

const retryAfter = { "Retry-After": z.number().int().meta({ description: "Seconds to wait before retrying." }) };
const wwwAuthenticate = {
  "WWW-Authenticate": z
    .string()
    .meta({ description: '`Bearer`, or `Bearer error="invalid_token"` when a token was sent and refused.' }),
};

/** draft-ietf-httpapi-ratelimit-headers (structured-field form, drafts 08+), as lib/http/rate-limit.ts sends them. */
const rateLimitHeaders = {
  "RateLimit-Policy": z.string().optional().meta({
    description:
      'The limits that apply, one named policy each: quota `q` per window `w` seconds, e.g. `"minute";q=600;w=60, "upload";q=100;w=3600` (`minute`: requests per minute; `upload`: uploads per hour). Absent when the plan sets no limit.',
  }),
  RateLimit: z.string().optional().meta({
    description:
      'What is left of each policy: `r` requests remaining, `t` seconds until the window resets, e.g. `"minute";r=599;t=42`.',
  }),
};

const idempotencyKeyHeader = {
  "Idempotency-Key": z.string().regex(IDEMPOTENCY_KEY).optional().meta({
    description:
      "Makes a retry safe: for 24 h the same key from you with the same request answers the first response again (with `Idempotent-Replayed: true`) without doing the work twice. Use a new random key (e.g. a UUID) per new request. Answers of 409, 429 and 5xx are not kept, so a retry after them runs again.",
    example: "5d0f3f0e-6a4b-4c55-9d4e-2b8f1f4f6a10",
  }),
};

const idempotentReplayHeader = {
  "Idempotent-Replayed": z
    .literal("true")
    .optional()
    .meta({ description: "Present when this is the kept answer of an earlier request with the same Idempotency-Key." }),
};

const defined = <T extends object>(value: T) =>
  Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;

/** zod bounds every .int() by the safe-integer range: true, but noise to a reader. */
function dropSafeIntegerBounds({ jsonSchema }: { jsonSchema: { minimum?: number; maximum?: number } }): void {
  if (jsonSchema.minimum === Number.MIN_SAFE_INTEGER) delete jsonSchema.minimum;
  if (jsonSchema.maximum === Number.MAX_SAFE_INTEGER) delete jsonSchema.maximum;
}

/** Every answer past authentication says where the caller stands in its limits. */
function withHeaders(response: ZodOpenApiResponseObject, extra: z.ZodRawShape): ZodOpenApiResponseObject {
  const headers = response.headers instanceof z.ZodObject ? response.headers.extend(extra) : z.object(extra);
  return { ...response, headers };
}

function describeOperation(operation: Operation): ZodOpenApiOperationObject {
  const responses: Record<string, ZodOpenApiResponseObject> = {};
  const implicit = implicitErrors(operation);
  const statuses = [...new Set([...Object.keys(operation.responses), ...Object.keys(implicit)].map(Number))].sort(
    (a, b) => a - b,
  );
  for (const status of statuses) {
    const given = operation.responses[status];
    if (given !== undefined && typeof given !== "string") {
      responses[status] =
        status < 400
          ? withHeaders(
              given,
              operation.idempotent ? { ...rateLimitHeaders, ...idempotentReplayHeader } : rateLimitHeaders,
            )
          : given;
      continue;
    }
    const text = [given, implicit[status]].filter(Boolean).join(" Or: ");
    const headers =
      status === 503
        ? retryAfter
        : status === 401
          ? wwwAuthenticate
          : status === 429
            ? { ...retryAfter, ...rateLimitHeaders }
            : {};
    responses[status] = problemResponse(text, headers);
  }
  return {
    operationId: operation.id,
    tags: [operation.tag],
    summary: operation.summary,
    description: operation.description,
    requestParams: defined({
      path: operation.params?.schema,
      query: operation.query,
      header: operation.idempotent
        ? (operation.headers ?? z.object({})).extend(idempotencyKeyHeader)
        : operation.headers,
    }),
    ...(operation.body
      ? { requestBody: { required: true, content: { [operation.body.type]: { schema: operation.body.schema } } } }
      : {}),
    ...(operation.rawBody
      ? {
          requestBody: {
            required: true,
            description: operation.rawBody.description,
            content: Object.fromEntries(
              operation.rawBody.types.map((type) => [type, { schema: z.string().meta({ format: "binary" }) }]),
            ),
          },
        }
      : {}),
    responses,
    ...(operation.auth === "public" ? { security: [] } : {}),
  };
}

function describeApi() {
  const paths: ZodOpenApiPathsObject = {};
  for (const operation of operations) (paths[operation.path] ??= {})[operation.method] = describeOperation(operation);
  return createDocument(
    {
      openapi: "3.1.1",
      info: { title: "Tiered Image Hosting API", version: "1.0.0", description },
      tags: [
        { name: "Images", description: "Upload, list, read and delete your images." },
        {
          name: "Uploads",
          description:
            "Direct uploads: the file goes straight to storage, then the app validates it and makes the image.",
        },
        { name: "Media", description: "Image files: thumbnails by plan height, and the original." },
        { name: "Expiring links", description: "Time-limited public URLs to an original (plans with expiring links)." },
        { name: "Account", description: "You, your plan's limits and your storage usage." },
        { name: "Meta", description: "About the API itself." },
      ],
      paths,
      components: {
        securitySchemes: {
          bearerAuth: {
            type: "http",
            scheme: "bearer",
            description:
              "An API token: create one on the Account page or with `npm run admin -- create-token --email you@example.com`.",
          },
          sessionCookie: {
            type: "apiKey",
            in: "cookie",
            name: "authjs.session-token",
            description: "The web session of a signed-in browser (`__Secure-authjs.session-token` over HTTPS).",
          },
        },
      },
      security: [{ bearerAuth: [] }, { sessionCookie: [] }],
    },
    { override: dropSafeIntegerBounds },
  );
}

let described: ReturnType<typeof describeApi> | undefined;

/** The document with `serverUrl` (an origin) as its one server; the rest is built once per process. */
export function openApiDocument(serverUrl?: string) {
  described ??= describeApi();
  return { ...described, ...(serverUrl ? { servers: [{ url: serverUrl.replace(/\/+$/, "") }] } : {}) };
}
