import { readdirSync } from "node:fs";
import path from "node:path";
import { encode } from "@auth/core/jwt";
import { asc, eq, inArray } from "drizzle-orm";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { getDb } from "@/db/client";
import { expiringLinks, images } from "@/db/schema";
import { createApiToken, revokeApiToken } from "@/lib/accounts/api-tokens";
import type { Operation } from "@/lib/api/operation";
import { operations } from "@/lib/api/operations";
import { problemSchema } from "@/lib/api/schemas";
import type { BoundHandler } from "@/lib/http/api-route";
import { openApiDocument } from "@/lib/openapi";
import { createPlan } from "@/lib/plans/create-plan";
import {
  api,
  BASE,
  expectNothingStored,
  imageRowsOf,
  makeUser,
  snapshot,
  type StoreSnapshot,
  type TestUser,
  uploadDirect,
  uploadOk,
} from "./harness";
import { rgbPng } from "../support/fixtures";

/**
 * Property: whatever a client sends to any operation of the registry — values from the
 * operation's own schemas, or mutations of them (wrong types, out of bounds, extra and repeated
 * keys, bad JSON, wrong content types, odd multipart parts, NUL and control characters, path ids
 * of every shape, malformed credentials, cookies and headers) — the answer is never a 5xx; a
 * refusal is problem+json with a status the OpenAPI document lists and leaves nothing stored; an
 * acceptance is a documented 2xx/3xx in its documented shape.
 */
const RUNS = 80;
const APP = path.resolve(import.meta.dirname, "../../app");
const HEIGHTS = [200, 400];
const png = await rgbPng(); // 32×32 RGB

// ---------------------------------------------------------------------------------------------
// Fixtures, named in generated inputs by placeholders resolved when the case runs (a delete may
// replace the user's image between cases).
// ---------------------------------------------------------------------------------------------

type RefName =
  | "own-image"
  | "own-image-upper"
  | "other-image"
  | "own-link"
  | "other-link"
  | "own-link-token"
  | "other-link-token"
  | "own-etag"
  | "own-upload"
  | "cursor"
  | "token"
  | "revoked-token"
  | "session"
  | "forged-session";

const refs = {} as Record<RefName, string>;
const ref = (name: RefName) => `⟦${name}⟧`;
const resolve = (text: string) => text.replace(/⟦([a-z-]+)⟧/g, (_, name: string) => refs[name as RefName] ?? "");

let user: TestUser;
let other: TestUser;

const SESSION_COOKIE = "authjs.session-token";

async function linkTo(owner: TestUser, imageId: string): Promise<{ id: string; token: string }> {
  const res = await api.createLink(owner.token, { image_id: imageId, alive_duration: 30000 });
  if (res.status !== 201) throw new Error(`link creation failed: ${res.status} ${await res.text()}`);
  const token = new URL(((await res.json()) as { url: string }).url).pathname.replace(/^\/l\//, "");
  return { id: token.split(".")[0] as string, token };
}

async function setOwnImage(id: string) {
  refs["own-image"] = id;
  refs["own-image-upper"] = id.toUpperCase();
  refs["own-etag"] = (await api.original(user.token, id)).headers.get("etag") ?? "";
}

/** A completed direct upload: completing it again answers its image. */
async function setOwnUpload() {
  const { upload, completed } = await uploadDirect(user, png, "direct");
  if (completed.status !== 201) throw new Error(`direct upload failed: ${completed.status}`);
  refs["own-upload"] = upload.id;
}

/** After an accepted change (a delete, a revoke), brings back the image and the live link the inputs name. */
async function replenish() {
  const [image] = await getDb().select({ id: images.id }).from(images).where(eq(images.id, refs["own-image"]));
  if (!image) await setOwnImage((await uploadOk(user, png)).id);
  const [uploaded] = await getDb().select({ id: images.id }).from(images).where(eq(images.id, refs["own-upload"]));
  if (!uploaded) await setOwnUpload();
  const [link] = await getDb()
    .select({ revokedAt: expiringLinks.revokedAt })
    .from(expiringLinks)
    .where(eq(expiringLinks.id, refs["own-link"]));
  if (!link || link.revokedAt) {
    const fresh = await linkTo(user, refs["own-image"]);
    refs["own-link"] = fresh.id;
    refs["own-link-token"] = fresh.token;
  }
}

beforeAll(async () => {
  // Unlimited rates and quota: a 429 or 403 after a few hundred cases would hide everything else.
  const plan = await createPlan({
    name: `Fuzz ${Date.now()}`,
    heights: HEIGHTS,
    originalLink: true,
    expiringLinks: true,
    quotaBytes: null,
    requestsPerMinute: 0,
    uploadsPerHour: 0,
  });
  [user, other] = await Promise.all([makeUser(plan.name), makeUser("Enterprise")]);
  await uploadOk(user, png, "first");
  await setOwnImage((await uploadOk(user, png, "second")).id);
  const page = await api.list(user.token, "?limit=1");
  refs.cursor = ((await page.json()) as { next_cursor: string }).next_cursor;
  const own = await linkTo(user, refs["own-image"]);
  refs["own-link"] = own.id;
  refs["own-link-token"] = own.token;
  refs["other-image"] = (await uploadOk(other, png)).id;
  const theirs = await linkTo(other, refs["other-image"]);
  refs["other-link"] = theirs.id;
  refs["other-link-token"] = theirs.token;
  refs.token = user.token;
  await setOwnUpload();
  const revoked = await createApiToken(user.id, "revoked");
  await revokeApiToken(user.id, revoked.record.id);
  refs["revoked-token"] = revoked.token;
  const claims = { sub: user.id, authTime: Date.now() };
  refs.session = await encode({ token: claims, secret: process.env.AUTH_SECRET as string, salt: SESSION_COOKIE });
  refs["forged-session"] = await encode({
    token: claims,
    secret: "not-the-secret".padEnd(48, "z"),
    salt: SESSION_COOKIE,
  });
});

// ---------------------------------------------------------------------------------------------
// Route handlers, found as the drift test finds them (operation-routes.test.ts).
// ---------------------------------------------------------------------------------------------

function routeFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return routeFiles(full);
    return entry.name === "route.ts" ? [full] : [];
  });
}

