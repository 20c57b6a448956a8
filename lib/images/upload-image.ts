import { randomUUID } from "node:crypto";
import { getDb } from "@/db/client";
import { type Image, imageVariants, images } from "@/db/schema";
import type { Principal } from "@/lib/accounts/principal";
import { pgErrorCode, UNIQUE_VIOLATION } from "@/lib/db-errors";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { logger } from "@/lib/log";
import { uploadLimit } from "@/lib/plans/entitlements";
import { releaseBytes, reserveBytes } from "@/lib/plans/quota";
import { formatSize } from "@/lib/plans/sizes";
import { enqueueThumbnails } from "@/lib/queue/thumbnail-jobs";
import { getStorage } from "@/lib/storage";
import { detectImageType } from "./detect-type";
import { probeImage, type Rendition, renderUpload } from "./imaging";
import { processImageHere } from "./process-image";
import { renderSlots } from "./render-slots";
import { imagingError, sha256, variantFile } from "./store-variants";
import { originalKey } from "./variants";

export type UploadInput = {
  name: string;
  bytes: Buffer;
  /** The SHA-256 of `bytes` (hex), from the caller's memo (a file is hashed once); else computed here. */
  sha256?: () => string;
  /** The image's id (a direct upload's, lib/uploads); default: a new one. */
  id?: string;
};

/**
 * Refuses an upload larger than the owner's plan allows (never above MAX_UPLOAD_BYTES). The route
 * refuses these while reading the body; callers that hand bytes over directly, and a direct
 * upload before its bytes are sent, are held to it here.
 */
export function assertUploadSize(owner: Principal, bytes: number): void {
  const maxBytes = uploadLimit(owner.plan, env().MAX_UPLOAD_BYTES);
  if (bytes > maxBytes) {
    throw new AppError(
      "too-large",
      `The upload is larger than the limit of ${maxBytes} bytes (${formatSize(maxBytes)}) of your plan.`,
      { fields: { image: ["file too large"] } },
    );
  }
}

const unsupportedType = () =>
  new AppError("unsupported-type", "Only PNG and JPEG images are accepted (detected from the file's contents).", {
    fields: { image: ["Only PNG and JPEG images are accepted."] },
  });

/**
 * An upload, validated and finished in one decode: type from the bytes, pixel count from the
 * header, then the decode that proves every pixel and renders the owner's plan heights
 * (lib/images/imaging renderUpload). Its size is reserved against the quota; the original and
 * the thumbnails are stored side by side; one statement records the image as `ready` with its
 * variants. A failed upload leaves no row and no file and gives its reservation back.
 *
 * The queue keeps what need not delay the answer: if only a thumbnail's write fails, the image is
 * recorded as `processing` and its job makes the thumbnails again (retried with backoff); so it
 * does when the app is busy and workers run (see render-slots).
 */
