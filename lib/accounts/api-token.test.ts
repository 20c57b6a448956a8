import { describe, expect, it } from "vitest";
import { generateApiToken, hashApiToken, looksLikeApiToken } from "./api-token";

describe("API tokens", () => {
  it("carry 256 random bits and store only a hash", () => {
    const { token, hash, prefix } = generateApiToken();
    expect(Buffer.from(token.slice(4), "base64url")).toHaveLength(32);
    expect(hash).toBe(hashApiToken(token));
    expect(hash).not.toContain(token.slice(4));
    expect(token.startsWith(prefix)).toBe(true);
    expect(looksLikeApiToken(token)).toBe(true);
  });

  it("are different every time", () => {
    expect(generateApiToken().token).not.toBe(generateApiToken().token);
  });

  it("rejects values of the wrong shape", () => {
    expect(looksLikeApiToken("tih_short")).toBe(false);
    expect(looksLikeApiToken("Bearer abc")).toBe(false);
  });
});