async function handlersByOperation(): Promise<Map<Operation, BoundHandler>> {
  const bound = new Map<Operation, BoundHandler>();
  for (const file of [...routeFiles(path.join(APP, "api/v1")), ...routeFiles(path.join(APP, "l"))]) {
    const module = (await import(file)) as Record<string, unknown>;
    for (const handler of Object.values(module)) {
      const operation = typeof handler === "function" ? (handler as Partial<BoundHandler>).operation : undefined;
      if (operation) bound.set(operation, handler as BoundHandler);
    }
  }
  return bound;
}

// ---------------------------------------------------------------------------------------------
// Values from the operations' schemas (as JSON Schema), and mutations of them.
// ---------------------------------------------------------------------------------------------

type JsonSchema = {
  type?: string;
  const?: unknown;
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  $ref?: string;
  $defs?: Record<string, JsonSchema>;
};

function jsonSchemaOf(schema: z.ZodType): JsonSchema {
  const js = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as JsonSchema;
  const name = js.$ref?.replace("#/$defs/", "");
  return (name && js.$defs?.[name]) || js;
}

/** Values naming the caller's own things, where a schema alone would only give strangers' ids. */
function hintFor(operation: Operation, field: string): fc.Arbitrary<unknown> | undefined {
  switch (field) {
    case "id":
      return fc.constantFrom(
        ...(operation.params?.notFound === "link"
          ? [ref("own-link")]
          : operation.params?.notFound === "upload"
            ? [ref("own-upload")]
            : [ref("own-image"), ref("own-image-upper")]),
      );
    case "image_id":
    case "ids[]":
      return fc.constantFrom(ref("own-image"), ref("own-image-upper"));
    case "cursor":
      return fc.constant(ref("cursor"));
    case "token":
      return fc.constant(ref("own-link-token"));
    case "height":
      return fc.constantFrom(...HEIGHTS.map(String));
    case "content_type":
      return fc.constantFrom("image/png", "image/jpeg", "IMAGE/JPEG");
    case "bytes":
      // A direct upload's size: often one the caller's plan and quota take, else anything.
      return fc.oneof(fc.integer({ min: 1, max: 4096 }), fc.integer({ min: -1e6, max: 1e9 }));
    case "If-None-Match":
      return fc.constantFrom(ref("own-etag"), "*", `W/${ref("own-etag")}`);
    default:
      return undefined;
  }
}

