import { getDb } from "@/db/client";
import { FOREIGN_KEY_VIOLATION, pgErrorCode } from "@/lib/db-errors";
import { type Image, type ImageVariant, imageVariants } from "@/db/schema";
import { notFound } from "@/lib/http/problem";
import { getStorage } from "@/lib/storage";
import { renderThumbnails } from "./imaging";
import { sha256, imagingError } from "./upload-image";
import { variantKey } from "./variants";

const inFlight = new Map<string, Promise<ImageVariant>>();

/**
 * Produces a variant the owner's plan gained after upload, on its first request. Concurrent
 * requests in this process share one rendering; across processes the deterministic key and the
 * (image, height) primary key make a second producer harmless: one row, same bytes.
 */
export function ensureVariant(image: Image, height: number): Promise<ImageVariant> {
  const flightKey = `${image.id}:${height}`;
  let flight = inFlight.get(flightKey);
  if (!flight) {
    flight = produceVariant(image, height).finally(() => inFlight.delete(flightKey));
    inFlight.set(flightKey, flight);
  }
  return flight;
}

async function readAll(stream: ReadableStream<Uint8Array>): Promise<Buffer> {
  return Buffer.from(await new Response(stream).arrayBuffer());
}

async function produceVariant(image: Image, height: number): Promise<ImageVariant> {
  const storage = getStorage();
  const original = await storage.get(image.storageKey);
  if (!original) throw notFound("original file");
  const bytes = await readAll(original.body);
  const format = image.contentType === "image/png" ? "png" : "jpeg";
  let rendition;
  try {
    [rendition] = await renderThumbnails(bytes, { width: image.width, height: image.height, format }, [height], Number.MAX_SAFE_INTEGER);
  } catch (error) {
    throw imagingError(error);
  }
  if (!rendition) throw new Error("no rendition produced");

  const key = variantKey(image.id, height);
  await storage.put(key, rendition.data, image.contentType);
  const row = { imageId: image.id, height, storageKey: key, width: rendition.width, byteSize: rendition.data.length, sha256: sha256(rendition.data) };
  try {
    // A lost file with a surviving row is rewritten; the row is updated to the new bytes.
    const [saved] = await getDb()
      .insert(imageVariants)
      .values(row)
      .onConflictDoUpdate({ target: [imageVariants.imageId, imageVariants.height], set: { byteSize: row.byteSize, sha256: row.sha256, width: row.width } })
      .returning();
    return saved as ImageVariant;
  } catch (error) {
    // The image was deleted while we rendered: leave no orphan behind.
    if (pgErrorCode(error) === FOREIGN_KEY_VIOLATION) {
      await storage.delete([key]);
      throw notFound("image");
    }
    throw error;
  }
}
