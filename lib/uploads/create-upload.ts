import { randomUUID } from "node:crypto";
import { getDb } from "@/db/client";
import { directUploads } from "@/db/schema";
import type { Principal } from "@/lib/accounts/principal";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { assertUploadSize } from "@/lib/images/upload-image";
import { signUploadGrant } from "@/lib/links/signing";
import { assertQuotaRoom } from "@/lib/plans/quota";
import { getStorage } from "@/lib/storage";
import { DIRECT_UPLOAD_TYPES, diskUploadUrl, stagingKey, UPLOAD_URL_SECONDS } from "./grant";

export type CreateUploadInput = { name: string; bytes: number; contentType: string };

export type CreatedUpload = {
  id: string;
  url: string;
  method: "PUT";
  headers: Record<string, string>;
  expiresAt: Date;
};

/**
 * Starts a direct-to-storage upload: the size is held to the plan's limit and the quota as it is
 * now, then the client gets a URL to PUT exactly `bytes` bytes of `contentType` to, for
 * UPLOAD_URL_SECONDS. On S3 it is presigned for the bucket (the bytes never pass through the app);
 * on disk it is the app's own URL, signed the same way (one protocol for clients). The upload's id
 * is its image's id once completed.
 */
export async function createUpload(
  owner: Principal,
  input: CreateUploadInput,
  baseUrl: string,
): Promise<CreatedUpload> {
  const contentType = DIRECT_UPLOAD_TYPES.find((t) => t === input.contentType.toLowerCase());
  if (!contentType) {
    throw new AppError(
      "unsupported-type",
      "Only PNG and JPEG images are accepted: content_type must be image/png or image/jpeg.",
      {
        fields: { content_type: ["must be image/png or image/jpeg"] },
      },
    );
  }
  assertUploadSize(owner, input.bytes);
  await assertQuotaRoom(owner.userId, input.bytes);

  const id = randomUUID();
  const storageKey = stagingKey(id);
  // Whole seconds: the disk URL carries its expiry in seconds, and must verify against the row's.
  const expiresAt = new Date((Math.floor(Date.now() / 1000) + UPLOAD_URL_SECONDS) * 1000);
  const storage = getStorage();
  const put = storage.presignPut
    ? await storage.presignPut(storageKey, {
        bytes: input.bytes,
        contentType,
        expiresInSeconds: UPLOAD_URL_SECONDS,
      })
    : {
        url: diskUploadUrl(
          baseUrl,
          id,
          expiresAt,
          signUploadGrant({ uploadId: id, bytes: input.bytes, contentType, expiresAt }, env().LINK_SIGNING_KEY),
        ),
        headers: { "Content-Type": contentType, "Content-Length": String(input.bytes) },
      };
  await getDb().insert(directUploads).values({
    id,
    ownerId: owner.userId,
    name: input.name,
    byteSize: input.bytes,
    contentType,
    storageKey,
    expiresAt,
  });
  return { id, url: put.url, method: "PUT", headers: put.headers, expiresAt };
}