function validValue(operation: Operation, schema: JsonSchema, field = ""): fc.Arbitrary<unknown> {
  const hint = hintFor(operation, field);
  if (hint) return hint;
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.format === "uuid") return fc.uuid();
  switch (schema.type) {
    case "integer":
      return fc.integer({ min: schema.minimum ?? -1e6, max: schema.maximum ?? 1e6 });
    case "number":
      return fc.double({ min: schema.minimum ?? -1e6, max: schema.maximum ?? 1e6, noNaN: true });
    case "boolean":
      return fc.boolean();
    case "string":
      if (schema.pattern) return fc.stringMatching(new RegExp(schema.pattern));
      return fc.string({
        unit: "grapheme",
        minLength: schema.minLength ?? 0,
        maxLength: Math.min(schema.maxLength ?? 40, 40),
      });
    case "array":
      // A few items: the caller's own ids (see hintFor) or values of the item schema.
      return fc.array(
        fc.oneof(validValue(operation, schema.items ?? {}, `${field}[]`), validValue(operation, schema.items ?? {})),
        { minLength: schema.minItems ?? 0, maxLength: Math.min(schema.maxItems ?? 5, 5) },
      );
    case "object": {
      const fields = Object.entries(schema.properties ?? {}).map(
        ([key, s]) => [key, validValue(operation, s, key)] as const,
      );
      return fc.record(Object.fromEntries(fields), { requiredKeys: schema.required ?? [] });
    }
    default:
      return fc.jsonValue();
  }
}

const NASTY = [
  "",
  " ",
  "\u0000",
  "a\u0000b",
  "\u0001\u001f\u007f",
  "\r\n",
  "%",
  "%zz",
  "%00",
  "%E0%A4%A",
  "%2e%2e%2f",
  "..",
  ".",
  "/",
  "\\",
  "null",
  "undefined",
  "NaN",
  "Infinity",
  "-1",
  "0",
  "1.5",
  "1e3",
  "0x10",
  "١٢٣",
  "[]",
  "{}",
  "\u202e",
  "\ufeff",
  "' OR 1=1 --",
  "00000000-0000-0000-0000-000000000000",
  "ffffffff-ffff-ffff-ffff-ffffffffffff",
  "6F1C2A4E-8B7D-4C3E-9A21-0D5E7F9B1C23",
];

/** Any text: any code point (NUL and controls included), the usual suspects, or very long. */
const oddText: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.string({ unit: "binary-ascii", maxLength: 40 }),
  fc.constantFrom(...NASTY),
  fc.integer({ min: 201, max: 20_000 }).map((n) => "a".repeat(n)),
  fc.integer({ min: 1, max: 500 }).map((n) => "\u0000".repeat(n)),
);

/** A valid value with one NUL or other control character (or a bidi/BOM mark) put in. */
const spoiled = (valid: fc.Arbitrary<string>) =>
  fc
    .tuple(
      valid,
      fc.nat(),
      // NUL half the time: the one character PostgreSQL text refuses.
      fc.oneof(
        fc.constant("\u0000"),
        fc.constantFrom("\u0001", "\u0008", "\u001b", "\u001f", "\u007f", "\u0085", "\u2028", "\ufeff", "\u202e"),
      ),
    )
    .map(([v, at, c]) => v.slice(0, at % (v.length + 1)) + c + v.slice(at % (v.length + 1)));

const ANY_REF = fc.constantFrom<RefName>(
  "own-image",
  "own-image-upper",
  "other-image",
  "own-link",
  "other-link",
  "own-link-token",
  "other-link-token",
  "own-upload",
);

/** Path ids of every shape: the caller's, other users', the other kind's, altered ones, junk. */
const idShape: fc.Arbitrary<string> = fc.oneof(
  ANY_REF.map(ref),
  fc.uuid(),
  fc.tuple(ANY_REF, oddText).map(([name, junk]) => ref(name) + junk),
  fc.tuple(oddText, ANY_REF).map(([junk, name]) => junk + ref(name)),
  fc.uuid().map((id) => `${id}.${"A".repeat(22)}`),
  fc.integer({ min: -10, max: 100_000 }).map(String),
  oddText,
);

const asText = (value: unknown) => (typeof value === "string" ? value : (JSON.stringify(value) ?? String(value)));

/** A value of the wrong type, out of bounds, junk, or a valid one (as text) with a control character in it. */
function wrongValue(operation: Operation, schema: JsonSchema, field = ""): fc.Arbitrary<unknown> {
  const edges: unknown[] = [null, true, [], {}, -0, 1.5, 1e308, -1e308, 2 ** 53 + 1, "", "1", [1], { a: 1 }];
  if (schema.minimum !== undefined) edges.push(schema.minimum - 1, schema.minimum - 0.5, String(schema.minimum));
  if (schema.maximum !== undefined) edges.push(schema.maximum + 1, schema.maximum + 0.5);
  if (schema.maxLength !== undefined) edges.push("x".repeat(schema.maxLength + 1), " ".repeat(schema.maxLength + 1));
  const valid = validValue(operation, schema, field).map(asText);
  return fc.oneof(fc.constantFrom(...edges), oddText, idShape, fc.jsonValue(), spoiled(valid));
}