export async function uploadImage(owner: Principal, input: UploadInput): Promise<Image> {
  const { bytes, name } = input;
  const { MAX_IMAGE_PIXELS } = env();
  if (bytes.length === 0)
    throw new AppError("invalid", "The file is empty.", { fields: { image: ["The file is empty."] } });
  assertUploadSize(owner, bytes.length);

  const contentType = detectImageType(bytes);
  if (!contentType) throw unsupportedType();

  const id = input.id ?? randomUUID();
  const key = originalKey(id);
  const storage = getStorage();
  const release = () =>
    releaseBytes(owner.userId, bytes.length).catch((error: unknown) =>
      logger.error(
        { err: error, userId: owner.userId, bytes: bytes.length },
        "could not release a failed upload's quota",
      ),
    );

  let info;
  let renditions: Rendition[];
  let placeholder: string;
  let digest: string;
  // While libvips decodes, the quota is reserved and then the original written (its header has
  // passed the type and pixel checks): the upload's storage write costs no time of its own. Over
  // the quota, nothing is written; a file that then fails to decode takes both back.
  let reserved: Promise<unknown> | undefined;
  let originalStored: Promise<void> | undefined;
  // A busy app (every render slot taken) with workers to hand them to leaves the thumbnails to the
  // queue: it still decodes the whole file, which a valid upload needs, but renders and stores none.
  const slots = renderSlots();
  const slot = slots.tryTake() ?? (env().REDIS_URL ? null : await slots.take());
  const deferred = slot === null;
  try {
    info = await probeImage(bytes, contentType, MAX_IMAGE_PIXELS);
    const rendering = renderUpload(bytes, info, deferred ? [] : owner.plan.heights, MAX_IMAGE_PIXELS);
    rendering.catch(() => {}); // awaited below; should a step before that throw, not unhandled
    const reservation = reserveBytes(owner.userId, bytes.length);
    reservation.catch(() => {}); // awaited below (over the quota: after the decode's own verdict)
    reserved = reservation;
    // A direct upload's id may be completed twice at once: its original is written only once its
    // file has decoded, so a failure here never deletes the file the other request recorded.
    if (input.id === undefined) {
      originalStored = reservation.then(() => storage.put(key, bytes, contentType));
      originalStored.catch(() => {}); // awaited below, on every path
    }
    // Hashed here on the main thread while libvips decodes on its own.
    digest = input.sha256?.() ?? sha256(bytes);
    ({ renditions, placeholder } = await rendering);
  } catch (error) {
    if (reserved) await undoReservedWrite(reserved, originalStored, () => storage.delete([key]), release);
    throw imagingError(error);
  } finally {
    slot?.();
  }

  // Throws quota-exceeded with nothing stored (the write waits for the reservation).
  await reserved;
  const variants = renditions.map((r) => variantFile(id, r));
  const [original, ...thumbnails] = await Promise.allSettled([
    originalStored ?? storage.put(key, bytes, contentType),
    ...variants.map((v) => storage.put(v.row.storageKey, v.data, v.contentType)),
  ]);
  const thumbnailKeys = variants.map((v) => v.row.storageKey);
  if (original?.status === "rejected") {
    logger.error({ err: original.reason, imageId: id }, "storage write failed during upload");
    // A write that failed late may still have landed.
    await storage.delete([key, ...thumbnailKeys]).catch(() => {});
    await release();
    throw new AppError("unavailable", "Storage is unavailable; the image was not saved. Try again shortly.", {
      retryAfterSeconds: 5,
    });
  }
  const thumbnailsStored = !deferred && thumbnails.every((t) => t.status === "fulfilled");
  if (!deferred && !thumbnailsStored) {
    const failed = thumbnails.find((t) => t.status === "rejected");
    logger.warn({ err: failed?.reason, imageId: id }, "thumbnail write failed during upload: the queue makes them");
    await storage.delete(thumbnailKeys).catch(() => {});
  }

  let image: Image;
  try {
    const db = getDb();
    const row = {
      id,
      ownerId: owner.userId,
      name,
      storageKey: key,
      contentType,
      width: info.width,
      height: info.height,
      byteSize: bytes.length,
      sha256: digest,
      status: thumbnailsStored ? ("ready" as const) : ("processing" as const),
      placeholder,
    };
    // One statement records the image and its variants, atomically and in one round trip (the
    // variants' foreign key is checked at its end). Not a transaction: postgres.js 3.4.9 can throw
    // an uncaught exception when a connection pinned for one dies (porsager/postgres#1208).
    const insert =
      thumbnailsStored && variants.length
        ? db
            .with(
              db.$with("recorded").as(
                db
                  .insert(imageVariants)
                  .values(variants.map((v) => v.row))
                  .returning({ height: imageVariants.height }),
              ),
            )
            .insert(images)
        : db.insert(images);
    [image] = (await insert.values(row).returning()) as [Image];
  } catch (error) {
    // A direct upload completed twice at once: the other request recorded this id, and these keys
    // (the original's, and content-addressed thumbnails) are its files now.
    const lostRace = input.id !== undefined && pgErrorCode(error) === UNIQUE_VIOLATION;
    await (lostRace ? Promise.resolve() : storage.delete([key, ...thumbnailKeys])).catch((cleanup) =>
      logger.error({ err: cleanup, key }, "could not remove the files of a failed upload"),
    );
    await release();
    throw error;
  }
  // The queue makes what is missing: the thumbnails if they were not stored, and the WebP and AVIF ones.
  if (!thumbnailsStored || env().EAGER_FORMATS.length) await enqueueThumbnails(image.id, processImageHere);
  return image;
}

/**
 * A refused file whose quota reservation and original's write ran beside its decode: the file
 * goes (should its write have landed) and the bytes are given back, once both have settled. A
 * reservation that failed (over the quota) reserved nothing and wrote nothing; with no write
 * (a direct upload's, written only once decoded), only the bytes are given back.
 */
async function undoReservedWrite(
  reserved: Promise<unknown>,
  written: Promise<void> | undefined,
  remove: () => Promise<void>,
  release: () => Promise<unknown>,
): Promise<void> {
  const [reservation] = await Promise.allSettled([reserved, written]);
  if (reservation.status === "rejected") return;
  if (written)
    await remove().catch((error: unknown) =>
      logger.error({ err: error }, "could not remove a refused upload's original"),
    );
  await release();
}
