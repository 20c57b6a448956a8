import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { fillPlaceholders, sql } from "drizzle-orm";
import { getDb, sqlClient } from "@/db/client";
import { encodeCursor, listImagesQuery } from "@/lib/images/list-images";
import { images } from "@/db/schema";
import { rgbaPng } from "../support/fixtures";
import { api, makeUser, queriesOf, type TestUser, uploadOk } from "./harness";

describe("SQL per request does not grow with data or page depth", () => {
  let user: TestUser;
  const total = 450;
  beforeAll(async () => {
    user = await makeUser("Premium");
    const start = Date.now() - total * 1000;
    await getDb()
      .insert(images)
      .values(
        Array.from({ length: total }, (_, i) => ({
          id: randomUUID(),
          ownerId: user.id,
          name: `bulk ${i}`,
          storageKey: `originals/${randomUUID()}`,
          contentType: "image/png",
          width: 640,
          height: 480,
          byteSize: 1000,
          sha256: "0".repeat(64),
          createdAt: new Date(start + i * 1000),
        })),
      );
  });

  it("lists any page with at most 2 queries (authentication + one keyset scan)", async () => {
    let cursor: string | null = null;
    let pages = 0;
    let seen = 0;
    do {
      const query: string = cursor ? `?limit=20&cursor=${cursor}` : "?limit=20";
      let body = { items: [] as unknown[], next_cursor: null as string | null };
      const sent = await queriesOf(async () => {
        const res = await api.list(user.token, query);
        expect(res.status).toBe(200);
        body = (await res.json()) as typeof body;
      });
      expect(sent.length).toBeGreaterThanOrEqual(1); // the listener sees this request's queries
      expect(sent.length).toBeLessThanOrEqual(2);
      expect(sent.join("\n")).not.toMatch(/\boffset\b/i);
      seen += body.items.length;
      cursor = body.next_cursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(Math.ceil(total / 20));
    expect(seen).toBe(total);
  });

  it("reads each page by a backward index range scan, with no sort, at any depth, in custom and generic plans", async () => {
    await getDb().execute(sql`analyze images`);
    const deep = encodeCursor({ createdAt: new Date(Date.now() - (total / 2) * 1000), id: randomUUID() });
    // The page query is a prepared statement: after a few runs PostgreSQL may switch it to a generic
    // plan (made without the parameters' values), so both kinds of plan must scan the index.
    const connection = await sqlClient().reserve();
    try {
      for (const cursor of [undefined, deep]) {
        const { statement, values } = listImagesQuery(user.id, { limit: 20, cursor });
        const query = statement.getQuery();
        const literals = fillPlaceholders(query.params, values).map((v) =>
          typeof v === "number" ? String(v) : `'${String(v).replaceAll("'", "''")}'`,
        );
        await connection.unsafe(`prepare page as ${query.sql}`);
        for (const mode of ["force_custom_plan", "force_generic_plan"]) {
          await connection.unsafe(`set plan_cache_mode = ${mode}`);
          const [row] = await connection.unsafe(`explain (format json) execute page(${literals.join(", ")})`);
          const plan = JSON.stringify(row);
          expect(plan, mode).toContain('"Scan Direction":"Backward"');
          expect(plan, mode).toContain('"Index Name":"images_owner_created_idx"');
          expect(plan, mode).not.toContain('"Node Type":"Sort"');
        }
        await connection.unsafe("deallocate page");
      }
    } finally {
      await connection.unsafe("reset plan_cache_mode");
      connection.release();
    }
  });

  it("serves an image and an existing thumbnail with at most 2 queries each", async () => {
    const image = await uploadOk(user, await rgbaPng());
    for (const request of [() => api.get(user.token, image.id), () => api.thumbnail(user.token, image.id, 400)]) {
      const sent = await queriesOf(async () => expect((await request()).status).toBe(200));
      expect(sent.length).toBeLessThanOrEqual(2);
    }
  });
});
