import { createHash, randomBytes } from "node:crypto";

/** API tokens: `tih_` + 256 random bits (base64url). Only the SHA-256 is stored; the prefix helps people tell tokens apart. */
const TOKEN_PREFIX = "tih_";

export function generateApiToken(): { token: string; hash: string; prefix: string } {
  const token = TOKEN_PREFIX + randomBytes(32).toString("base64url");
  return { token, hash: hashApiToken(token), prefix: token.slice(0, TOKEN_PREFIX.length + 6) };
}

/** A fast hash is right here: the token has 256 bits of entropy, so there is nothing to brute-force. */
export function hashApiToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

export function looksLikeApiToken(value: string): boolean {
  return value.startsWith(TOKEN_PREFIX) && value.length === TOKEN_PREFIX.length + 43;
}