/** An object from the schema with one field wrong, one missing, extra keys, or no object at all. */
function mutatedObject(operation: Operation, schema: JsonSchema): fc.Arbitrary<unknown> {
  const valid = validValue(operation, schema) as fc.Arbitrary<Record<string, unknown>>;
  const keys = Object.keys(schema.properties ?? {});
  const extraKeys = fc.dictionary(
    fc.oneof(oddText, fc.constantFrom("__proto__", "constructor", "prototype")),
    fc.jsonValue(),
    {
      minKeys: 1,
      maxKeys: 4,
    },
  );
  const variants: fc.Arbitrary<unknown>[] = [
    fc.tuple(valid, extraKeys).map(([v, extra]) => ({ ...extra, ...v })),
    fc.jsonValue(),
  ];
  if (keys.length > 0) {
    const oneWrong = fc
      .constantFrom(...keys)
      .chain((key) => fc.tuple(fc.constant(key), wrongValue(operation, schema.properties?.[key] ?? {}, key)));
    variants.push(
      fc.tuple(valid, oneWrong).map(([v, [key, wrong]]) => ({ ...v, [key]: wrong })),
      fc
        .tuple(valid, fc.constantFrom(...keys))
        .map(([v, key]) => Object.fromEntries(Object.entries(v).filter(([k]) => k !== key))),
    );
  }
  return fc.oneof(...variants);
}

/** Most of a case is valid; each part is mutated on its own, so both acceptances and refusals come up. */
const mostlyValid = <T>(valid: fc.Arbitrary<T>, mutated: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 3, arbitrary: valid }, { weight: 1, arbitrary: mutated });

// ---------------------------------------------------------------------------------------------
// The parts of a request.
// ---------------------------------------------------------------------------------------------

type Pair = [string, string];

/** A header value Headers accepts (no NUL, CR or LF: an HTTP server refuses those before any route). */
const headerChar = fc
  .integer({ min: 1, max: 255 })
  .filter((c) => c !== 10 && c !== 13)
  .map((c) => String.fromCharCode(c));
const headerValue = fc.oneof(
  fc.string({ unit: headerChar, maxLength: 60 }),
  fc.constantFrom("%", "%zz", "=", ";;;", ",,,", '"', "W/", "*, *", "\u00ff\u0080"),
  fc.integer({ min: 4096, max: 20_000 }).map((n) => "x".repeat(n)),
  ANY_REF.map((name) => `"${ref(name)}"`),
);

function authArb(operation: Operation): fc.Arbitrary<Pair[]> {
  const origin: Pair[] = operation.method === "get" ? [] : [["origin", new URL(BASE).origin]];
  const valid = fc.constantFrom<Pair[]>(
    [["authorization", `Bearer ${ref("token")}`]],
    [["authorization", `bearer   ${ref("token")}  `]],
    [["cookie", `${SESSION_COOKIE}=${ref("session")}`], ...origin],
  );
  const malformed = fc.oneof(
    fc.constantFrom<Pair[]>(
      [],
      [["authorization", "Bearer"]],
      [["authorization", "Basic dXNlcjpwYXNz"]],
      [["authorization", `Bearer ${ref("token")} extra`]],
      [["authorization", `Token ${ref("token")}`]],
      [["authorization", `Bearer ${ref("revoked-token")}`]],
      [["authorization", `Bearer ${ref("token")}x`]],
      [["authorization", `Bearer tih_${"A".repeat(43)}`]],
      [["authorization", ""]],
      [["cookie", `${SESSION_COOKIE}=%`]],
      [["cookie", `${SESSION_COOKIE}=%zz`]],
      [["cookie", `${SESSION_COOKIE}=`]],
      [["cookie", `${SESSION_COOKIE}.0=%E0%A4%A; ${SESSION_COOKIE}.1=x`]],
      [["cookie", `__Secure-${SESSION_COOKIE}=garbage`]],
      [["cookie", `${SESSION_COOKIE}=${ref("forged-session")}`]],
      [["cookie", `${SESSION_COOKIE}=${ref("session")}x`]],
      [["cookie", "=;=;;=="]],
      // A valid cookie whose change comes from elsewhere.
      [
        ["cookie", `${SESSION_COOKIE}=${ref("session")}`],
        ["origin", "https://evil.example"],
      ],
      [
        ["cookie", `${SESSION_COOKIE}=${ref("session")}`],
        ["origin", "null"],
      ],
      // Repeated: the two are joined into one value.
      [
        ["authorization", `Bearer ${ref("token")}`],
        ["authorization", `Bearer ${ref("token")}`],
      ],
    ),
    headerValue.map((v): Pair[] => [["authorization", `Bearer ${v}`]]),
    headerValue.map((v): Pair[] => [["cookie", `${SESSION_COOKIE}=${v}`]]),
  );
  // Public operations ignore credentials: none is valid, any is a mutation.
  return operation.auth === "public" ? mostlyValid(fc.constant([]), malformed) : mostlyValid(valid, malformed);
}

