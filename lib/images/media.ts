import { and, eq } from "drizzle-orm";
import { getDb } from "@/db/client";
import { type Image, imageVariants, images } from "@/db/schema";
import type { Principal } from "@/lib/accounts/principal";
import { env } from "@/lib/env";
import { idOrNotFound } from "@/lib/ids";
import { AppError, notFound } from "@/lib/errors";
import { allowsHeight } from "@/lib/plans/entitlements";
import { getStorage, type StoredObject } from "@/lib/storage";
import { ensureVariant } from "./ensure-variant";
import { awaitsMadeAhead, CONTENT_TYPE_OF, negotiateFormat, sourceFormatOf, type VariantFormat } from "./formats";

/** A stored file ready to send: metadata for headers first, bytes only when needed (not on 304). */
export type MediaFile = {
  contentType: string;
  /** The image's name, which the download's file name is made from. */
  name: string;
  etag: string;
  /** Variants never change under their URL (an interim one excepted); originals may be re-checked. */
  immutable: boolean;
  /** The request header the encoding was chosen by, if any (sent back as `Vary`). */
  varyBy?: "Accept";
  open: () => Promise<StoredObject>;
};

async function openOrThrow(key: string): Promise<StoredObject> {
  const file = await getStorage().get(key);
  if (!file) throw notFound("file");
  return file;
}

export function originalMedia(image: Image, immutable = false): MediaFile {
  return {
    contentType: image.contentType,
    name: image.name,
    etag: `"${image.sha256}"`,
    immutable,
    open: () => openOrThrow(image.storageKey),
  };
}

/** How a thumbnail request chose its encoding: `?format=`, else its `Accept` header. */
export type FormatChoice = { format?: VariantFormat; accept: string | null };

/**
 * GET /images/{id}/thumbnails/{height}: owner only, height checked against the current plan,
 * in the format asked for or negotiated (lib/images/formats). One statement reads the image and
 * the variants of that height; a format not made yet is made now, unless the upload's job is
 * making it (then the source format is the interim answer: awaitsMadeAhead).
 */
export async function thumbnailMedia(
  principal: Principal,
  imageId: string,
  height: number,
  choice: FormatChoice,
): Promise<MediaFile> {
  idOrNotFound(imageId, "thumbnail");
  const rows = await getDb()
    .select({ image: images, variant: imageVariants })
    .from(images)
    .leftJoin(imageVariants, and(eq(imageVariants.imageId, images.id), eq(imageVariants.height, height)))
    .where(and(eq(images.id, imageId), eq(images.ownerId, principal.userId)));
  const [row] = rows;
  if (!row) throw notFound("image");
  if (!allowsHeight(principal.plan, height)) {
    throw new AppError(
      "forbidden",
      `Your plan (${principal.plan.name}) includes thumbnails of height ${principal.plan.heights.join(", ")} px, not ${height} px.`,
    );
  }
  const source = sourceFormatOf(row.image.contentType);
  let format = choice.format ?? negotiateFormat(choice.accept, source);
  const stored = (f: VariantFormat) => rows.find((r) => r.variant?.format === f)?.variant ?? undefined;
  // Negotiated (not forced), not made yet, but the upload's job is making it: the source format
  // now, revalidated each time (no-cache), so the next request gets the new format once stored.
  const interim =
    !choice.format &&
    !stored(format) &&
    stored(source) !== undefined &&
    awaitsMadeAhead(format, env().EAGER_FORMATS, row.image.createdAt, new Date());
  if (interim) format = source;
  const variant = stored(format) ?? (await ensureVariant(row.image, height, format));
  return {
    contentType: CONTENT_TYPE_OF[format],
    name: row.image.name,
    etag: `"${variant.sha256}"`,
    immutable: !interim,
    varyBy: "Accept",
    // A row whose file went missing is repaired rather than answered with a 404.
    open: async () =>
      (await getStorage().get(variant.storageKey)) ??
      openOrThrow((await ensureVariant(row.image, height, format, { repair: true })).storageKey),
  };
}

/** GET /images/{id}/original: owner only, and only while the plan has the original link. */
export async function originalMediaFor(principal: Principal, imageId: string): Promise<MediaFile> {
  idOrNotFound(imageId, "image");
  const [image] = await getDb()
    .select()
    .from(images)
    .where(and(eq(images.id, imageId), eq(images.ownerId, principal.userId)));
  if (!image) throw notFound("image");
  if (!principal.plan.originalLink)
    throw new AppError("forbidden", `Your plan (${principal.plan.name}) does not include the original image.`);
  return originalMedia(image);
}
