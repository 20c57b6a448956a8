import { and, desc, eq, sql } from "drizzle-orm";
import { z } from "zod";
import { type Database, preparedQuery } from "@/db/client";
import { type Image, images } from "@/db/schema";
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
} satisfies Record<keyof ImageFields, unknown>;

function pageQuery(db: Database, after: boolean) {
  return db
    .select(listedColumns)
    .from(images)
    .where(and(eq(images.ownerId, sql.placeholder("ownerId")), after ? afterCursor : undefined))
    .orderBy(desc(images.createdAt), desc(images.id))
    .limit(sql.placeholder("limit"))
    .prepare(after ? "list_images_after" : "list_images_first");
}

const firstPage = preparedQuery((db) => pageQuery(db, false));
const laterPage = preparedQuery((db) => pageQuery(db, true));

/** The page statement (limit + 1 rows, to know whether another page follows) and its values. */
export function listImagesQuery(ownerId: string, options: { limit: number; cursor?: string }) {
  const values = { ownerId, limit: options.limit + 1 };
  if (!options.cursor) return { statement: firstPage(), values };
  const after = decodeCursor(options.cursor);
  return {
    statement: laterPage(),
    values: { ...values, afterCreatedAt: after.createdAt.toISOString(), afterId: after.id },
  };
}

/**
 * Newest first, keyset-paginated on (created_at, id): each page is one backward range scan of
 * images_owner_created_idx whatever its depth, and uploads arriving meanwhile never shift or
 * repeat items.
 */
export async function listImages(ownerId: string, options: { limit: number; cursor?: string }) {
  const { statement, values } = listImagesQuery(ownerId, options);
  const rows = await statement.execute(values);
  const items = rows.slice(0, options.limit);
  const last = items.at(-1);
  return { items, nextCursor: rows.length > options.limit && last ? encodeCursor(last) : null };
}
