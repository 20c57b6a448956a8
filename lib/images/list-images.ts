import { and, asc, desc, eq, type Placeholder, type SQLWrapper, sql } from "drizzle-orm";
import { z } from "zod";
import { type Database, preparedQuery } from "@/db/client";
import { type Image, images, plans, users } from "@/db/schema";
import { hashApiToken, looksLikeApiToken } from "@/lib/accounts/api-token";
import { apiTokenCaller, type Principal, principalColumns, toPrincipal } from "@/lib/accounts/principal";
import { AppError } from "@/lib/errors";
import type { ImageFields } from "./image-json";

/** The orders a list can be read in (lib/api/schemas); each is a keyset over an index of (owner, key, id). */
type ListSort = "newest" | "oldest" | "name";

/**
 * Opaque cursor: the sort key and id of the previous page's last item. Newest first (the
 * default) keeps the original two-element form, so cursors handed out before sorts existed work.
 */
const cursorSchema = z.union([
  z.tuple([z.iso.datetime(), z.uuid()]).transform(([key, id]) => ({ sort: "newest" as const, key, id })),
  z.tuple([z.literal("oldest"), z.iso.datetime(), z.uuid()]).transform(([sort, key, id]) => ({ sort, key, id })),
  z
    .tuple([
      z.literal("name"),
      z
        .string()
        .max(400)
        .refine((key) => !key.includes("\u0000")),
      z.uuid(),
    ])
    .transform(([sort, key, id]) => ({ sort, key, id })),
]);

type Listed = Pick<Image, "createdAt" | "id" | "name">;

export function encodeCursor(image: Listed, sort: ListSort = "newest"): string {
  const position =
    sort === "newest"
      ? [image.createdAt.toISOString(), image.id]
      : sort === "oldest"
        ? ["oldest", image.createdAt.toISOString(), image.id]
        : ["name", image.name, image.id];
  return Buffer.from(JSON.stringify(position)).toString("base64url");
}

