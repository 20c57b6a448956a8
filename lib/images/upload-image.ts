import { randomUUID } from "node:crypto";
import { getDb } from "@/db/client";
import { type Image, images } from "@/db/schema";
import type { Principal } from "@/lib/accounts/principal";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { logger } from "@/lib/log";
import { uploadLimit } from "@/lib/plans/entitlements";
import { releaseBytes, reserveBytes } from "@/lib/plans/quota";
import { formatSize } from "@/lib/plans/sizes";
import { enqueueThumbnails } from "@/lib/queue/thumbnail-jobs";
import { getStorage } from "@/lib/storage";
import { detectImageType } from "./detect-type";
import { processImageHere } from "./process-image";
import { assertDecodes, probeImage } from "./imaging";
import { imagingError, sha256 } from "./store-variants";
import { originalKey } from "./variants";

/**
 * Validates the file completely (type from its bytes, size from its header, then a full decode),
 * reserves its size against the plan's quota, stores the original, commits the row as
 * `processing` and hands the thumbnails to a job. A failed upload leaves no row and no file and
 * gives its reservation back: the original is removed if the row cannot be written.
 */
export async function uploadImage(owner: Principal, input: { name: string; bytes: Buffer }): Promise<Image> {
  const { bytes, name } = input;
  const { MAX_IMAGE_PIXELS, MAX_UPLOAD_BYTES } = env();
  if (bytes.length === 0)
    throw new AppError("invalid", "The file is empty.", { fields: { image: ["The file is empty."] } });
  // The route refuses these while reading the body; callers that hand bytes over directly are held to it too.
  const maxBytes = uploadLimit(owner.plan, MAX_UPLOAD_BYTES);
  if (bytes.length > maxBytes) {
    throw new AppError(
      "too-large",
      `The upload is larger than the limit of ${maxBytes} bytes (${formatSize(maxBytes)}) of your plan.`,
      { fields: { image: ["file too large"] } },
    );
  }

  const contentType = detectImageType(bytes);
  if (!contentType) {
    throw new AppError(
      "unsupported-type",
      "Only PNG and JPEG images are accepted (detected from the file's contents).",
      {
        fields: { image: ["Only PNG and JPEG images are accepted."] },
      },
    );
  }

  let info;
  try {
    info = await probeImage(bytes, contentType, MAX_IMAGE_PIXELS);
    await assertDecodes(bytes, MAX_IMAGE_PIXELS);
  } catch (error) {
    throw imagingError(error);
  }

  // Throws quota-exceeded before anything is stored; from here on every failure gives the bytes back.
  await reserveBytes(owner.userId, bytes.length);
  const release = () =>
    releaseBytes(owner.userId, bytes.length).catch((error: unknown) =>
      logger.error(
        { err: error, userId: owner.userId, bytes: bytes.length },
        "could not release a failed upload's quota",
      ),
    );

  const id = randomUUID();
  const key = originalKey(id);
  const storage = getStorage();
  try {
    await storage.put(key, bytes, contentType);
  } catch (error) {
    logger.error({ err: error, imageId: id }, "storage write failed during upload");
    // A write that failed late may still have landed.
    await storage.delete([key]).catch(() => {});
    await release();
    throw new AppError("unavailable", "Storage is unavailable; the image was not saved. Try again shortly.", {
      retryAfterSeconds: 5,
    });
  }

  let image: Image;
  try {
    [image] = (await getDb()
      .insert(images)
      .values({
        id,
        ownerId: owner.userId,
        name,
        storageKey: key,
        contentType,
        width: info.width,
        height: info.height,
        byteSize: bytes.length,
        sha256: sha256(bytes),
      })
      .returning()) as [Image];
  } catch (error) {
    await storage
      .delete([key])
      .catch((cleanup) => logger.error({ err: cleanup, key }, "could not remove the original of a failed upload"));
    await release();
    throw error;
  }
  await enqueueThumbnails(image.id, processImageHere);
  return image;
}
