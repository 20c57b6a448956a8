import { AppError } from "@/lib/errors";
import { deleteImage } from "./delete-image";

export type DeletedImage =
  { id: string; status: "deleted" | "not_found" } | { id: string; status: "failed"; detail: string };

/** Images deleted at once: each is a transaction and a listing and a delete on the store. */
const CONCURRENCY = 4;

/**
 * Deletes the owner's images among `ids`, each exactly as DELETE /images/{id} does (its row, its
 * files and its bytes in one transaction: an image is deleted whole or not at all). Answers each
 * id in the order given: `deleted`; `not_found` (missing, someone else's, already deleted: not
 * told apart); or `failed` when the storage could not be reached for that one (retry it).
 */
export async function deleteImages(ownerId: string, ids: readonly string[]): Promise<DeletedImage[]> {
  const results: DeletedImage[] = [];
  for (let i = 0; i < ids.length; i += CONCURRENCY) {
    results.push(
      ...(await Promise.all(
        ids.slice(i, i + CONCURRENCY).map(async (id): Promise<DeletedImage> => {
          try {
            await deleteImage(ownerId, id);
            return { id, status: "deleted" };
          } catch (error) {
            if (error instanceof AppError && error.kind === "not-found") return { id, status: "not_found" };
            if (error instanceof AppError && error.kind === "unavailable")
              return { id, status: "failed", detail: error.message };
            throw error;
          }
        }),
      )),
    );
  }
  return results;
}
