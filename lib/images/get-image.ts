import { and, eq } from "drizzle-orm";
import { getDb } from "@/db/client";
import { type Image, images } from "@/db/schema";
import { idOrNotFound } from "@/lib/ids";
import { notFound } from "@/lib/errors";

/** The owner's image, or 404: another user's image is indistinguishable from a missing one. */
export async function getOwnedImage(ownerId: string, imageId: string): Promise<Image> {
  idOrNotFound(imageId, "image");
  const [image] = await getDb()
    .select()
    .from(images)
    .where(and(eq(images.id, imageId), eq(images.ownerId, ownerId)));
  if (!image) throw notFound("image");
  return image;
}
