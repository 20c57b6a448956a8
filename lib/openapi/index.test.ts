import { Validator } from "@seriousme/openapi-schema-validator";
import { describe, expect, it } from "vitest";
import { operations } from "@/lib/api/operations";
import { imageSchema, problemSchema } from "@/lib/api/schemas";
import { openApiDocument } from ".";

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- reading a JSON document
const document = openApiDocument("https://images.example.com/") as Json;
const operation = (path: string, method: string): Json => document.paths[path][method];
const parameter = (path: string, method: string, name: string): Json =>
  operation(path, method).parameters.find((p: Json) => p.name === name);
const schemaOf = (ref: string): Json => document.components.schemas[ref.replace("#/components/schemas/", "")];

describe("the OpenAPI document", () => {
  it("is a valid OpenAPI 3.1 document", async () => {
    const result = await new Validator().validate(structuredClone(document));
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(document.openapi).toMatch(/^3\.1\./);
    expect(document.servers).toEqual([{ url: "https://images.example.com" }]);
  });

  it("describes every operation of the registry once, under its path and method", () => {
    const documented = Object.entries(document.paths as Record<string, Json>).flatMap(([path, item]) =>
      Object.entries(item).map(([method, op]) => `${method} ${path} ${op.operationId}`),
    );
    expect(documented.sort()).toEqual(operations.map((o) => `${o.method} ${o.path} ${o.id}`).sort());
  });

  it("declares each path template's parameters as required path parameters, and no others", () => {
    for (const o of operations) {
      const inPath = [...o.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      const declared = (operation(o.path, o.method).parameters ?? []).filter((p: Json) => p.in === "path");
      expect(declared.map((p: Json) => p.name).sort(), o.id).toEqual(inPath.sort());
      for (const p of declared) expect(p.required, `${o.id} ${p.name}`).toBe(true);
    }
  });

  it("has both security schemes; public operations opt out, the rest document 401 with a challenge", () => {
    expect(Object.keys(document.components.securitySchemes).sort()).toEqual(["bearerAuth", "sessionCookie"]);
    expect(document.security).toEqual([{ bearerAuth: [] }, { sessionCookie: [] }]);
    for (const o of operations) {
      const op = operation(o.path, o.method);
      if (o.auth === "public") expect(op.security, o.id).toEqual([]);
      else expect(op.responses["401"].headers["WWW-Authenticate"], o.id).toBeDefined();
    }
  });

  it("documents every error as problem+json, and 503 with Retry-After everywhere", () => {
    for (const o of operations) {
      const { responses } = operation(o.path, o.method);
      expect(responses["503"].headers["Retry-After"], o.id).toBeDefined();
      for (const [status, response] of Object.entries(responses as Record<string, Json>)) {
        if (Number(status) < 400) continue;
        expect(Object.keys(response.content), `${o.id} ${status}`).toEqual(["application/problem+json"]);
        expect(response.content["application/problem+json"].schema.$ref).toBe("#/components/schemas/Problem");
      }
    }
  });

  it("documents cross-site refusal (403) on every change made with a session", () => {
    for (const o of operations.filter((o) => o.auth === "user" && o.method !== "get")) {
      expect(operation(o.path, o.method).responses["403"].description, o.id).toMatch(/Origin header/);
    }
  });

  it("keeps the bounds the API enforces", () => {
    const createLink = schemaOf(
      operation("/api/v1/temp-links", "post").requestBody.content["application/json"].schema.$ref,
    );
    expect(createLink.properties.alive_duration).toMatchObject({ type: "integer", minimum: 300, maximum: 30000 });
    expect(createLink.properties.image_id).toMatchObject({ type: "string", format: "uuid" });
    expect(createLink.required.sort()).toEqual(["alive_duration", "image_id"]);
    expect(parameter("/api/v1/images", "get", "limit").schema).toMatchObject({
      type: "integer",
      minimum: 1,
      maximum: 100,
      default: 20,
    });
    expect(parameter("/api/v1/images", "get", "cursor")).toMatchObject({ schema: { minLength: 1, maxLength: 1000 } });
    expect(parameter("/api/v1/images", "get", "cursor").required ?? false).toBe(false);
    const upload = schemaOf(operation("/api/v1/images", "post").requestBody.content["multipart/form-data"].schema.$ref);
    expect(upload.properties.name).toMatchObject({ type: "string", minLength: 1, maxLength: 200 });
    expect(upload.required.sort()).toEqual(["image", "name"]);
    expect(parameter("/api/v1/images/{id}", "get", "id").schema).toMatchObject({ type: "string", format: "uuid" });
    expect(parameter("/api/v1/images/{id}/thumbnails/{height}", "get", "height").schema.pattern).toBeDefined();
  });

  it("describes media answers: both image types, ETag, 304, and If-None-Match", () => {
    for (const [path, cache] of [
      ["/api/v1/images/{id}/thumbnails/{height}", "private, max-age=31536000, immutable"],
      ["/api/v1/images/{id}/original", "private, no-cache"],
      ["/l/{token}", "private, no-store"],
    ] as const) {
      const op = operation(path, "get");
      expect(Object.keys(op.responses["200"].content).sort()).toEqual(["image/jpeg", "image/png"]);
      expect(op.responses["200"].headers["Cache-Control"].schema.const).toBe(cache);
      expect(op.responses["304"].headers.ETag).toBeDefined();
      expect(parameter(path, "get", "If-None-Match")).toMatchObject({ in: "header" });
      expect(parameter(path, "get", "If-None-Match").required ?? false).toBe(false);
      expect(parameter(path, "get", "download")).toMatchObject({ in: "query", schema: { const: "1" } });
      expect(parameter(path, "get", "download").required ?? false).toBe(false);
      expect(op.responses["200"].headers["Content-Disposition"].description).toMatch(/attachment.*download=1/);
      expect(op.responses["422"]).toBeDefined();
    }
  });

  it("gives every temp link its share page, described", () => {
    for (const id of ["TempLinkCreated", "TempLink"]) {
      const link = schemaOf(`#/components/schemas/${id}`);
      expect(link.properties.page_url).toMatchObject({ type: "string", format: "uri" });
      expect(link.properties.page_url.description, id).toMatch(/og:image/);
      expect(link.required, id).toContain("page_url");
    }
  });

  it("carries examples that the API's own schemas accept", () => {
    const image = schemaOf("#/components/schemas/Image");
    expect(image.examples).toHaveLength(1);
    expect(imageSchema.safeParse(image.examples[0]).success).toBe(true);
    expect(problemSchema.safeParse(schemaOf("#/components/schemas/Problem").examples[0]).success).toBe(true);
    expect(Object.keys(image.properties).sort()).toEqual(
      [
        "bytes",
        "content_type",
        "created_at",
        "height",
        "id",
        "name",
        "original",
        "placeholder",
        "status",
        "thumbnails",
        "width",
      ].sort(),
    );
    expect(image.required.sort()).toEqual(Object.keys(image.properties).sort());
  });
});

describe("rate limits in the document", () => {
  it("documents 429 with Retry-After and the RateLimit fields on every operation", () => {
    for (const o of operations) {
      const response = operation(o.path, o.method).responses["429"];
      expect(response, o.id).toBeDefined();
      expect(Object.keys(response.headers).sort(), o.id).toEqual(
        ["Cache-Control", "RateLimit", "RateLimit-Policy", "Retry-After"].sort(),
      );
    }
    expect(operation("/api/v1/images", "post").responses["429"].description).toMatch(/uploads per hour/);
    expect(operation("/l/{token}", "get").responses["429"].description).toMatch(/IP address/);
  });

  it("documents the RateLimit fields on every success answer", () => {
    for (const o of operations) {
      for (const [status, response] of Object.entries(operation(o.path, o.method).responses as Record<string, Json>)) {
        if (Number(status) >= 400) continue;
        expect(response.headers?.["RateLimit-Policy"], `${o.id} ${status}`).toBeDefined();
        expect(response.headers?.RateLimit?.required ?? false, `${o.id} ${status}`).toBe(false);
      }
    }
  });
});
