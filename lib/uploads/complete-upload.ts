import { and, eq, isNull, lt, or, sql } from "drizzle-orm";
import { getDb } from "@/db/client";
import { type DirectUpload, directUploads, type Image, images } from "@/db/schema";
import type { Principal } from "@/lib/accounts/principal";
import { pgErrorCode, UNIQUE_VIOLATION } from "@/lib/db-errors";
import { AppError, notFound } from "@/lib/errors";
import { uploadImage } from "@/lib/images/upload-image";
import { logger } from "@/lib/log";
import { uploadBuffers } from "@/lib/memory/buffer-pool";
import { getStorage } from "@/lib/storage";
import { COMPLETE_GRACE_SECONDS } from "./grant";
import { readExactly } from "./read-exactly";

/** How long one `complete` holds its upload; a request that died is taken over after it. */
const CLAIM_SECONDS = 300;

/** Kinds that say the file or the account refused it: the upload is over. Others may succeed if retried. */
const RETRYABLE = new Set(["unavailable", "rate-limited", "conflict"]);

/**
 * Finishes a direct upload: the stored object is read once, validated and made an image exactly
 * as a multipart upload is (lib/images/upload-image: type from the bytes, pixel limit, the decode,
 * quota, thumbnails; the bytes validated are the ones stored as the original), under the upload's
 * id; then the staged object goes. A refused file gets the same 4xx as a multipart
 * upload, and its object and upload are deleted; a fault that a retry may get past (storage or
 * the database unreachable) leaves both for the retry. Completing twice does the work once: the
 * second call answers the same image (for a day: then the reconciler forgets the upload).
 */
export async function completeUpload(owner: Principal, uploadId: string): Promise<Image> {
  const db = getDb();
  const mine = and(eq(directUploads.id, uploadId), eq(directUploads.ownerId, owner.userId));
  const [upload] = await db
    .update(directUploads)
    .set({ claimedUntil: sql`now() + make_interval(secs => ${CLAIM_SECONDS})` })
    .where(
      and(
        mine,
        isNull(directUploads.completedAt),
        or(isNull(directUploads.claimedUntil), lt(directUploads.claimedUntil, sql`now()`)),
      ),
    )
    .returning();
  if (!upload) {
    const [held] = await db.select().from(directUploads).where(mine);
    if (held?.completedAt) {
      // Completed before: the same image, unless it has been deleted since.
      const done = await recordedImage(owner, uploadId);
      if (done) return done;
      throw notFound("upload");
    }
    if (held)
      throw new AppError("conflict", "This upload is being completed by another request; try again shortly.", {
        retryAfterSeconds: 2,
      });
    throw notFound("upload");
  }

  try {
    // A request that recorded the image and then died before marking its upload completed.
    const done = await recordedImage(owner, uploadId);
    if (done) {
      await markCompleted(upload);
      await removeStaged(upload);
      return done;
    }
    if (Date.now() > upload.expiresAt.getTime() + COMPLETE_GRACE_SECONDS * 1000)
      throw new AppError("gone", "This upload expired before it was completed: start a new one.");
    // The file is read into a borrowed buffer, given back once uploadImage has settled its work on it.
    const loans = uploadBuffers.loans();
    let image: Image;
    try {
      const bytes = await storedBytes(upload, loans.borrow);
      image = await uploadImage(owner, { name: upload.name, bytes, id: upload.id });
    } finally {
      loans.end();
    }
    await markCompleted(upload);
    await removeStaged(upload);
    return image;
  } catch (error) {
    // Two requests both past an expired claim: the later insert loses, and answers the first's image.
    if (pgErrorCode(error) === UNIQUE_VIOLATION) {
      const done = await recordedImage(owner, uploadId);
      if (done) return done;
    }
    if (error instanceof AppError && !RETRYABLE.has(error.kind)) await discard(upload);
    else await release(upload);
    throw error;
  }
}

async function recordedImage(owner: Principal, id: string): Promise<Image | undefined> {
  const [image] = await getDb()
    .select()
    .from(images)
    .where(and(eq(images.id, id), eq(images.ownerId, owner.userId)));
  return image;
}

/** The object's bytes, held to the announced size (the store enforced it; disk and S3 alike are checked). */
async function storedBytes(upload: DirectUpload, borrow: (size: number) => Buffer<ArrayBuffer>): Promise<Buffer> {
  const object = await getStorage().get(upload.storageKey);
  if (!object) {
    throw new AppError("conflict", "No file has been uploaded yet: PUT it to the upload's url, then complete it.");
  }
  const bytes = object.size === upload.byteSize ? await readExactly(object.body, upload.byteSize, borrow) : null;
  if (!bytes) {
    if (object.size !== upload.byteSize) await object.body.cancel().catch(() => {});
    throw new AppError("invalid", `The stored file is not the ${upload.byteSize} bytes the upload announced.`, {
      fields: { image: ["size differs from the announced bytes"] },
    });
  }
  return bytes;
}

/** The image is recorded: a repeated `complete` answers it (a failure here is mended by the next call). */
async function markCompleted(upload: DirectUpload): Promise<void> {
  await getDb()
    .update(directUploads)
    .set({ completedAt: sql`now()`, claimedUntil: null })
    .where(eq(directUploads.id, upload.id))
    .catch((error: unknown) => logger.warn({ err: error, uploadId: upload.id }, "could not mark an upload completed"));
}

/** Its bytes are the original now; a staged object left behind is an orphan the reconciler removes. */
async function removeStaged(upload: DirectUpload): Promise<void> {
  await getStorage()
    .delete([upload.storageKey])
    .catch((error: unknown) => logger.warn({ err: error, uploadId: upload.id }, "could not remove a staged upload"));
}

/** Refused or expired: the object and the upload go (the reconciler retries what fails here). */
async function discard(upload: DirectUpload): Promise<void> {
  try {
    await getStorage().delete([upload.storageKey]);
    await getDb().delete(directUploads).where(eq(directUploads.id, upload.id));
  } catch (error) {
    logger.warn({ err: error, uploadId: upload.id }, "could not remove a refused upload: the reconciler will");
  }
}

/** A retry may complete it: the claim is given back. */
async function release(upload: DirectUpload): Promise<void> {
  await getDb()
    .update(directUploads)
    .set({ claimedUntil: null })
    .where(eq(directUploads.id, upload.id))
    .catch((error: unknown) => logger.warn({ err: error, uploadId: upload.id }, "could not release an upload's claim"));
}
