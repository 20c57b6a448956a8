import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { z } from "zod";
import {
  MAX_ALIVE_SECONDS,
  MIN_ALIVE_SECONDS,
  createTempLinkSchema,
  listImagesQuerySchema,
  listTempLinksQuerySchema,
  uploadFieldsSchema,
  uuidParam,
} from "@/lib/api/schemas";
import {
  HTTP_METHODS,
  type HttpMethod,
  type JsonSchema,
  type OpenApiDocument,
  type OperationObject,
  openApiDocument,
  resolveSchema,
} from "./document";

const ROOT = path.resolve(import.meta.dirname, "../..");
const doc = openApiDocument("https://images.example.com/");

function operations(document: OpenApiDocument): { path: string; method: HttpMethod; operation: OperationObject }[] {
  return Object.entries(document.paths).flatMap(([p, item]) =>
    HTTP_METHODS.flatMap((method) => {
      const operation = item[method];
      return operation ? [{ path: p, method, operation }] : [];
    }),
  );
}

// ---------------------------------------------------------------------------------------------
// The routes as the file system has them.

function routeFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return routeFiles(full);
    return entry.name === "route.ts" ? [full] : [];
  });
}

/** app/api/v1/images/[id]/route.ts → /api/v1/images/{id}; null for catch-alls. */
function openApiPathOf(file: string): string | null {
  const segments = path.relative(path.join(ROOT, "app"), path.dirname(file)).split(path.sep);
  if (segments.some((s) => s.startsWith("[..."))) return null;
  return "/" + segments.map((s) => s.replace(/^\[(\w+)\]$/, "{$1}")).join("/");
}

const METHOD = "(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)";

/**
 * The methods a route module implements, read from its source: `export const GET = apiRoute(…)`,
 * `publicRoute(…)` or `export async function GET` count; `methodNotAllowed(…)` does not, and
 * `export const PATCH = PUT` is whatever PUT is.
 */
