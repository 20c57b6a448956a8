import { z } from "zod";
import {
  MAX_ALIVE_SECONDS,
  MIN_ALIVE_SECONDS,
  createTempLinkSchema,
  imageListSchema,
  imageSchema,
  listImagesQuerySchema,
  listTempLinksQuerySchema,
  problemSchema,
  tempLinkCreatedSchema,
  tempLinkListSchema,
  tempLinkSchema,
  thumbnailSchema,
  uploadFormSchema,
  uuidParam,
} from "@/lib/api/schemas";
import { planHeightsSchema } from "@/lib/plans/schemas";

/**
 * The OpenAPI 3.1 description of the JSON API v1 and the public expiring links, generated from
 * the same zod schemas the routes parse with (lib/api/schemas.ts) via zod's own JSON Schema
 * conversion: request shapes as zod accepts them (io "input"), response shapes as the routes
 * produce them (io "output"). Served at /api/v1/openapi.json and rendered at /docs.
 */

// ---------------------------------------------------------------------------------------------
// Types (the subset of OpenAPI 3.1 this document uses; plain data, safe to pass to a client).

export interface JsonSchema {
  $ref?: string;
  type?: string | string[];
  format?: string;
  description?: string;
  enum?: unknown[];
  default?: unknown;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  additionalProperties?: boolean | JsonSchema;
  contentMediaType?: string;
  [keyword: string]: unknown;
}

export type HttpMethod = "get" | "post" | "put" | "patch" | "delete";
export const HTTP_METHODS: readonly HttpMethod[] = ["get", "post", "put", "patch", "delete"];

export type ParameterObject = {
  name: string;
  in: "path" | "query" | "header";
  required: boolean;
  description?: string;
  schema: JsonSchema;
};

export type HeaderObject = { description: string; schema: JsonSchema };

export type MediaTypeObject = {
  schema?: JsonSchema;
  example?: unknown;
  encoding?: Record<string, { contentType: string }>;
};

export type ResponseObject = {
  description: string;
  headers?: Record<string, HeaderObject>;
  content?: Record<string, MediaTypeObject>;
};

export type RequestBodyObject = { required: boolean; description?: string; content: Record<string, MediaTypeObject> };

export type SecurityRequirement = Record<string, string[]>;

export type OperationObject = {
  operationId: string;
  tags: string[];
  summary: string;
  description: string;
  parameters?: ParameterObject[];
  requestBody?: RequestBodyObject;
  responses: Record<string, ResponseObject>;
  /** Present only where it differs from the document's global security (`[]`: no authentication). */
  security?: SecurityRequirement[];
};

export type PathItemObject = Partial<Record<HttpMethod, OperationObject>>;

export type SecuritySchemeObject =
  | { type: "http"; scheme: "bearer"; description: string }
  | { type: "apiKey"; in: "cookie" | "header" | "query"; name: string; description: string };

export type OpenApiDocument = {
  openapi: string;
  info: { title: string; version: string; description: string };
  servers?: { url: string; description?: string }[];
  tags: { name: string; description: string }[];
  paths: Record<string, PathItemObject>;
  components: { schemas: Record<string, JsonSchema>; securitySchemes: Record<string, SecuritySchemeObject> };
  security: SecurityRequirement[];
};

// ---------------------------------------------------------------------------------------------
// Schemas: zod → JSON Schema.

type SchemaMeta = { id: string; description?: string };

/** Shapes the routes answer with (converted as their output). */
const RESPONSE_SCHEMAS: [z.ZodType, SchemaMeta][] = [
  [
    imageSchema,
    {
      id: "Image",
      description:
        "An image as the owner's current plan shows it. `thumbnails` lists exactly the plan's heights, ascending; each `width` is the width of the file served at that height (never upscaled). `original` is null unless the plan includes the original.",
    },
  ],
  [thumbnailSchema, { id: "Thumbnail", description: "One thumbnail of the current plan: its height, the served file's width, and its URL." }],
  [imageListSchema, { id: "ImageList", description: "A page of images, newest first. `next_cursor` is null on the last page." }],
  [
    tempLinkCreatedSchema,
    { id: "TempLinkCreated", description: "A new expiring link: anyone holding `url` may fetch the original until `expires_at`." },
  ],
  [tempLinkSchema, { id: "TempLink", description: "A live (not expired, not revoked) expiring link." }],
  [tempLinkListSchema, { id: "TempLinkList", description: "Your live expiring links, newest first." }],
  [
    problemSchema,
    {
      id: "Problem",
      description: "RFC 9457 problem details. `errors`, when present, maps each bad field to its messages.",
    },
  ],
];