function decodeCursor(cursor: string, sort: ListSort): { key: string; id: string } {
  let decoded: z.output<typeof cursorSchema>;
  try {
    decoded = cursorSchema.parse(JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")));
  } catch {
    throw new AppError("invalid", "cursor is not a cursor this API returned.", {
      fields: { cursor: ["invalid cursor"] },
    });
  }
  if (decoded.sort !== sort) {
    throw new AppError("invalid", `cursor belongs to sort=${decoded.sort}, not sort=${sort}.`, {
      fields: { cursor: ["cursor of another sort"] },
    });
  }
  return decoded;
}

/**
 * By name: ICU's root collation (alphabetical as people read it, accents beside their letters,
 * case a tie-break), the same in every PostgreSQL built with ICU, whatever the database's locale.
 */
const BY_NAME = sql.raw(`collate "und-x-icu"`);

const sortKey = {
  newest: images.createdAt,
  oldest: images.createdAt,
  name: sql`${images.name} ${BY_NAME}`,
} as const;

/** Rows after the cursor's (key, id), in the order of the sort's index. */
function afterCursor(sort: ListSort) {
  const key =
    sort === "name"
      ? sql`${sql.placeholder("afterKey")}::text ${BY_NAME}`
      : sql`${sql.placeholder("afterKey")}::timestamptz`;
  const position = sql`(${sortKey[sort]}, ${images.id})`;
  const cursor = sql`(${key}, ${sql.placeholder("afterId")}::uuid)`;
  return sort === "newest" ? sql`${position} < ${cursor}` : sql`${position} > ${cursor}`;
}

/** A name containing `q`, case-insensitively (images_name_trgm_idx); the pattern escapes LIKE's own characters. */
const nameMatches = sql`${images.name} ilike ${sql.placeholder("pattern")}`;
const likePattern = (q: string) => `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

const listedColumns = {
  id: images.id,
  name: images.name,
  width: images.width,
  height: images.height,
  contentType: images.contentType,
  byteSize: images.byteSize,
  createdAt: images.createdAt,
  status: images.status,
  placeholder: images.placeholder,
} satisfies Record<keyof ImageFields, unknown>;

/**
 * LIMIT as a subquery, whose value the planner cannot read: it then plans for a fraction of the
 * rows and keeps the index's order (a backward scan that stops at the limit). Given the value, it
 * weighs it against the rows it expects for the owner (the average user's when the owner comes
 * from a join, as in the token's statement) and, for a user with many more images, reads all of
 * them and sorts (tests/api/query-count.test.ts). Drizzle types limit() as a number or a
 * placeholder but renders any SQL.
 */
const pageLimit = sql`(select ${sql.placeholder("limit")}::int)` as unknown as Placeholder;

/** What one prepared page statement is made for. */
type Variant = { sort: ListSort; after: boolean; search: boolean };

const variantName = (by: string, v: Variant) =>
  `list_images_${by}_${v.sort}_${v.after ? "after" : "first"}${v.search ? "_q" : ""}`;

/** One page of `owner`'s images (limit + 1 rows, to know whether another page follows), in the sort's order. */
function pageOf(db: Database, owner: SQLWrapper, v: Variant) {
  const key = sortKey[v.sort];
  const order = v.sort === "newest" ? [desc(key), desc(images.id)] : [asc(key), asc(images.id)];
  return db
    .select(listedColumns)
    .from(images)
    .where(
      and(eq(images.ownerId, owner), v.after ? afterCursor(v.sort) : undefined, v.search ? nameMatches : undefined),
    )
    .orderBy(...order)
    .limit(pageLimit);
}

const byOwner = (db: Database, v: Variant) =>
  pageOf(db, sql.placeholder("ownerId"), v).prepare(variantName("owner", v));

/**
 * The caller by API token and their page, in one statement: the page is a lateral subquery of the
 * token's user (left-joined, so a user with no images still comes back as one row, image null).
 * The outer ORDER BY sorts only the page's rows; the index scan below the LIMIT stays unsorted.
 */
function byApiToken(db: Database, v: Variant) {
  const { ctes, token, userOfToken, planOfUser } = apiTokenCaller(db);
  const page = pageOf(db, users.id, v).as("page");
  const outerKey = v.sort === "name" ? sql`${page.name} ${BY_NAME}` : page.createdAt;
  const order = v.sort === "newest" ? [desc(outerKey), desc(page.id)] : [asc(outerKey), asc(page.id)];
  return db
    .with(...ctes)
    .select({
      ...principalColumns,
      image: {
        id: page.id,
        name: page.name,
        width: page.width,
        height: page.height,
        contentType: page.contentType,
        byteSize: page.byteSize,
        createdAt: page.createdAt,
        status: page.status,
        placeholder: page.placeholder,
      } satisfies Record<keyof ImageFields, unknown>,
    })
    .from(token)
    .innerJoin(users, userOfToken)
    .innerJoin(plans, planOfUser)
    .leftJoinLateral(page, sql`true`)
    .orderBy(...order)
    .prepare(variantName("token", v));
}

/** Each variant's statement, built on first use (12 per kind of caller). */
const statements = new Map<string, () => unknown>();
function statementOf<Q>(by: string, v: Variant, build: (db: Database, v: Variant) => Q): Q {
  const name = variantName(by, v);
  let get = statements.get(name) as (() => Q) | undefined;
  if (!get) statements.set(name, (get = preparedQuery((db) => build(db, v))));
  return get();
}

type PageOptions = { limit: number; cursor?: string; q?: string; sort?: ListSort };

/** The statement's variant and its placeholders' values: limit + 1, the cursor's position, the pattern. */
function pageValues(options: PageOptions) {
  const sort = options.sort ?? "newest";
  const q = options.q?.trim() || undefined;
  const variant: Variant = { sort, after: Boolean(options.cursor), search: q !== undefined };
  const values: Record<string, string | number> = { limit: options.limit + 1 };
  if (options.cursor) {
    const after = decodeCursor(options.cursor, sort);
    Object.assign(values, { afterKey: after.key, afterId: after.id });
  }
  if (q !== undefined) values.pattern = likePattern(q);
  return { variant, values };
}

/** The page statement of `ownerId`'s images and its values (for EXPLAIN in tests). */
export function listImagesQuery(ownerId: string, options: PageOptions) {
  const { variant, values } = pageValues(options);
  return { statement: statementOf("owner", variant, byOwner), values: { ...values, ownerId } };
}

/** The statement of listImagesByApiToken and its values (for EXPLAIN in tests). */
export function listImagesByApiTokenQuery(token: string, options: PageOptions) {
  const { variant, values } = pageValues(options);
  return {
    statement: statementOf("token", variant, byApiToken),
    values: { ...values, tokenHash: hashApiToken(token) },
  };
}

type Page = { items: ImageFields[]; nextCursor: string | null };

function toPage(rows: ImageFields[], options: PageOptions): Page {
  const items = rows.slice(0, options.limit);
  const last = items.at(-1);
  return { items, nextCursor: rows.length > options.limit && last ? encodeCursor(last, options.sort) : null };
}

/**
 * Newest first (or oldest first, or by name), keyset-paginated on (key, id): each page is one
 * range scan of the sort's index (images_owner_created_idx, images_owner_name_idx) whatever its
 * depth, and uploads arriving meanwhile never shift or repeat items. `q` keeps the names that
 * contain it, case-insensitively (images_name_trgm_idx helps the planner find them).
 */
export async function listImages(ownerId: string, options: PageOptions): Promise<Page> {
  const { statement, values } = listImagesQuery(ownerId, options);
  return toPage(await statement.execute(values), options);
}

/**
 * listImages for the caller of an API token, authenticating them in the page's own statement
 * (as principalFromApiToken would, last use recorded): one round trip instead of two. Null when
 * the token does not authenticate. A bad cursor throws before anything is sent.
 */
export async function listImagesByApiToken(
  token: string,
  options: PageOptions,
): Promise<{ principal: Principal; page: Page } | null> {
  if (!looksLikeApiToken(token)) return null;
  const { statement, values } = listImagesByApiTokenQuery(token, options);
  const rows = await statement.execute(values);
  const first = rows[0];
  if (!first) return null;
  const listed = rows.flatMap((row) => (row.image ? [row.image] : []));
  return { principal: toPrincipal(first), page: toPage(listed, options) };
}