const JUNK_HEADERS = [
  "if-none-match",
  "x-request-id",
  "idempotency-key",
  "cookie",
  "authorization",
  "origin",
  "accept",
  "accept-encoding",
  "range",
  "if-modified-since",
  "x-forwarded-for",
  "x-forwarded-host",
  "x-forwarded-proto",
  "content-length",
  "content-type",
  "transfer-encoding",
];

function headersArb(operation: Operation): fc.Arbitrary<Pair[]> {
  const properties = operation.headers ? (jsonSchemaOf(operation.headers).properties ?? {}) : {};
  const valid = fc.record(
    Object.fromEntries(
      Object.entries(properties).map(([name, s]) => [name, validValue(operation, s, name).map(asText)]),
    ),
    { requiredKeys: [] },
  );
  const name = fc.oneof(
    fc.constantFrom(...JUNK_HEADERS, ...Object.keys(properties)),
    fc.stringMatching(/^x-[a-z0-9-]{1,20}$/),
  );
  const junk = fc.array(fc.tuple(name, headerValue), { minLength: 1, maxLength: 4 });
  return mostlyValid(
    valid.map((record) => Object.entries(record) as Pair[]),
    fc.tuple(valid, junk).map(([record, pairs]) => [...(Object.entries(record) as Pair[]), ...pairs]),
  );
}

function paramsArb(operation: Operation): fc.Arbitrary<Record<string, string>> {
  const names = [...operation.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1] as string);
  if (names.length === 0) return fc.constant({});
  const properties = operation.params ? (jsonSchemaOf(operation.params.schema).properties ?? {}) : {};
  const one = (name: string) =>
    mostlyValid(
      validValue(operation, properties[name] ?? { type: "string" }, name).map(asText),
      fc.oneof(idShape, wrongValue(operation, properties[name] ?? {}, name).map(asText)),
    );
  return fc.record(Object.fromEntries(names.map((name) => [name, one(name)])));
}

type Query = { pairs: Pair[]; suffix: string };

function queryArb(operation: Operation): fc.Arbitrary<Query> {
  const schema = operation.query ? jsonSchemaOf(operation.query) : { properties: {} };
  const properties = schema.properties ?? {};
  const valid = (validValue(operation, { ...schema, type: "object" }) as fc.Arbitrary<Record<string, unknown>>).map(
    (record) => Object.entries(record).map(([k, v]): Pair => [k, asText(v)]),
  );
  const keys = Object.keys(properties);
  const key = keys.length > 0 ? fc.oneof(fc.constantFrom(...keys), oddText) : oddText;
  const mutated = fc.tuple(
    valid,
    fc.array(
      fc.oneof(
        // A field wrong, an extra key, or a key repeated with another value (the last one wins).
        key.chain((k) => fc.tuple(fc.constant(k), wrongValue(operation, properties[k] ?? {}, k).map(asText))),
        fc.tuple(oddText, oddText),
      ),
      { minLength: 1, maxLength: 3 },
    ),
    fc.constantFrom("", "&&&", "&=", "&a=%", "&%zz=%zz", "&limit", "#frag", "&%00"),
  );
  return mostlyValid(
    valid.map((pairs) => ({ pairs, suffix: "" })),
    mutated.map(([pairs, extra, suffix]) => ({ pairs: [...pairs, ...extra], suffix })),
  );
}

type Part = { name: string; value: string } | { name: string; file: Uint8Array; filename: string; type: string };
type Body =
  | { kind: "none" }
  | { kind: "text"; text: string; contentType: string | null }
  | { kind: "form"; parts: Part[]; contentType: string | null | "auto"; cut: number | null }
  | { kind: "bytes"; bytes: Uint8Array; contentType: string | null };