/** Shapes the routes accept (converted as their input: defaults optional, extra keys allowed). */
const REQUEST_SCHEMAS: [z.ZodType, SchemaMeta][] = [
  [
    createTempLinkSchema,
    {
      id: "CreateTempLink",
      description: `An image of yours and how long the link lives: a whole number of seconds from ${MIN_ALIVE_SECONDS} to ${MAX_ALIVE_SECONDS}.`,
    },
  ],
  [
    uploadFormSchema,
    {
      id: "ImageUpload",
      description:
        "multipart/form-data fields: `name` (1–200 characters after trimming surrounding white space) and exactly one file in `image`, PNG or JPEG (detected from its bytes, never from the file name or declared type).",
    },
  ],
];

const SCHEMA_REF = (id: string) => `#/components/schemas/${id}`;
const ref = (id: string): JsonSchema => ({ $ref: SCHEMA_REF(id) });

/**
 * zod bounds every .int() to the safe-integer range; that is true but says nothing to a reader,
 * so those two bounds (and only those) are left out.
 */
function dropSafeIntegerBounds({ jsonSchema }: { jsonSchema: { minimum?: number; maximum?: number } }): void {
  if (jsonSchema.minimum === Number.MIN_SAFE_INTEGER) delete jsonSchema.minimum;
  if (jsonSchema.maximum === Number.MAX_SAFE_INTEGER) delete jsonSchema.maximum;
}

/** OpenAPI 3.1's default dialect is JSON Schema 2020-12, so per-schema $schema/$id add nothing. */
function bare(schema: JsonSchema): JsonSchema {
  const { $schema: _schema, $id: _id, ...rest } = schema;
  return rest;
}

function componentSchemas(entries: [z.ZodType, SchemaMeta][], io: "input" | "output"): Record<string, JsonSchema> {
  const registry = z.registry<SchemaMeta>();
  for (const [schema, meta] of entries) registry.add(schema, meta);
  const { schemas } = z.toJSONSchema(registry, { io, uri: SCHEMA_REF, metadata: registry, override: dropSafeIntegerBounds });
  return Object.fromEntries(Object.entries(schemas).map(([id, schema]) => [id, bare(schema as JsonSchema)]));
}

/** A standalone request schema (query object, path parameter), converted as zod accepts it. */
function inputSchema(schema: z.ZodType): JsonSchema {
  return bare(z.toJSONSchema(schema, { io: "input", override: dropSafeIntegerBounds }) as JsonSchema);
}

// ---------------------------------------------------------------------------------------------
// Parameters, headers, responses.

function queryParameters(schema: z.ZodType, descriptions: Record<string, string>): ParameterObject[] {
  const json = inputSchema(schema);
  return Object.entries(json.properties ?? {}).map(([name, property]) => ({
    name,
    in: "query",
    required: json.required?.includes(name) ?? false,
    ...(descriptions[name] ? { description: descriptions[name] } : {}),
    schema: property,
  }));
}

const pathParameter = (name: string, description: string, schema: JsonSchema): ParameterObject => ({
  name,
  in: "path",
  required: true,
  description,
  schema,
});

const text: JsonSchema = { type: "string" };
const header = (description: string, schema: JsonSchema = text): HeaderObject => ({ description, schema });

const HEADERS = {
  noStore: header("`private, no-store`: API answers are never cached.", { type: "string", enum: ["private, no-store"] }),
  problemNoStore: header("`no-store`.", { type: "string", enum: ["no-store"] }),
  wwwAuthenticate: header("`Bearer`, or `Bearer error=\"invalid_token\"` when a token was sent and refused."),
  retryAfter: header("Seconds to wait before retrying.", { type: "integer" }),
  etag: header("Strong ETag: the SHA-256 of the file's bytes, quoted. Send it back in If-None-Match to get 304."),
  contentLength: header("Size of the file in bytes.", { type: "integer" }),
  nosniff: header("`nosniff`.", { type: "string", enum: ["nosniff"] }),
  csp: header("`default-src 'none'`: the file can carry no active content.", { type: "string", enum: ["default-src 'none'"] }),
  disposition: header("`inline`.", { type: "string", enum: ["inline"] }),
};

