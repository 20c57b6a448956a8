import { and, desc, eq, type Placeholder, type SQLWrapper, sql } from "drizzle-orm";
import { z } from "zod";
import { type Database, preparedQuery } from "@/db/client";
import { type Image, images, plans, users } from "@/db/schema";
import { hashApiToken, looksLikeApiToken } from "@/lib/accounts/api-token";
import { apiTokenCaller, type Principal, principalColumns, toPrincipal } from "@/lib/accounts/principal";
import { AppError } from "@/lib/errors";
import type { ImageFields } from "./image-json";

/** Opaque cursor: the (created_at, id) of the last item of the previous page. */
const cursorSchema = z.tuple([z.iso.datetime(), z.uuid()]);

export function encodeCursor(image: Pick<Image, "createdAt" | "id">): string {
  return Buffer.from(JSON.stringify([image.createdAt.toISOString(), image.id])).toString("base64url");
}

function decodeCursor(cursor: string): { createdAt: Date; id: string } {
  try {
    const [createdAt, id] = cursorSchema.parse(JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")));
    return { createdAt: new Date(createdAt), id };
  } catch {
    throw new AppError("invalid", "cursor is not a cursor this API returned.", {
      fields: { cursor: ["invalid cursor"] },
    });
  }
}

/** Rows after the cursor's (created_at, id), in the order of images_owner_created_idx. */
const afterCursor = sql`(${images.createdAt}, ${images.id}) < (${sql.placeholder("afterCreatedAt")}::timestamptz, ${sql.placeholder("afterId")}::uuid)`;

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

/** One page of `owner`'s images (limit + 1 rows, to know whether another page follows), newest first. */
function pageOf(db: Database, owner: SQLWrapper, after: boolean) {
  return db
    .select(listedColumns)
    .from(images)
    .where(and(eq(images.ownerId, owner), after ? afterCursor : undefined))
    .orderBy(desc(images.createdAt), desc(images.id))
    .limit(pageLimit);
}

const byOwner = (db: Database, after: boolean) =>
  pageOf(db, sql.placeholder("ownerId"), after).prepare(after ? "list_images_after" : "list_images_first");

/**
 * The caller by API token and their page, in one statement: the page is a lateral subquery of the
 * token's user (left-joined, so a user with no images still comes back as one row, image null).
 * The outer ORDER BY sorts only the page's rows; the index scan below the LIMIT stays unsorted.
 */
function byApiToken(db: Database, after: boolean) {
  const { ctes, token, userOfToken, planOfUser } = apiTokenCaller(db);
  const page = pageOf(db, users.id, after).as("page");
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
    .orderBy(desc(page.createdAt), desc(page.id))
    .prepare(after ? "list_images_token_after" : "list_images_token_first");
}

const statements = {
  owner: [preparedQuery((db) => byOwner(db, false)), preparedQuery((db) => byOwner(db, true))],
  token: [preparedQuery((db) => byApiToken(db, false)), preparedQuery((db) => byApiToken(db, true))],
} as const;

type PageOptions = { limit: number; cursor?: string };

/** The placeholders' values: limit + 1, and the cursor's position if there is one. */
function pageValues(options: PageOptions) {
  const limit = options.limit + 1;
  if (!options.cursor) return { after: false as const, values: { limit } };
  const after = decodeCursor(options.cursor);
  return {
    after: true as const,
    values: { limit, afterCreatedAt: after.createdAt.toISOString(), afterId: after.id },
  };
}

/** The page statement of `ownerId`'s images and its values (for EXPLAIN in tests). */
export function listImagesQuery(ownerId: string, options: PageOptions) {
  const { after, values } = pageValues(options);
  return { statement: statements.owner[after ? 1 : 0](), values: { ...values, ownerId } };
}

/** The statement of listImagesByApiToken and its values (for EXPLAIN in tests). */
export function listImagesByApiTokenQuery(token: string, options: PageOptions) {
  const { after, values } = pageValues(options);
  return { statement: statements.token[after ? 1 : 0](), values: { ...values, tokenHash: hashApiToken(token) } };
}

type Page = { items: ImageFields[]; nextCursor: string | null };

function toPage(rows: ImageFields[], limit: number): Page {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items, nextCursor: rows.length > limit && last ? encodeCursor(last) : null };
}

/**
 * Newest first, keyset-paginated on (created_at, id): each page is one backward range scan of
 * images_owner_created_idx whatever its depth, and uploads arriving meanwhile never shift or
 * repeat items.
 */
export async function listImages(ownerId: string, options: PageOptions): Promise<Page> {
  const { statement, values } = listImagesQuery(ownerId, options);
  return toPage(await statement.execute(values), options.limit);
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
  return { principal: toPrincipal(first), page: toPage(listed, options.limit) };
}