const JPEG_SOI = [0xff, 0xd8, 0xff];
const fileBytes = fc.oneof(
  fc.uint8Array({ maxLength: 64 }),
  fc.constant(new Uint8Array(0)),
  fc.integer({ min: 1, max: png.length - 1 }).map((n) => new Uint8Array(png.subarray(0, n))),
  fc.uint8Array({ maxLength: 64 }).map((tail) => new Uint8Array([...png.subarray(0, 16), ...tail])),
  fc.uint8Array({ maxLength: 64 }).map((tail) => new Uint8Array([...JPEG_SOI, ...tail])),
);
const filename = fc.oneof(
  fc.constantFrom("upload.png", "../../etc/passwd", 'a"b.png', "a\r\nb.png", "\u0000.png"),
  oddText,
);

const WRONG_TYPES = [
  null,
  "",
  "text/plain",
  "application/x-www-form-urlencoded",
  "application/octet-stream",
  "application/jsonx",
  "application/json-seq",
  "multipart/form-data",
  "multipart/form-data; boundary=",
  "multipart/form-data; boundary=nope",
  'multipart/form-data; boundary="unterminated',
  "multipart/mixed; boundary=x",
  "image/png",
];

function bodyArb(operation: Operation): fc.Arbitrary<Body> {
  const anyContentType = fc.oneof(fc.constantFrom(...WRONG_TYPES), headerValue);
  const junk: fc.Arbitrary<Body> = fc.oneof(
    fc.record({ kind: fc.constant("text" as const), text: oddText, contentType: anyContentType }),
    fc.record({
      kind: fc.constant("bytes" as const),
      bytes: fc.uint8Array({ maxLength: 256 }),
      contentType: anyContentType,
    }),
  );
  if (!operation.body) {
    // GET and HEAD cannot carry a body; other methods ignore what they are sent.
    const none = fc.constant<Body>({ kind: "none" });
    return operation.method === "get" ? none : mostlyValid<Body>(none, junk);
  }
  const schema = jsonSchemaOf(operation.body.schema);
  if (operation.body.type === "application/json") {
    const text = fc.oneof(
      { weight: 4, arbitrary: validValue(operation, schema).map((v) => JSON.stringify(v)) },
      {
        weight: 1,
        arbitrary: fc.constantFrom("{", "", "nul", "[1,2", '{"a":1}}', "\u0000", "\ufeff{}", "[".repeat(100_000)),
      },
    );
    const valid = fc.record({
      kind: fc.constant("text" as const),
      text,
      contentType: fc.constantFrom(
        "application/json",
        "application/json; charset=utf-8",
        "Application/JSON",
        "application/problem+json",
      ),
    });
    const mutated = fc.oneof(
      fc.record({
        kind: fc.constant("text" as const),
        text: mutatedObject(operation, schema).map((v) => JSON.stringify(v) ?? "undefined"),
        contentType: fc.constant("application/json"),
      }),
      fc.tuple(validValue(operation, schema), fc.nat(), oddText).map(([v, at, tail]): Body => {
        const whole = JSON.stringify(v);
        return { kind: "text", text: whole.slice(0, at % (whole.length + 1)) + tail, contentType: "application/json" };
      }),
      fc.record({
        kind: fc.constant("text" as const),
        text: validValue(operation, schema).map((v) => JSON.stringify(v)),
        contentType: anyContentType,
      }),
      junk,
    );
    return fc.oneof(valid, mutated);
  }
  // multipart/form-data: one part per field, a file for each binary one.
  const fields = Object.entries(schema.properties ?? {});
  const validParts = fc.tuple(
    ...fields.map(([name, s]) =>
      s.format === "binary"
        ? fc.constant<Part>({ name, file: new Uint8Array(png), filename: "upload.png", type: "image/png" })
        : validValue(operation, s, name).map((v): Part => ({ name, value: asText(v) })),
    ),
  );
  const oddPart = fc.oneof(
    fc.record({ name: fc.oneof(fc.constantFrom(...fields.map(([n]) => n)), oddText), value: oddText }),
    fc.record({
      name: fc.oneof(fc.constantFrom(...fields.map(([n]) => n)), oddText),
      file: fileBytes,
      filename,
      type: fc.oneof(fc.constantFrom("image/png", "image/jpeg", "text/html"), headerValue),
    }),
  );
  const form = (parts: fc.Arbitrary<Part[]>, contentType: fc.Arbitrary<string | null | "auto"> = fc.constant("auto")) =>
    fc.record({ kind: fc.constant("form" as const), parts, contentType, cut: fc.constant(null) });
  const textValues = (value: fc.Arbitrary<string>) =>
    fc.tuple(validParts, value).map(([parts, v]) => parts.map((p) => ("value" in p ? { ...p, value: v } : p)));
  const valid = form(validParts);
  // One thing wrong at a time, the text fields' values most often (they reach the database).
  const mutated = fc.oneof(
    { weight: 3, arbitrary: form(textValues(spoiled(fc.string({ unit: "grapheme", minLength: 1, maxLength: 40 })))) },
    { weight: 2, arbitrary: form(textValues(wrongValue(operation, { type: "string" }).map(asText))) },
    {
      weight: 2,
      arbitrary: form(
        fc
          .tuple(validParts, fileBytes, filename)
          .map(([parts, file, name]) => parts.map((p) => ("file" in p ? { ...p, file, filename: name } : p))),
      ),
    },
    {
      weight: 1,
      arbitrary: form(
        fc
          .tuple(validParts, filename)
          .map(([parts, name]) => parts.map((p) => ("file" in p ? { ...p, filename: name } : p))),
      ),
    },
    // A part dropped, doubled, replaced by an odd one; odd ones added; nothing but odd ones.
    form(fc.tuple(validParts, fc.nat()).map(([parts, i]) => parts.filter((_, j) => j !== i % parts.length))),
    form(fc.tuple(validParts, fc.nat()).map(([parts, i]) => [...parts, parts[i % parts.length] as Part])),
    form(
      fc
        .tuple(validParts, fc.nat(), oddPart)
        .map(([parts, i, odd]) => parts.map((p, j) => (j === i % parts.length ? odd : p))),
    ),
    form(
      fc.tuple(validParts, fc.array(oddPart, { minLength: 1, maxLength: 3 })).map(([parts, odd]) => [...parts, ...odd]),
    ),
    form(fc.array(oddPart, { maxLength: 4 })),
    // A well-formed body cut short, or sent under the wrong type.
    fc.record({
      kind: fc.constant("form" as const),
      parts: validParts,
      contentType: fc.constant("auto" as const),
      cut: fc.double({ min: 0, max: 0.999, noNaN: true }),
    }),
    form(validParts, anyContentType),
    fc.record({
      kind: fc.constant("text" as const),
      text: oddText,
      contentType: fc.constant("multipart/form-data; boundary=x"),
    }),
    junk,
  );
  // The body is the richest input: as many mutated ones as valid.
  return fc.oneof(valid, mutated);
}

