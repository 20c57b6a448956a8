import { eq } from "drizzle-orm";
import { getDb } from "@/db/client";
import { directUploads } from "@/db/schema";
import { env } from "@/lib/env";
import { AppError, notFound } from "@/lib/errors";
import { verifyUploadGrant } from "@/lib/links/signing";
import { uploadBuffers } from "@/lib/memory/buffer-pool";
import { getStorage } from "@/lib/storage";
import { readExactly } from "./read-exactly";

export type UploadPut = {
  /** The URL's `expires` (Unix seconds) and `signature`, as sent. */
  expires: number;
  signature: string;
  contentType: string | null;
  contentLength: string | null;
  body: ReadableStream<Uint8Array> | null;
};

const refused = (why: string) => new AppError("forbidden", `This upload URL cannot be used: ${why}`);

/**
 * The disk storage's end of a direct upload: the PUT to the URL createUpload signed. It is held
 * to what S3 enforces for a presigned PUT: the signature, the expiry, and the signed size and
 * type (each refused with 403, before a byte is read); the body is read up to that size and no
 * further. A second PUT before `complete` replaces the first, as on S3; one after it changes nothing.
 */
export async function receiveUpload(uploadId: string, put: UploadPut): Promise<void> {
  const storage = getStorage();
  // On S3 the bytes go to the bucket: the app never takes them.
  if (storage.kind !== "disk") throw notFound("upload URL (uploads go straight to the bucket)");
  const [upload] = await getDb().select().from(directUploads).where(eq(directUploads.id, uploadId));
  const grant = upload && {
    uploadId,
    bytes: upload.byteSize,
    contentType: upload.contentType,
    expiresAt: new Date(put.expires * 1000),
  };
  if (!upload || !grant || !verifyUploadGrant(grant, put.signature, env().LINK_SIGNING_KEY))
    throw refused("the signature does not match.");
  if (Date.now() > upload.expiresAt.getTime()) throw refused(`it expired at ${upload.expiresAt.toISOString()}.`);
  if (put.contentType?.trim().toLowerCase() !== upload.contentType)
    throw refused(`it was signed for Content-Type: ${upload.contentType}.`);
  if (put.contentLength !== String(upload.byteSize))
    throw refused(`it was signed for Content-Length: ${upload.byteSize} (exactly that many bytes).`);
  // As S3 takes a PUT to a URL still valid: a client retrying the whole upload goes on to complete,
  // which answers the image. The bytes have nowhere to go: the image was made from the first ones.
  if (upload.completedAt) {
    await put.body?.cancel().catch(() => {});
    return;
  }
  if (upload.claimedUntil && upload.claimedUntil.getTime() > Date.now())
    throw new AppError("conflict", "This upload is being completed; its file can no longer be replaced.");
  if (!put.body) throw new AppError("bad-request", "The request has no body.");

  // Into a borrowed buffer, given back once the write has settled (lib/memory/buffer-pool).
  const loans = uploadBuffers.loans();
  try {
    const bytes = await readExactly(put.body, upload.byteSize, loans.borrow);
    if (!bytes)
      throw new AppError("bad-request", `The body is not the ${upload.byteSize} bytes its Content-Length says.`);
    await storage.put(upload.storageKey, bytes, upload.contentType);
  } finally {
    loans.end();
  }
}
