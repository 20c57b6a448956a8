import { createHash, randomUUID } from "node:crypto";
import { getDb } from "@/db/client";
import { type Image, imageVariants, images } from "@/db/schema";
import type { Principal } from "@/lib/accounts/principal";
import { env } from "@/lib/env";
import { ApiError } from "@/lib/http/problem";
import { getStorage } from "@/lib/storage";
import { detectImageType } from "./detect-type";
import { probeImage, renderThumbnails, TooManyPixelsError, UndecodableImageError } from "./imaging";
import { originalKey, variantKey } from "./variants";

export const sha256 = (data: Uint8Array) => createHash("sha256").update(data).digest("hex");

/** Maps imaging failures to the API's statuses; everything else passes through. */
export function imagingError(error: unknown): unknown {
  if (error instanceof TooManyPixelsError || error instanceof UndecodableImageError) {
    return new ApiError(422, error.message, { image: [error.message] });
  }
  return error;
}

/**
 * Validates, renders the owner's plan heights, stores the original and every variant, then
 * commits the rows. Nothing is written until the image has decoded completely, and anything
 * written is removed again if a later step fails: a failed upload leaves no row and no file.
 */
export async function uploadImage(owner: Principal, input: { name: string; bytes: Buffer }): Promise<Image> {
  const { bytes, name } = input;
  const { MAX_IMAGE_PIXELS } = env();
  if (bytes.length === 0) throw new ApiError(422, "The file is empty.", { image: ["The file is empty."] });

  const contentType = detectImageType(bytes);
  if (!contentType) {
    throw new ApiError(415, "Only PNG and JPEG images are accepted (detected from the file's contents).", {
      image: ["Only PNG and JPEG images are accepted."],
    });
  }

  let info, renditions;
  try {
    info = await probeImage(bytes, contentType, MAX_IMAGE_PIXELS);
    renditions = await renderThumbnails(bytes, info, owner.plan.heights, MAX_IMAGE_PIXELS);
  } catch (error) {
    throw imagingError(error);
  }

  const id = randomUUID();
  const storage = getStorage();
  const variants = renditions.map((r) => ({
    imageId: id,
    height: r.planHeight,
    storageKey: variantKey(id, r.planHeight),
    width: r.width,
    byteSize: r.data.length,
    sha256: sha256(r.data),
    data: r.data,
    contentType,
  }));
  const files = [{ storageKey: originalKey(id), data: bytes, contentType }, ...variants];

  const keys = files.map((f) => f.storageKey);
  // Deletes every key, written or not: a write still in flight when another failed may land late.
  const removeFiles = () => storage.delete(keys).catch((error) => console.error("could not remove files of a failed upload", keys, error));
  // allSettled, not all: cleanup must wait until no write is still in flight.
  const writes = await Promise.allSettled(files.map((f) => storage.put(f.storageKey, f.data, f.contentType)));
  const failed = writes.find((w) => w.status === "rejected");
  if (failed) {
    console.error("storage write failed during upload", failed.reason);
    await removeFiles();
    throw new ApiError(503, "Storage is unavailable; the image was not saved. Try again shortly.", undefined, { "Retry-After": "5" });
  }

  try {
    return await getDb().transaction(async (tx) => {
      const [image] = await tx
        .insert(images)
        .values({
          id,
          ownerId: owner.userId,
          name,
          storageKey: originalKey(id),
          contentType,
          width: info.width,
          height: info.height,
          byteSize: bytes.length,
          sha256: sha256(bytes),
        })
        .returning();
      if (variants.length) await tx.insert(imageVariants).values(variants.map(({ data: _d, contentType: _c, ...row }) => row));
      return image as Image;
    });
  } catch (error) {
    await removeFiles();
    throw error;
  }
}
