import { createHash } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { getDb } from "@/db/client";
import { type Image, type ImageVariant, imageVariants } from "@/db/schema";
import { FOREIGN_KEY_VIOLATION, pgErrorCode } from "@/lib/db-errors";
import { AppError, notFound } from "@/lib/errors";
import { getStorage } from "@/lib/storage";
import { CONTENT_TYPE_OF, sourceFormatOf } from "./formats";
import {
  renderThumbnails,
  type Rendition,
  TooManyPixelsError,
  UndecodableImageError,
  type VariantTarget,
} from "./imaging";
import { originalKey, variantKey, variantPrefix } from "./variants";

export const sha256 = (data: Uint8Array) => createHash("sha256").update(data).digest("hex");

/** Imaging failures are the caller's bad input; everything else passes through. */
export function imagingError(error: unknown): unknown {
  if (error instanceof TooManyPixelsError || error instanceof UndecodableImageError) {
    return new AppError("invalid", error.message, { fields: { image: [error.message] } });
  }
  return error;
}

/** Removes an image's original and everything under its variants prefix, recorded in a row or not. */
export async function deleteImageFiles(imageId: string): Promise<void> {
  const storage = getStorage();
  await storage.delete([originalKey(imageId), ...(await storage.list(variantPrefix(imageId)))]);
}

export async function readOriginal(image: Image): Promise<Buffer> {
  const original = await getStorage().get(image.storageKey);
  if (!original) throw notFound("original file");
  return Buffer.from(await new Response(original.body).arrayBuffer());
}

/** Renditions of a stored image (its file was proved whole at upload). */
export function renderStored(image: Image, bytes: Buffer, targets: readonly VariantTarget[]): Promise<Rendition[]> {
  const info = { width: image.width, height: image.height, format: sourceFormatOf(image.contentType) };
  return renderThumbnails(bytes, info, targets);
}

/** A rendition's row and file: content-addressed under the image's variants prefix. */
export function variantFile(imageId: string, rendition: Rendition) {
  const sha = sha256(rendition.data);
  return {
    row: {
      imageId,
      height: rendition.planHeight,
      format: rendition.format,
      storageKey: variantKey(imageId, rendition.planHeight, sha),
      width: rendition.width,
      byteSize: rendition.data.length,
      sha256: sha,
    },
    data: rendition.data,
    contentType: CONTENT_TYPE_OF[rendition.format],
  };
}

/**
 * Stores renditions and records them, one row per (image, height, format). Whoever records one
 * first wins; a loser removes its own file unless it is the very same (content-addressed) key.
 * `replace` is for repairing a row whose file went missing. If the image was deleted meanwhile,
 * every file written here is removed again and the result is a 404.
 */
export async function storeRenditions(
  image: Image,
  renditions: Rendition[],
  options: { replace?: boolean } = {},
): Promise<ImageVariant[]> {
  const storage = getStorage();
  const files = renditions.map((r) => variantFile(image.id, r));
  await Promise.all(files.map((f) => storage.put(f.row.storageKey, f.data, f.contentType)));

  const db = getDb();
  const saved: ImageVariant[] = [];
  try {
    for (const { row } of files) {
      const insert = db.insert(imageVariants).values(row);
      const [inserted] = options.replace
        ? await insert
            .onConflictDoUpdate({
              target: [imageVariants.imageId, imageVariants.height, imageVariants.format],
              set: { storageKey: row.storageKey, width: row.width, byteSize: row.byteSize, sha256: row.sha256 },
            })
            .returning()
        : await insert.onConflictDoNothing().returning();
      if (inserted) {
        saved.push(inserted);
        continue;
      }
      const [winner] = await db
        .select()
        .from(imageVariants)
        .where(
          and(
            eq(imageVariants.imageId, image.id),
            eq(imageVariants.height, row.height),
            eq(imageVariants.format, row.format),
          ),
        );
      if (!winner) throw new Error(`variant ${image.id}/${row.height}/${row.format} vanished`);
      if (winner.storageKey !== row.storageKey) await storage.delete([row.storageKey]);
      saved.push(winner);
    }
  } catch (error) {
    if (pgErrorCode(error) === FOREIGN_KEY_VIOLATION) {
      // The image was deleted while we rendered: leave no orphan behind.
      await storage.delete(files.map((f) => f.row.storageKey));
      throw notFound("image");
    }
    throw error;
  }
  return saved;
}
