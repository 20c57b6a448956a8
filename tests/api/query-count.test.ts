import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { eq, fillPlaceholders, sql } from "drizzle-orm";
import { getDb, sqlClient } from "@/db/client";
import { encodeCursor, listImagesByApiTokenQuery, listImagesQuery } from "@/lib/images/list-images";
import * as imageRoute from "@/app/api/v1/images/route";
import { apiTokens, images, users } from "@/db/schema";
import { rgbaPng } from "../support/fixtures";
import { api, call, makeUser, queriesOf, sessionCookie, type TestUser, uploadOk } from "./harness";

type PlanNode = { "Node Type": string; Plans?: PlanNode[] } & Record<string, unknown>;

function* nodesOf(node: PlanNode): Generator<PlanNode> {
  yield node;
  for (const child of node.Plans ?? []) yield* nodesOf(child);
}

/** Walks every page with `list` (`extra`: more of the query, e.g. `&sort=name`) and returns the statements each page sent. */
async function statementsPerPage(
  list: (query: string) => Promise<Response>,
  total: number,
  extra = "",
): Promise<string[][]> {
  const perPage: string[][] = [];
  let cursor: string | null = null;
  let seen = 0;
  do {
    const query: string = (cursor ? `?limit=20&cursor=${cursor}` : "?limit=20") + extra;
    let body = { items: [] as unknown[], next_cursor: null as string | null };
    perPage.push(
      await queriesOf(async () => {
        const res = await list(query);
        expect(res.status).toBe(200);
        body = (await res.json()) as typeof body;
      }),
    );
    seen += body.items.length;
    cursor = body.next_cursor;
  } while (cursor);
  expect(perPage).toHaveLength(Math.ceil(total / 20));
  expect(seen).toBe(total);
  return perPage;
}

const imageRow = (ownerId: string, name: string, createdAt: Date) => ({
  id: randomUUID(),
  ownerId,
  name,
  storageKey: `originals/${randomUUID()}`,
  contentType: "image/png",
  width: 640,
  height: 480,
  byteSize: 1000,
  sha256: "0".repeat(64),
  createdAt,
});

