import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { signLinkId, signUploadGrant, type UploadGrant, verifyLinkToken, verifyUploadGrant } from "./signing";

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

describe("direct upload grants", () => {
  const grant: UploadGrant = {
    uploadId: randomUUID(),
    bytes: 1234,
    contentType: "image/png",
    expiresAt: new Date("2026-12-02T12:00:00Z"),
  };

  it("verifies the grant it signed, with the same key only", () => {
    const signature = signUploadGrant(grant, key);
    expect(verifyUploadGrant(grant, signature, key)).toBe(true);
    expect(verifyUploadGrant(grant, signUploadGrant(grant, "x".repeat(48)), key)).toBe(false);
  });

  it("refuses the signature for any other size, type, expiry or upload", () => {
    const signature = signUploadGrant(grant, key);
    fc.assert(
      fc.property(
        fc.record({
          bytes: fc.integer({ min: 1, max: 2 ** 40 }),
          contentType: fc.constantFrom("image/png", "image/jpeg", "image/gif"),
          expiresAt: fc.date({ noInvalidDate: true }),
          uploadId: fc.uuid(),
        }),
        fc.constantFrom("bytes", "contentType", "expiresAt", "uploadId"),
        (other, field) => {
          const changed = { ...grant, [field]: other[field] };
          fc.pre(String(changed[field]) !== String(grant[field]));
          expect(verifyUploadGrant(changed, signature, key)).toBe(false);
        },
      ),
    );
  });

  it("refuses altered or malformed signatures", () => {
    const signature = signUploadGrant(grant, key);
    const flipped = signature.slice(0, -1) + (signature.endsWith("A") ? "B" : "A");
    for (const s of [flipped, "", signature + "A", signature.slice(1), "../x"])
      expect(verifyUploadGrant(grant, s, key)).toBe(false);
  });
});
