import { readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { Operation } from "@/lib/api/operation";
import { operations } from "@/lib/api/operations";
import type { BoundHandler } from "@/lib/http/api-route";

/**
 * Drift check: every route file of the API is bound to operations of the registry (each exported
 * method to exactly one, matching its method and path), every operation to exactly one route,
 * and the methods a file leaves unbound answer 405 naming the bound ones.
 */
const APP = path.resolve(import.meta.dirname, "../../app");
const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;

function routeFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return routeFiles(full);
    return entry.name === "route.ts" ? [full] : [];
  });
}

/** app/api/v1/images/[id]/route.ts → /api/v1/images/{id} */
function templateOf(file: string): string {
  const segments = path.relative(APP, path.dirname(file)).split(path.sep);
  return "/" + segments.map((s) => (s.startsWith("[") && s.endsWith("]") ? `{${s.slice(1, -1)}}` : s)).join("/");
}

// The catch-all only turns unknown API paths into a problem+json 404. The share pages (app/s) are
// not scanned: HTML for people, refusing with pages rather than problem+json, like the other pages.
const files = [...routeFiles(path.join(APP, "api/v1")), ...routeFiles(path.join(APP, "l"))].filter(
  (f) => !f.includes("[...path]"),
);

describe("route files and the operation registry", () => {
  it("bind every exported method to one operation of the same method and path, and 405 the rest", async () => {
    const bound = new Map<Operation, string[]>();
    for (const file of files) {
      const module = (await import(file)) as Partial<Record<(typeof METHODS)[number], BoundHandler>>;
      const template = templateOf(file);
      const own = METHODS.filter((m) => module[m]?.operation);
      expect(own.length, `${template} binds no operation`).toBeGreaterThan(0);
      for (const method of METHODS) {
        const handler = module[method];
        expect(handler, `${template} exports no ${method}`).toBeTypeOf("function");
        if (!handler?.operation) {
          const answer = await handler!(new Request(`http://localhost${template}`, { method }), {
            params: Promise.resolve({}),
          });
          expect(answer.status, `${method} ${template}`).toBe(405);
          expect(answer.headers.get("allow")?.split(", ").sort()).toEqual([...own].sort());
          continue;
        }
        expect(`${handler.operation.method.toUpperCase()} ${handler.operation.path}`).toBe(`${method} ${template}`);
        bound.set(handler.operation, [...(bound.get(handler.operation) ?? []), `${method} ${template}`]);
      }
    }
    for (const operation of operations) expect(bound.get(operation), operation.id).toHaveLength(1);
    expect(bound.size).toBe(operations.length);
  });

  it("has unique operation ids and one operation per method and path", () => {
    expect(new Set(operations.map((o) => o.id)).size).toBe(operations.length);
    expect(new Set(operations.map((o) => `${o.method} ${o.path}`)).size).toBe(operations.length);
  });
});
