import { and, eq } from "drizzle-orm";
import { getDb } from "@/db/client";
import { type Image, images } from "@/db/schema";
import { notFound } from "@/lib/errors";
import { idOrNotFound } from "@/lib/ids";

/** Gives the owner's image a new name (one statement); another user's image is 404 like a missing one. */
export async function renameImage(ownerId: string, imageId: string, name: string): Promise<Image> {
  idOrNotFound(imageId, "image");
  const [image] = await getDb()
    .update(images)
    .set({ name })
    .where(and(eq(images.id, imageId), eq(images.ownerId, ownerId)))
    .returning();
  if (!image) throw notFound("image");
  return image;
}