type Case = { method: string; auth: Pair[]; params: Record<string, string>; query: Query; headers: Pair[]; body: Body };

function caseArb(operation: Operation): fc.Arbitrary<Case> {
  const method = operation.method.toUpperCase();
  return fc.record({
    method: method === "GET" ? fc.constantFrom("GET", "GET", "HEAD") : fc.constant(method),
    auth: authArb(operation),
    params: paramsArb(operation),
    query: queryArb(operation),
    headers: headersArb(operation),
    body: bodyArb(operation),
  });
}

// ---------------------------------------------------------------------------------------------
// Running a case, as tests/api/harness.ts `call` does: a real Request to the route handler.
// ---------------------------------------------------------------------------------------------

async function bodyOf(body: Body): Promise<{ bytes?: Uint8Array; contentType: string | null }> {
  switch (body.kind) {
    case "none":
      return { contentType: null };
    case "text":
      return { bytes: new TextEncoder().encode(resolve(body.text)), contentType: body.contentType };
    case "bytes":
      return body;
    case "form": {
      const form = new FormData();
      for (const part of body.parts) {
        if ("file" in part)
          form.append(resolve(part.name), new Blob([new Uint8Array(part.file)], { type: part.type }), part.filename);
        else form.append(resolve(part.name), resolve(part.value));
      }
      const encoded = new Response(form);
      const whole = new Uint8Array(await encoded.arrayBuffer());
      const bytes = body.cut === null ? whole : whole.subarray(0, Math.floor(whole.length * body.cut));
      return {
        bytes,
        contentType: body.contentType === "auto" ? encoded.headers.get("content-type") : body.contentType,
      };
    }
  }
}

async function requestOf(operation: Operation, c: Case, params: Record<string, string>): Promise<Request> {
  const pathname = operation.path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(params[name] ?? ""));
  const query = new URLSearchParams(c.query.pairs.map(([k, v]) => [resolve(k), resolve(v)])).toString();
  const headers = new Headers();
  const { bytes, contentType } = await bodyOf(c.body);
  if (contentType !== null) headers.set("content-type", resolve(contentType));
  for (const [name, value] of [...c.auth, ...c.headers]) headers.append(name, resolve(value));
  return new Request(`${BASE}${pathname}?${query}${c.query.suffix}`, {
    method: c.method,
    headers,
    body: c.method === "GET" || c.method === "HEAD" ? undefined : bytes,
    duplex: "half",
  } as RequestInit);
}

