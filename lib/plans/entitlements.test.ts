import { describe, expect, it } from "vitest";
import { BUILTIN_PLANS } from "./builtin";
import { allowsHeight, entitlements } from "./entitlements";

describe("entitlements", () => {
  it("gives each built-in plan what the product promises", () => {
    const [basic, premium, enterprise] = BUILTIN_PLANS.map(entitlements);
    expect(basic).toEqual({ heights: [200], originalLink: false, expiringLinks: false });
    expect(premium).toEqual({ heights: [200, 400], originalLink: true, expiringLinks: false });
    expect(enterprise).toEqual({ heights: [200, 400], originalLink: true, expiringLinks: true });
  });

  it("sorts heights ascending and drops duplicates", () => {
    expect(entitlements({ heights: [400, 100, 400, 300], originalLink: false, expiringLinks: false }).heights).toEqual([
      100, 300, 400,
    ]);
  });

  it("allows only the plan's heights", () => {
    const e = entitlements({ heights: [100, 300], originalLink: true, expiringLinks: false });
    expect(allowsHeight(e, 100)).toBe(true);
    expect(allowsHeight(e, 200)).toBe(false);
  });
});