const problem = (description: string, headers?: Record<string, HeaderObject>): ResponseObject => ({
  description,
  headers: { "Cache-Control": HEADERS.problemNoStore, ...headers },
  content: { "application/problem+json": { schema: ref("Problem") } },
});

const jsonResponse = (description: string, schemaId: string, headers?: Record<string, HeaderObject>): ResponseObject => ({
  description,
  headers: { "Cache-Control": HEADERS.noStore, ...headers },
  content: { "application/json": { schema: ref(schemaId) } },
});

const NO_CONTENT: ResponseObject = { description: "Done; no body.", headers: { "Cache-Control": HEADERS.noStore } };

const binary = (mediaType: string): MediaTypeObject => ({
  schema: { type: "string", format: "binary", contentMediaType: mediaType },
});

function mediaResponses(cacheControl: string): Record<string, ResponseObject> {
  const cache = header(cacheControl);
  return {
    "200": {
      description:
        "The file. Its Content-Type is the type detected at upload (PNG or JPEG); HEAD answers the same headers without the body.",
      headers: {
        "Cache-Control": cache,
        ETag: HEADERS.etag,
        "Content-Length": HEADERS.contentLength,
        "X-Content-Type-Options": HEADERS.nosniff,
        "Content-Security-Policy": HEADERS.csp,
        "Content-Disposition": HEADERS.disposition,
      },
      content: { "image/png": binary("image/png"), "image/jpeg": binary("image/jpeg") },
    },
    "304": {
      description: "Not modified: If-None-Match matched the file's ETag; no body.",
      headers: { "Cache-Control": cache, ETag: HEADERS.etag },
    },
  };
}

const ifNoneMatch: ParameterObject = {
  name: "If-None-Match",
  in: "header",
  required: false,
  description: "An ETag from an earlier answer; if it still matches, the answer is 304 without a body.",
  schema: text,
};

const COMMON_ERRORS = {
  "500": problem("Unexpected server error."),
  "503": problem("A backing service (database or storage) is unavailable; try again shortly.", {
    "Retry-After": HEADERS.retryAfter,
  }),
};

const unauthorized = problem(
  "Not authenticated: no Bearer token and no valid session cookie, or the token is invalid, revoked, or its user is deactivated (a sent Authorization header is never retried with the cookie).",
  { "WWW-Authenticate": HEADERS.wwwAuthenticate },
);

const CROSS_SITE =
  "a session-cookie request to change something came without an Origin header of this site (Bearer requests are exempt)";

const forbidden = (...reasons: string[]) => {
  const text = reasons.join("; or ");
  return problem(`Forbidden: ${text}.`);
};

// ---------------------------------------------------------------------------------------------
// The document.

const imageId = pathParameter(
  "id",
  "The image's id. A value that is not a UUID, or another user's image, answers 404 like a missing one.",
  inputSchema(uuidParam),
);

const description = `The JSON API of the image host, and its public expiring links.

**Authentication.** Every \`/api/v1\` operation takes either \`Authorization: Bearer <token>\` (API tokens from the Account page or \`npm run admin -- create-token --email you@example.com\`) or the web session cookie of a signed-in browser. With the cookie, requests that change something (POST, DELETE) must carry an \`Origin\` header of this site, or they answer 403. Public: \`GET /l/{token}\` and this document.

**Errors** are \`application/problem+json\` (RFC 9457): \`{"type","title","status","detail","errors"?}\`, with \`errors\` mapping each bad field to its messages. A method a route does not implement answers 405 with an \`Allow\` header; an unknown path under \`/api/v1\` answers 404.

**Plans** decide what each user gets (thumbnail heights, the original, expiring links), checked against the user's current plan on every request: a request outside the plan answers 403.`;

let described: Omit<OpenApiDocument, "servers"> | undefined;

/**
 * The OpenAPI 3.1 document; `serverUrl` (an origin, e.g. the PUBLIC_URL) becomes its one server.
 * Everything else is built once per process: only `servers` differs between calls.
 */