type State = { user: StoreSnapshot; others: Awaited<ReturnType<typeof othersState>> };

/** Beside the harness's snapshot (the user's rows, every stored key): the other user's rows, and both users' links. */
async function othersState() {
  const links = await getDb()
    .select({ id: expiringLinks.id, revokedAt: expiringLinks.revokedAt })
    .from(expiringLinks)
    .innerJoin(images, eq(images.id, expiringLinks.imageId))
    .where(inArray(images.ownerId, [user.id, other.id]))
    .orderBy(asc(expiringLinks.id));
  return { otherRows: (await imageRowsOf(other.id)).length, links };
}

async function state(): Promise<State> {
  return { user: await snapshot(user), others: await othersState() };
}

/** Every status the OpenAPI document lists for the operation (its own and the implicit ones). */
function documentedStatuses(operation: Operation): number[] {
  const paths = openApiDocument().paths as Record<string, Record<string, { responses: Record<string, unknown> }>>;
  return Object.keys(paths[operation.path]?.[operation.method]?.responses ?? {}).map(Number);
}

/** An acceptance: a 2xx/3xx the operation documents, with the documented content type and JSON shape. */
function expectDocumentedSuccess(operation: Operation, res: Response, body: Buffer, where: string) {
  const documented = operation.responses[res.status];
  expect(documented, `undocumented ${res.status}: ${where}`).toBeDefined();
  if (typeof documented !== "object" || !documented.content) return;
  const type = res.headers.get("content-type") ?? "";
  expect(Object.keys(documented.content), where).toContain(type);
  const schema = documented.content[type]?.schema;
  if (type === "application/json" && schema instanceof z.ZodType) {
    const parsed = schema.safeParse(JSON.parse(body.toString("utf8")));
    expect(parsed.error?.issues ?? [], where).toEqual([]);
  }
}

const statuses = new Map<string, Map<number, number>>();
let fuzzed = 0;

afterAll(() => {
  const summary = [...statuses].map(([id, seen]) => `${id} ${[...seen].map(([s, n]) => `${s}×${n}`).join(" ")}`);
  console.info(`fuzzed ${fuzzed} requests over ${statuses.size} operations (${summary.join("; ")})`);
});

describe("every operation, fuzzed from its schemas", () => {
  let handlers: Map<Operation, BoundHandler>;
  beforeAll(async () => {
    handlers = await handlersByOperation();
  });

  it.each(operations.map((o) => [o.id, o] as const))(
    "%s: never a 5xx; refusals are problem+json and store nothing",
    async (_id, operation) => {
      const handler = handlers.get(operation);
      expect(handler, `${operation.id} has no route`).toBeDefined();
      const seen = new Map<number, number>();
      statuses.set(operation.id, seen);

      await fc.assert(
        fc.asyncProperty(caseArb(operation), async (c) => {
          fuzzed++;
          const params = Object.fromEntries(Object.entries(c.params).map(([k, v]) => [k, resolve(v)]));
          const before = await state();
          const request = await requestOf(operation, c, params);
          const res = await handler!(request, { params: Promise.resolve(params) });
          const body = Buffer.from(await res.arrayBuffer());
          seen.set(res.status, (seen.get(res.status) ?? 0) + 1);
          const where = `${request.method} ${request.url.slice(0, 300)} → ${res.status} ${body.toString("utf8").slice(0, 300)}`;

          expect(res.status, where).toBeLessThan(500);
          if (res.status < 400) {
            expectDocumentedSuccess(operation, res, body, where);
            if (operation.method !== "get") await replenish();
            return;
          }
          expect(res.headers.get("content-type"), where).toBe("application/problem+json");
          const problem = problemSchema.parse(JSON.parse(body.toString("utf8")));
          expect(problem.status, where).toBe(res.status);
          expect(problem.detail.length, where).toBeGreaterThan(0);
          expect(documentedStatuses(operation), `undocumented ${res.status}: ${where}`).toContain(res.status);
          await expectNothingStored(user, before.user);
          expect(await othersState(), where).toEqual(before.others);
        }),
        { numRuns: RUNS },
      );

      // The generators get past validation: every operation accepted some of its inputs. Not a raw
      // body's: it takes only a signed URL's exact bytes (direct-uploads.test.ts sends them).
      if (operation.rawBody) return;
      expect(
        [...seen.keys()].some((s) => s < 400),
        `${operation.id}: ${JSON.stringify([...seen])}`,
      ).toBe(true);
    },
  );
});
