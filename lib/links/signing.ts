import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * Expiring-link tokens: `<link id>.<HMAC-SHA256(key, link id), 128 bits>`, base64url.
 * A tampered token fails here, in constant time, before any database lookup.
 */
const MAC_BYTES = 16;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function mac(key: string, linkId: string): Buffer {
  return createHmac("sha256", key).update(`expiring-link:${linkId}`).digest().subarray(0, MAC_BYTES);
}

export function signLinkId(linkId: string, key: string): string {
  return `${linkId}.${mac(key, linkId).toString("base64url")}`;
}

/** The link id if the token is intact, else null. */
export function verifyLinkToken(token: string, key: string): string | null {
  const dot = token.indexOf(".");
  if (dot < 0) return null;
  const linkId = token.slice(0, dot);
  if (!UUID.test(linkId)) return null;
  // Compare the encoded text, not decoded bytes: base64 decoding ignores stray characters and
  // the unused low bits of the last character, which would let altered tokens through.
  const given = Buffer.from(token.slice(dot + 1), "utf8");
  const expected = Buffer.from(mac(key, linkId).toString("base64url"), "utf8");
  if (given.length !== expected.length) return null;
  return timingSafeEqual(given, expected) ? linkId : null;
}

/** What a disk upload URL (lib/uploads) binds: the upload, its exact size and type, and its expiry. */
export type UploadGrant = { uploadId: string; bytes: number; contentType: string; expiresAt: Date };

function uploadMac(grant: UploadGrant, key: string): string {
  const message = `direct-upload:${grant.uploadId}:${grant.bytes}:${grant.contentType}:${grant.expiresAt.getTime()}`;
  return createHmac("sha256", key).update(message).digest().subarray(0, MAC_BYTES).toString("base64url");
}

export function signUploadGrant(grant: UploadGrant, key: string): string {
  return uploadMac(grant, key);
}

/** Whether `signature` was made for exactly this grant (constant time; the expiry is the caller's check). */
export function verifyUploadGrant(grant: UploadGrant, signature: string, key: string): boolean {
  const given = Buffer.from(signature, "utf8");
  const expected = Buffer.from(uploadMac(grant, key), "utf8");
  return given.length === expected.length && timingSafeEqual(given, expected);
}