export function openApiDocument(serverUrl?: string): OpenApiDocument {
  const { openapi, info, ...rest } = (described ??= describeApi());
  return { openapi, info, ...(serverUrl ? { servers: [{ url: serverUrl.replace(/\/+$/, "") }] } : {}), ...rest };
}

function describeApi(): Omit<OpenApiDocument, "servers"> {
  const responseSchemas = componentSchemas(RESPONSE_SCHEMAS, "output");
  const requestSchemas = componentSchemas(REQUEST_SCHEMAS, "input");

  const paths: Record<string, PathItemObject> = {
    "/api/v1/images": {
      get: {
        operationId: "listImages",
        tags: ["Images"],
        summary: "List your images",
        description:
          "Newest first, keyset-paginated: pass a page's `next_cursor` as `cursor` for the next page (stable while uploads happen); `next_cursor` is null on the last page.",
        parameters: queryParameters(listImagesQuerySchema, {
          limit: "Items per page.",
          cursor: "The `next_cursor` of the previous page; omit for the first page.",
        }),
        responses: {
          "200": jsonResponse("A page of images.", "ImageList"),
          "401": unauthorized,
          "422": problem("`limit` is not a whole number from 1 to 100, or `cursor` is not one this API returned."),
          ...COMMON_ERRORS,
        },
      },
      post: {
        operationId: "uploadImage",
        tags: ["Images"],
        summary: "Upload an image",
        description:
          "Stores the original byte for byte and renders a thumbnail for each height of your plan (EXIF orientation applied, metadata stripped, same format as the source).",
        requestBody: {
          required: true,
          content: {
            "multipart/form-data": {
              schema: ref("ImageUpload"),
              encoding: { image: { contentType: "image/png, image/jpeg" } },
            },
          },
        },
        responses: {
          "201": jsonResponse("Created.", "Image", {
            Location: header("The new image's URL (`/api/v1/images/{id}`).", { type: "string", format: "uri" }),
          }),
          "400": problem("The multipart body could not be parsed."),
          "401": unauthorized,
          "403": forbidden(CROSS_SITE),
          "413": problem(
            "The upload is larger than MAX_UPLOAD_BYTES: refused from Content-Length, or as soon as a chunked body passes the limit.",
          ),
          "415": problem("The body is not multipart/form-data, or the file is not PNG or JPEG (detected from its bytes)."),
          "422": problem(
            "A bad `name`; no file, more than one file, or an empty, undecodable or truncated one; or an image over MAX_IMAGE_PIXELS.",
          ),
          ...COMMON_ERRORS,
        },
      },
    },
    "/api/v1/images/{id}": {
      get: {
        operationId: "getImage",
        tags: ["Images"],
        summary: "Get one image",
        description: "The image as your current plan shows it.",
        parameters: [imageId],
        responses: {
          "200": jsonResponse("The image.", "Image"),
          "401": unauthorized,
          "404": problem("No such image of yours."),
          ...COMMON_ERRORS,
        },
      },
      delete: {
        operationId: "deleteImage",
        tags: ["Images"],
        summary: "Delete an image",
        description: "Deletes the image, its original, its thumbnails and its expiring links.",
        parameters: [imageId],
        responses: {
          "204": NO_CONTENT,
          "401": unauthorized,
          "403": forbidden(CROSS_SITE),
          "404": problem("No such image of yours."),
          ...COMMON_ERRORS,
        },
      },
    },
    "/api/v1/images/{id}/thumbnails/{height}": {
      get: {
        operationId: "getThumbnail",
        tags: ["Media"],
        summary: "Get a thumbnail",
        description:
          "The thumbnail at one of your plan's heights. Never upscaled: an image shorter than the height is served at its own size. Cached privately for a year (`immutable`).",
        parameters: [
          imageId,
          pathParameter(
            "height",
            "One of your plan's thumbnail heights (plan heights are 1–4096 px). Not a positive whole number of at most 4 digits: 404; not in your current plan: 403.",
            inputSchema(planHeightsSchema.element),
          ),
          ifNoneMatch,
        ],
        responses: {
          ...mediaResponses("`private, max-age=31536000, immutable`."),
          "401": unauthorized,
          "403": forbidden("the height is not one of your current plan's heights"),
          "404": problem("No such image of yours, or the height is not a number."),
          ...COMMON_ERRORS,
        },
      },
    },
    "/api/v1/images/{id}/original": {
      get: {
        operationId: "getOriginal",
        tags: ["Media"],
        summary: "Get the original",
        description: "The original bytes exactly as uploaded, if your plan includes the original.",
        parameters: [imageId, ifNoneMatch],
        responses: {
          ...mediaResponses("`private, no-cache`: revalidate (If-None-Match) before reuse."),
          "401": unauthorized,
          "403": forbidden("your current plan does not include the original"),
          "404": problem("No such image of yours."),
          ...COMMON_ERRORS,
        },
      },
    },
    "/api/v1/temp-links": {
      post: {
        operationId: "createTempLink",
        tags: ["Expiring links"],
        summary: "Create an expiring link",
        description:
          "A URL anyone can open, without authentication, to fetch the image's original until it expires or is revoked. Requires a plan with expiring links.",
        requestBody: {
          required: true,
          content: {
            "application/json": {
              schema: ref("CreateTempLink"),
              example: { image_id: "6f1c2a4e-8b7d-4c3e-9a21-0d5e7f9b1c23", alive_duration: 3600 },
            },
          },
        },
        responses: {
          "201": jsonResponse("Created.", "TempLinkCreated"),
          "400": problem("The body is not valid JSON."),
          "401": unauthorized,
          "403": forbidden("your current plan does not include expiring links", CROSS_SITE),
          "404": problem("`image_id` names no image of yours."),
          "415": problem("The body is not sent as application/json."),
          "422": problem(
            `\`image_id\` is not a UUID, or \`alive_duration\` is not a whole number from ${MIN_ALIVE_SECONDS} to ${MAX_ALIVE_SECONDS}.`,
          ),
          ...COMMON_ERRORS,
        },
      },
      get: {
        operationId: "listTempLinks",
        tags: ["Expiring links"],
        summary: "List your live expiring links",
        description: "Links not yet expired nor revoked, newest first; all of them or one image's.",
        parameters: queryParameters(listTempLinksQuerySchema, { image_id: "Only this image's links." }),
        responses: {
          "200": jsonResponse("Your live links.", "TempLinkList"),
          "401": unauthorized,
          "404": problem("`image_id` names no image of yours."),
          "422": problem("`image_id` is not a UUID."),
          ...COMMON_ERRORS,
        },
      },
    },
    "/api/v1/temp-links/{id}": {
      delete: {
        operationId: "revokeTempLink",
        tags: ["Expiring links"],
        summary: "Revoke an expiring link",
        description: "The link answers 410 from then on. Revoking an already revoked link of yours is 204 again.",
        parameters: [
          pathParameter(
            "id",
            "The link's `id` (from the list). A value that is not a UUID, or another user's link, answers 404.",
            inputSchema(uuidParam),
          ),
        ],
        responses: {
          "204": NO_CONTENT,
          "401": unauthorized,
          "403": forbidden(CROSS_SITE),
          "404": problem("No such link of yours."),
          ...COMMON_ERRORS,
        },
      },
    },
    "/l/{token}": {
      get: {
        operationId: "openTempLink",
        tags: ["Expiring links"],
        summary: "Open an expiring link (public)",
        description:
          "The `url` of an expiring link: no authentication, the original's bytes until `expires_at`. Never cached (`no-store`), so a revoked link stops serving at once.",
        security: [],
        parameters: [
          pathParameter(
            "token",
            "The last segment of the link's `url` (`<link id>.<signature>`); it cannot be made up or altered.",
            inputSchema(z.string().min(1)),
          ),
          ifNoneMatch,
        ],
        responses: {
          ...mediaResponses("`private, no-store`."),
          "404": problem("The token is tampered with or unknown."),
          "410": problem(
            "Gone: the link expired or was revoked, or its owner's plan no longer includes expiring links or the owner was deactivated.",
          ),
          ...COMMON_ERRORS,
        },
      },
    },
    "/api/v1/openapi.json": {
      get: {
        operationId: "getOpenApiDocument",
        tags: ["Meta"],
        summary: "This OpenAPI document",
        description: "The OpenAPI 3.1 description of this API (public).",
        security: [],
        responses: {
          "200": {
            description: "The document.",
            headers: { "Cache-Control": header("`public, max-age=300`.") },
            content: {
              "application/json": {
                schema: {
                  type: "object",
                  description: "An OpenAPI 3.1 document.",
                  externalDocs: { url: "https://spec.openapis.org/oas/v3.1.1" },
                },
              },
            },
          },
        },
      },
    },
  };

  return {
    openapi: "3.1.1",
    info: { title: "Tiered Image Hosting API", version: "1.0.0", description },
    tags: [
      { name: "Images", description: "Upload, list, read and delete your images." },
      { name: "Media", description: "Image files: thumbnails by plan height, and the original." },
      { name: "Expiring links", description: "Time-limited public URLs to an original (plans with expiring links)." },
      { name: "Meta", description: "About the API itself." },
    ],
    paths,
    components: {
      schemas: { ...responseSchemas, ...requestSchemas },
      securitySchemes: {
        bearerAuth: {
          type: "http",
          scheme: "bearer",
          description:
            "An API token: create one on the Account page or with `npm run admin -- create-token --email you@example.com`. An invalid or revoked token answers 401.",
        },
        sessionCookie: {
          type: "apiKey",
          in: "cookie",
          name: "authjs.session-token",
          description:
            "The web session of a signed-in browser (named `__Secure-authjs.session-token` over HTTPS). Requests that change something must also send an Origin header of this site, or they answer 403.",
        },
      },
    },
    security: [{ bearerAuth: [] }, { sessionCookie: [] }],
  };
}