function implementedMethods(source: string): Set<string> {
  const initializers = new Map<string, string | null>();
  for (const statement of source.split(/^(?=export\s)/m)) {
    const fn = new RegExp(`^export\\s+(?:async\\s+)?function\\s+${METHOD}\\b`).exec(statement);
    const constant = new RegExp(`^export\\s+const\\s+${METHOD}\\s*=\\s*([\\s\\S]*)`).exec(statement);
    if (fn?.[1]) initializers.set(fn[1], null);
    else if (constant?.[1]) initializers.set(constant[1], (constant[2] ?? "").trim());
  }
  const implemented = (method: string, seen = new Set<string>()): boolean => {
    const init = initializers.get(method);
    if (init === undefined) return false;
    if (init === null) return true;
    const alias = new RegExp(`^${METHOD}\\s*;?$`).exec(init);
    if (alias?.[1]) return !seen.has(alias[1]) && implemented(alias[1], new Set([...seen, method]));
    return !/^methodNotAllowed\s*\(/.test(init);
  };
  return new Set([...initializers.keys()].filter((m) => implemented(m)));
}

const routes = [...routeFiles(path.join(ROOT, "app/api/v1")), ...routeFiles(path.join(ROOT, "app/l"))].flatMap((file) => {
  const apiPath = openApiPathOf(file);
  return apiPath ? [{ file, apiPath, methods: implementedMethods(readFileSync(file, "utf8")) }] : [];
});

describe("the route scanner", () => {
  it("tells real handlers from 405 stubs and follows aliases", () => {
    const source = [
      "export const GET = apiRoute(async () => json({}));",
      "export const DELETE = publicRoute<{ id: string }>(async () =>",
      "  new Response(null),",
      ");",
      "export async function HEAD() { return new Response(); }",
      'export const POST = methodNotAllowed(["GET"]);',
      "export const PUT = POST;",
      "export const PATCH = GET;",
    ].join("\n");
    expect([...implementedMethods(source)].sort()).toEqual(["DELETE", "GET", "HEAD", "PATCH"]);
  });

  it("finds the API's routes and skips the catch-all", () => {
    const paths = routes.map((r) => r.apiPath);
    expect(paths).toContain("/api/v1/images/{id}/thumbnails/{height}");
    expect(paths).toContain("/l/{token}");
    expect(paths).toContain("/api/v1/openapi.json");
    expect(paths.some((p) => p.includes("..."))).toBe(false);
  });
});

// ---------------------------------------------------------------------------------------------

describe("openApiDocument", () => {
  it("is OpenAPI 3.1 with info, servers and both security schemes", () => {
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
    expect(doc.info.title).not.toBe("");
    expect(doc.info.version).not.toBe("");
    expect(doc.info.description).toContain("Authorization: Bearer");
    expect(doc.servers).toEqual([{ url: "https://images.example.com" }]);
    expect(openApiDocument().servers).toBeUndefined();
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: "http", scheme: "bearer" });
    expect(doc.components.securitySchemes.sessionCookie).toMatchObject({ type: "apiKey", in: "cookie", name: "authjs.session-token" });
    expect(doc.security).toEqual([{ bearerAuth: [] }, { sessionCookie: [] }]);
    expect(doc.paths["/l/{token}"]?.get?.security).toEqual([]);
    expect(doc.paths["/api/v1/openapi.json"]?.get?.security).toEqual([]);
  });

  it("documents exactly the operations the route files implement", () => {
    const implemented = routes.flatMap((r) => [...r.methods].map((m) => `${m} ${r.apiPath}`)).sort();
    const documented = operations(doc)
      .map((o) => `${o.method.toUpperCase()} ${o.path}`)
      .sort();
    expect(documented).toEqual(implemented);
    expect(implemented).toEqual(
      [
        "GET /api/v1/images",
        "POST /api/v1/images",
        "GET /api/v1/images/{id}",
        "DELETE /api/v1/images/{id}",
        "GET /api/v1/images/{id}/thumbnails/{height}",
        "GET /api/v1/images/{id}/original",
        "GET /api/v1/temp-links",
        "POST /api/v1/temp-links",
        "DELETE /api/v1/temp-links/{id}",
        "GET /l/{token}",
        "GET /api/v1/openapi.json",
      ].sort(),
    );
  });

  it("declares every path template parameter as a required path parameter, and no others", () => {
    for (const { path: p, operation } of operations(doc)) {
      const inPath = [...p.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
      const declared = (operation.parameters ?? []).filter((x) => x.in === "path");
      expect(declared.map((x) => x.name).sort(), p).toEqual(inPath);
      expect(declared.every((x) => x.required)).toBe(true);
    }
  });

  it("has unique operation ids and resolvable schema references", () => {
    const ids = operations(doc).map((o) => o.operation.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    const refs = JSON.stringify(doc).match(/"\$ref":"[^"]+"/g) ?? [];
    expect(refs.length).toBeGreaterThan(0);
    for (const r of refs) {
      const name = r.slice('"$ref":"#/components/schemas/'.length, -1);
      expect(r.startsWith('"$ref":"#/components/schemas/'), r).toBe(true);
      expect(doc.components.schemas[name], r).toBeDefined();
    }
  });

  it("documents 401 on every authenticated operation, and every error as problem+json", () => {
    for (const { path: p, method, operation } of operations(doc)) {
      const isPublic = p === "/l/{token}" || p === "/api/v1/openapi.json";
      expect(operation.security === undefined, `${method} ${p} security`).toBe(!isPublic);
      if (!isPublic) expect(operation.responses["401"], `${method} ${p}`).toBeDefined();
      else expect(operation.responses["401"], `${method} ${p}`).toBeUndefined();
      for (const [status, response] of Object.entries(operation.responses)) {
        if (Number(status) < 400) continue;
        expect(Object.keys(response.content ?? {}), `${method} ${p} ${status}`).toEqual(["application/problem+json"]);
        expect(response.content?.["application/problem+json"]?.schema).toEqual({ $ref: "#/components/schemas/Problem" });
      }
    }
  });

  it("documents the statuses of the README's API table", () => {
    const statuses = (p: string, m: HttpMethod) => Object.keys(doc.paths[p]?.[m]?.responses ?? {});
    expect(statuses("/api/v1/images", "post")).toEqual(expect.arrayContaining(["201", "401", "403", "413", "415", "422", "503"]));
    expect(statuses("/api/v1/images", "get")).toEqual(expect.arrayContaining(["200", "401", "422"]));
    expect(statuses("/api/v1/images/{id}", "get")).toEqual(expect.arrayContaining(["200", "404"]));
    expect(statuses("/api/v1/images/{id}", "delete")).toEqual(expect.arrayContaining(["204", "404"]));
    expect(statuses("/api/v1/images/{id}/thumbnails/{height}", "get")).toEqual(expect.arrayContaining(["200", "304", "403", "404"]));
    expect(statuses("/api/v1/images/{id}/original", "get")).toEqual(expect.arrayContaining(["200", "304", "403", "404"]));
    expect(statuses("/api/v1/temp-links", "post")).toEqual(expect.arrayContaining(["201", "403", "404", "415", "422"]));
    expect(statuses("/api/v1/temp-links", "get")).toEqual(expect.arrayContaining(["200", "422"]));
    expect(statuses("/api/v1/temp-links/{id}", "delete")).toEqual(expect.arrayContaining(["204", "404"]));
    expect(statuses("/l/{token}", "get")).toEqual(expect.arrayContaining(["200", "304", "404", "410"]));
  });

  it("describes bodies, media and headers", () => {
    const upload = doc.paths["/api/v1/images"]?.post;
    const multipart = upload?.requestBody?.content["multipart/form-data"];
    expect(multipart?.schema).toEqual({ $ref: "#/components/schemas/ImageUpload" });
    const form = resolveSchema(doc, multipart?.schema ?? {});
    expect(form.required).toEqual(["name", "image"]);
    expect(form.properties?.image).toMatchObject({ type: "string", format: "binary" });
    expect(upload?.responses["201"]?.headers?.Location).toBeDefined();
    expect(upload?.responses["201"]?.content?.["application/json"]?.schema).toEqual({ $ref: "#/components/schemas/Image" });

    const create = doc.paths["/api/v1/temp-links"]?.post?.requestBody?.content["application/json"];
    expect(create?.schema).toEqual({ $ref: "#/components/schemas/CreateTempLink" });
    expect(createTempLinkSchema.safeParse(create?.example).success).toBe(true);

    for (const p of ["/api/v1/images/{id}/thumbnails/{height}", "/api/v1/images/{id}/original", "/l/{token}"]) {
      const ok = doc.paths[p]?.get?.responses["200"];
      expect(Object.keys(ok?.content ?? {}).sort(), p).toEqual(["image/jpeg", "image/png"]);
      expect(ok?.headers?.ETag, p).toBeDefined();
      expect(ok?.headers?.["Cache-Control"], p).toBeDefined();
      expect(doc.paths[p]?.get?.responses["304"]?.content, p).toBeUndefined();
    }
    for (const [p, m] of [
      ["/api/v1/images/{id}", "delete"],
      ["/api/v1/temp-links/{id}", "delete"],
    ] as const) {
      expect(doc.paths[p]?.[m]?.responses["204"]?.content).toBeUndefined();
    }
  });
});

// ---------------------------------------------------------------------------------------------
// The document's request schemas accept and refuse what zod does.

/** Just enough JSON Schema for the keywords these schemas use; refuses any keyword it does not know. */
function validates(schema: JsonSchema, value: unknown): boolean {
  const known = new Set([
    "$ref", "type", "format", "description", "default", "minimum", "maximum", "minLength", "maxLength",
    "pattern", "properties", "required", "additionalProperties", "enum", "items", "anyOf", "contentEncoding", "propertyNames",
  ]);
  for (const key of Object.keys(schema)) if (!known.has(key)) throw new Error(`validator does not know ${key}`);
  if (schema.$ref) return validates(resolveSchema(doc, schema), value);
  if (schema.anyOf && !schema.anyOf.some((s) => validates(s, value))) return false;
  if (schema.enum && !schema.enum.includes(value)) return false;
  if (schema.type) {
    const types = Array.isArray(schema.type) ? schema.type : [schema.type];
    const typeOf = (t: string) =>
      t === "integer" ? Number.isInteger(value)
      : t === "number" ? typeof value === "number" && Number.isFinite(value)
      : t === "null" ? value === null
      : t === "array" ? Array.isArray(value)
      : t === "object" ? typeof value === "object" && value !== null && !Array.isArray(value)
      : typeof value === t;
    if (!types.some(typeOf)) return false;
  }
  if (typeof value === "number") {
    if (schema.minimum !== undefined && value < schema.minimum) return false;
    if (schema.maximum !== undefined && value > schema.maximum) return false;
  }
  if (typeof value === "string") {
    const length = [...value].length;
    if (schema.minLength !== undefined && length < schema.minLength) return false;
    if (schema.maxLength !== undefined && length > schema.maxLength) return false;
    if (schema.pattern !== undefined && !new RegExp(schema.pattern, "u").test(value)) return false;
  }
  if (typeof value === "object" && value !== null && !Array.isArray(value)) {
    const record = value as Record<string, unknown>;
    if (schema.required?.some((k) => !(k in record))) return false;
    for (const [k, v] of Object.entries(record)) {
      const property = schema.properties?.[k];
      if (property) {
        if (!validates(property, v)) return false;
      } else if (schema.additionalProperties === false) return false;
      else if (typeof schema.additionalProperties === "object" && !validates(schema.additionalProperties, v)) return false;
    }
  }
  if (Array.isArray(value) && schema.items && !value.every((v) => validates(schema.items as JsonSchema, v))) return false;
  return true;
}

function agrees(schema: JsonSchema, zodSchema: z.ZodType, examples: [unknown, boolean][]) {
  for (const [example, valid] of examples) {
    expect(zodSchema.safeParse(example).success, `zod on ${JSON.stringify(example)}`).toBe(valid);
    expect(validates(schema, example), `document on ${JSON.stringify(example)}`).toBe(valid);
  }
}

const querySchema = (p: string, method: HttpMethod): JsonSchema => {
  const parameters = (doc.paths[p]?.[method]?.parameters ?? []).filter((x) => x.in === "query");
  return {
    type: "object",
    properties: Object.fromEntries(parameters.map((x) => [x.name, x.schema])),
    required: parameters.filter((x) => x.required).map((x) => x.name),
  };
};

const IMAGE_ID = "0b6f4c1e-3d2a-4f5b-8c7d-9e0f1a2b3c4d";

describe("request schemas in the document agree with zod", () => {
  it("POST /temp-links: alive_duration is a whole number of seconds in range, image_id a UUID", () => {
    const body = doc.components.schemas.CreateTempLink as JsonSchema;
    expect(body.properties?.alive_duration).toMatchObject({ type: "integer", minimum: MIN_ALIVE_SECONDS, maximum: MAX_ALIVE_SECONDS });
    agrees(body, createTempLinkSchema, [
      [{ image_id: IMAGE_ID, alive_duration: 300 }, true],
      [{ image_id: IMAGE_ID, alive_duration: 30000 }, true],
      [{ image_id: IMAGE_ID, alive_duration: 3600, extra: "ignored" }, true],
      [{ image_id: IMAGE_ID, alive_duration: 299 }, false],
      [{ image_id: IMAGE_ID, alive_duration: 30001 }, false],
      [{ image_id: IMAGE_ID, alive_duration: 300.5 }, false],
      [{ image_id: IMAGE_ID, alive_duration: "3600" }, false],
      [{ image_id: IMAGE_ID, alive_duration: null }, false],
      [{ image_id: IMAGE_ID }, false],
      [{ image_id: "not-a-uuid", alive_duration: 3600 }, false],
      [{ alive_duration: 3600 }, false],
      [[], false],
      [null, false],
    ]);
  });

  it("GET /images: limit 1–100, cursor 1–200 characters", () => {
    agrees(querySchema("/api/v1/images", "get"), listImagesQuerySchema, [
      [{}, true],
      [{ limit: 1 }, true],
      [{ limit: 100 }, true],
      [{ limit: 20, cursor: "abc" }, true],
      [{ limit: 0 }, false],
      [{ limit: 101 }, false],
      [{ limit: 2.5 }, false],
      [{ cursor: "" }, false],
      [{ cursor: "x".repeat(201) }, false],
    ]);
    expect(doc.paths["/api/v1/images"]?.get?.parameters?.find((x) => x.name === "limit")?.schema.default).toBe(20);
  });

  it("GET /temp-links: image_id optional UUID", () => {
    agrees(querySchema("/api/v1/temp-links", "get"), listTempLinksQuerySchema, [
      [{}, true],
      [{ image_id: IMAGE_ID }, true],
      [{ image_id: "123" }, false],
    ]);
  });

  it("path ids are UUIDs", () => {
    const id = doc.paths["/api/v1/images/{id}"]?.get?.parameters?.find((x) => x.name === "id")?.schema ?? {};
    agrees(id, uuidParam, [
      [IMAGE_ID, true],
      ["0b6f4c1e-3d2a-4f5b-8c7d-9e0f1a2b3c4", false],
      ["../etc", false],
    ]);
  });

  it("the upload's name field is 1–200 characters", () => {
    const form = doc.components.schemas.ImageUpload as JsonSchema;
    const name = form.properties?.name ?? {};
    agrees(name, uploadFieldsSchema.shape.name, [
      ["Harbour", true],
      ["x".repeat(200), true],
      ["", false],
      ["x".repeat(201), false],
      [42, false],
    ]);
  });
});

describe("response schemas", () => {
  it("Image has exactly the contract's keys, all required", () => {
    const keys = ["id", "name", "width", "height", "content_type", "bytes", "created_at", "status", "thumbnails", "original"];
    const image = doc.components.schemas.Image as JsonSchema;
    expect(Object.keys(image.properties ?? {}).sort()).toEqual([...keys].sort());
    expect([...(image.required ?? [])].sort()).toEqual([...keys].sort());
    expect(image.properties?.thumbnails).toEqual({ type: "array", items: { $ref: "#/components/schemas/Thumbnail" } });
    expect(image.properties?.content_type?.enum).toEqual(["image/png", "image/jpeg"]);
    const thumbnail = doc.components.schemas.Thumbnail as JsonSchema;
    expect([...(thumbnail.required ?? [])].sort()).toEqual(["height", "url", "width"]);
  });

  it("the list and link shapes match the README", () => {
    expect(doc.components.schemas.ImageList?.required?.sort()).toEqual(["items", "next_cursor"]);
    expect(doc.components.schemas.TempLinkCreated?.required?.sort()).toEqual(["alive_duration", "expires_at", "image_id", "url"]);
    expect(doc.components.schemas.TempLink?.required?.sort()).toEqual(["created_at", "expires_at", "id", "image_id", "url"]);
    expect(doc.components.schemas.TempLinkList?.properties?.items).toEqual({ type: "array", items: { $ref: "#/components/schemas/TempLink" } });
    expect(doc.components.schemas.Problem?.required?.sort()).toEqual(["detail", "status", "title", "type"]);
  });

  it("validates a real-looking Image and refuses one with a key missing", () => {
    const image = {
      id: IMAGE_ID,
      name: "Harbour",
      width: 640,
      height: 480,
      content_type: "image/jpeg",
      bytes: 12345,
      created_at: "2025-01-02T03:04:05.678Z",
      status: "ready",
      thumbnails: [{ height: 200, width: 267, url: `https://images.example.com/api/v1/images/${IMAGE_ID}/thumbnails/200` }],
      original: null,
    };
    const ref = { $ref: "#/components/schemas/Image" };
    expect(validates(ref, image)).toBe(true);
    const { bytes: _bytes, ...missing } = image;
    expect(validates(ref, missing)).toBe(false);
    expect(validates(ref, { ...image, content_type: "image/gif" })).toBe(false);
  });
});
