import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { signLinkId, verifyLinkToken } from "./signing";

const key = "k".repeat(48);

describe("expiring link tokens", () => {
  it("round-trips a link id", () => {
    const id = randomUUID();
    expect(verifyLinkToken(signLinkId(id, key), key)).toBe(id);
  });

  it("rejects a token signed with another key", () => {
    const id = randomUUID();
    expect(verifyLinkToken(signLinkId(id, "x".repeat(48)), key)).toBeNull();
  });

  it("rejects a token whose id or signature was changed", () => {
    const id = randomUUID();
    const token = signLinkId(id, key);
    const otherId = randomUUID();
    expect(verifyLinkToken(`${otherId}${token.slice(id.length)}`, key)).toBeNull();
    const flipped = token.slice(0, -1) + (token.endsWith("A") ? "B" : "A");
    expect(verifyLinkToken(flipped, key)).toBeNull();
  });

  it("rejects malformed tokens", () => {
    for (const t of ["", ".", "abc", "abc.def", `${randomUUID()}.`, "../../etc/passwd"]) {
      expect(verifyLinkToken(t, key)).toBeNull();
    }
  });
});