describe("SQL per request does not grow with data or page depth", () => {
  let user: TestUser;
  let planId: string;
  const total = 450;
  beforeAll(async () => {
    user = await makeUser("Premium");
    const start = Date.now() - total * 1000;
    await getDb()
      .insert(images)
      .values(Array.from({ length: total }, (_, i) => imageRow(user.id, `bulk ${i}`, new Date(start + i * 1000))));
    planId = (await user.principal()).plan.id;
  });

  it("lists any page by API token in 1 statement: the token's authentication and one keyset scan", async () => {
    for (const sent of await statementsPerPage((query) => api.list(user.token, query), total)) {
      expect(sent).toHaveLength(1);
      expect(sent[0]).toMatch(/\bapi_tokens\b/);
      expect(sent[0]).toMatch(/\bimages\b/);
      expect(sent[0]).not.toMatch(/\boffset\b/i);
    }
  });

  it("lists any page by session cookie in at most 2 statements (the session's user, then the page)", async () => {
    const cookie = await sessionCookie(user.id);
    const byCookie = (query: string) => call(imageRoute.GET, { path: `/api/v1/images${query}`, headers: { cookie } });
    for (const sent of await statementsPerPage(byCookie, total)) {
      expect(sent.length).toBeGreaterThanOrEqual(1); // the listener sees this request's queries
      expect(sent.length).toBeLessThanOrEqual(2);
      expect(sent.join("\n")).not.toMatch(/\boffset\b/i);
    }
  });

  it("sorted by name or oldest first, or searched, any page still takes 1 statement by token and at most 2 by cookie", async () => {
    const cookie = await sessionCookie(user.id);
    const byCookie = (query: string) => call(imageRoute.GET, { path: `/api/v1/images${query}`, headers: { cookie } });
    // "bulk 1" is in bulk 1, bulk 10–19 and bulk 100–199.
    for (const [extra, count] of [
      ["&sort=name", total],
      ["&sort=oldest", total],
      ["&q=BULK%201", 111],
      ["&q=bulk%201&sort=name", 111],
    ] as const) {
      for (const sent of await statementsPerPage((query) => api.list(user.token, query), count, extra))
        expect(sent, extra).toHaveLength(1);
      for (const sent of await statementsPerPage(byCookie, count, extra)) {
        expect(sent.length, extra).toBeLessThanOrEqual(2);
        expect(sent.join("\n")).not.toMatch(/\boffset\b/i);
      }
    }
  });

  it("records the token's last use in the list's one statement, at most once a minute", async () => {
    const lastUsed = async () =>
      (await getDb().select({ at: apiTokens.lastUsedAt }).from(apiTokens).where(eq(apiTokens.userId, user.id)))[0]
        ?.at ?? null;
    await getDb().update(apiTokens).set({ lastUsedAt: null }).where(eq(apiTokens.userId, user.id));
    expect(await queriesOf(() => api.list(user.token))).toHaveLength(1);
    const first = await lastUsed();
    expect(first).toBeInstanceOf(Date);
    expect(await queriesOf(() => api.list(user.token))).toHaveLength(1);
    expect(await lastUsed()).toEqual(first);
  });

  it("lists a user with no images in 1 statement too", async () => {
    const empty = await makeUser("Basic");
    let body: unknown;
    const sent = await queriesOf(async () => {
      const res = await api.list(empty.token);
      expect(res.status).toBe(200);
      body = await res.json();
    });
    expect(sent).toHaveLength(1);
    expect(body).toEqual({ items: [], next_cursor: null });
  });

  it("reads each page by a range scan of its sort's index, with no sort below its limit, at any depth, by owner and by token, in custom and generic plans", async () => {
    // Many users with one image each beside this one: the planner then expects a few images for an
    // owner it does not know in advance, far fewer than this user has.
    const light = await getDb()
      .insert(users)
      .values(
        Array.from({ length: 200 }, () => ({ email: `light-${randomUUID()}@example.com`, passwordHash: "-", planId })),
      )
      .returning({ id: users.id });
    await getDb()
      .insert(images)
      .values(light.map(({ id }) => imageRow(id, "light", new Date())));
    await getDb().execute(sql`analyze users, images`);
    const middle = { createdAt: new Date(Date.now() - (total / 2) * 1000), id: randomUUID(), name: "bulk 2" };
    const sorts = [
      { sort: "newest", index: "images_owner_created_idx", direction: "Backward" },
      { sort: "oldest", index: "images_owner_created_idx", direction: "Forward" },
      { sort: "name", index: "images_owner_name_idx", direction: "Forward" },
    ] as const;
    // The page query is a prepared statement: after a few runs PostgreSQL may switch it to a generic
    // plan (made without the parameters' values), so both kinds of plan must scan the index.
    const connection = await sqlClient().reserve();
    try {
      for (const { sort, index, direction } of sorts)
        for (const [cursor, by] of [undefined, encodeCursor(middle, sort)].flatMap((c) => [
          [c, "owner"] as const,
          [c, "token"] as const,
        ])) {
          const { statement, values } =
            by === "owner"
              ? listImagesQuery(user.id, { limit: 20, cursor, sort })
              : listImagesByApiTokenQuery(user.token, { limit: 20, cursor, sort });
          const query = statement.getQuery();
          const literals = fillPlaceholders(query.params, values).map((v) =>
            typeof v === "number" ? String(v) : `'${String(v).replaceAll("'", "''")}'`,
          );
          await connection.unsafe(`prepare page as ${query.sql}`);
          for (const mode of ["force_custom_plan", "force_generic_plan"]) {
            const where = `${sort} ${by} ${mode}${cursor ? " deep" : ""}`;
            await connection.unsafe(`set plan_cache_mode = ${mode}`);
            const [row] = await connection.unsafe(`explain (format json) execute page(${literals.join(", ")})`);
            const [{ Plan: root }] = (row as unknown as { "QUERY PLAN": [{ Plan: PlanNode }] })["QUERY PLAN"];
            // The token's statement sorts the page's own rows (at most limit + 1) after the join; below
            // the LIMIT, each kind of statement reads the sort's index in its order with no sort.
            const limit = [...nodesOf(root)].find((node) => node["Node Type"] === "Limit");
            expect(limit, where).toBeDefined();
            const page = JSON.stringify(limit);
            expect(page, where).toContain(`"Scan Direction":"${direction}"`);
            expect(page, where).toContain(`"Index Name":"${index}"`);
            expect(page, where).not.toContain('"Node Type":"Sort"');
            if (by === "owner") expect(JSON.stringify(root), where).not.toContain('"Node Type":"Sort"');
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