// ---------------------------------------------------------------------------------------------
// Helpers for readers of the document (the /docs page, tests).

/** "Image" for "#/components/schemas/Image". */
export function refName(reference: string): string {
  return reference.replace(/^#\/components\/schemas\//, "");
}

/** Follows a `$ref` into components.schemas (one level; component schemas are never bare refs). */
export function resolveSchema(document: OpenApiDocument, schema: JsonSchema): JsonSchema {
  if (!schema.$ref) return schema;
  const target = document.components.schemas[refName(schema.$ref)];
  if (!target) throw new Error(`unresolved schema reference ${schema.$ref}`);
  return target;
}

/** A short type for people: `string (uuid)`, `Thumbnail[]`, `"image/png" | "image/jpeg"`, `object | null`. */
export function schemaType(schema: JsonSchema): string {
  if (schema.$ref) return refName(schema.$ref);
  if (schema.anyOf) return schema.anyOf.map(schemaType).join(" | ");
  if (schema.enum) return schema.enum.map((v) => JSON.stringify(v)).join(" | ");
  const types = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : [];
  if (types.length === 0) return "any";
  return types
    .map((t) => {
      if (t === "array" && schema.items) return `${schemaType(schema.items)}[]`;
      if (t === "string" && schema.format) return `string (${schema.format})`;
      if (t === "object" && schema.properties) {
        const fields = Object.entries(schema.properties).map(([k, v]) => `${k}: ${schemaType(v)}`);
        return `{ ${fields.join(", ")} }`;
      }
      if (t === "object" && schema.additionalProperties && typeof schema.additionalProperties === "object") {
        return `map of ${schemaType(schema.additionalProperties)}`;
      }
      return t;
    })
    .join(" | ");
}

/** Constraints for people: `1–100`, `default 20`, `1–200 characters`. */
export function schemaConstraints(schema: JsonSchema): string[] {
  const out: string[] = [];
  if (schema.minimum !== undefined && schema.maximum !== undefined) out.push(`${schema.minimum}–${schema.maximum}`);
  else if (schema.minimum !== undefined) out.push(`≥ ${schema.minimum}`);
  else if (schema.maximum !== undefined) out.push(`≤ ${schema.maximum}`);
  if (schema.minLength !== undefined && schema.maxLength !== undefined) {
    out.push(`${schema.minLength}–${schema.maxLength} characters`);
  } else if (schema.minLength !== undefined) out.push(`at least ${schema.minLength} characters`);
  else if (schema.maxLength !== undefined) out.push(`at most ${schema.maxLength} characters`);
  if (schema.default !== undefined) out.push(`default ${JSON.stringify(schema.default)}`);
  return out;
}
