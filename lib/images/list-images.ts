import { and, desc, eq, sql } from "drizzle-orm";
import { z } from "zod";
import { getDb } from "@/db/client";
import { type Image, images } from "@/db/schema";
import { ApiError } from "@/lib/http/problem";

/** Opaque cursor: the (created_at, id) of the last item of the previous page. */
const cursorSchema = z.tuple([z.iso.datetime(), z.uuid()]);

export function encodeCursor(image: Pick<Image, "createdAt" | "id">): string {
  return Buffer.from(JSON.stringify([image.createdAt.toISOString(), image.id])).toString("base64url");
}

export function decodeCursor(cursor: string): { createdAt: Date; id: string } {
  try {
    const [createdAt, id] = cursorSchema.parse(JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")));
    return { createdAt: new Date(createdAt), id };
  } catch {
    throw new ApiError(422, "cursor is not a cursor this API returned.", { cursor: ["invalid cursor"] });
  }
}

/** The page query (limit + 1 rows, to know whether another page follows). */
export function listImagesQuery(ownerId: string, options: { limit: number; cursor?: string }) {
  const after = options.cursor ? decodeCursor(options.cursor) : null;
  return getDb()
    .select()
    .from(images)
    .where(
      and(
        eq(images.ownerId, ownerId),
        after ? sql`(${images.createdAt}, ${images.id}) < (${after.createdAt.toISOString()}::timestamptz, ${after.id}::uuid)` : undefined,
      ),
    )
    .orderBy(desc(images.createdAt), desc(images.id))
    .limit(options.limit + 1);
}

/**
 * Newest first, keyset-paginated on (created_at, id): each page is one backward range scan of
 * images_owner_created_idx whatever its depth, and uploads arriving meanwhile never shift or
 * repeat items.
 */
export async function listImages(ownerId: string, options: { limit: number; cursor?: string }) {
  const rows = await listImagesQuery(ownerId, options);
  const items = rows.slice(0, options.limit);
  const last = items.at(-1);
  return { items, nextCursor: rows.length > options.limit && last ? encodeCursor(last) : null };
}
