import { describe, expect, it } from "vitest";
import { BUILTIN_PLANS } from "./builtin";
import { allowsHeight, entitlements, type PlanFields, uploadLimit } from "./entitlements";

const limits = {
  maxUploadBytes: 1,
  quotaBytes: null,
  requestsPerMinute: 0,
  uploadsPerHour: 0,
} satisfies Partial<PlanFields>;

describe("entitlements", () => {
  it("gives each built-in plan what the product promises", () => {
    const [basic, premium, enterprise] = BUILTIN_PLANS.map(entitlements);
    const MiB = 1024 * 1024;
    expect(basic).toEqual({
      heights: [200],
      originalLink: false,
      expiringLinks: false,
      maxUploadBytes: 10 * MiB,
      quotaBytes: 1024 * MiB,
      requestsPerMinute: 600,
      uploadsPerHour: 100,
    });
    expect(premium).toEqual({
      heights: [200, 400],
      originalLink: true,
      expiringLinks: false,
      maxUploadBytes: 25 * MiB,
      quotaBytes: 20 * 1024 * MiB,
      requestsPerMinute: 600,
      uploadsPerHour: 1000,
    });
    expect(enterprise).toEqual({
      heights: [200, 400],
      originalLink: true,
      expiringLinks: true,
      maxUploadBytes: 25 * MiB,
      quotaBytes: null,
      requestsPerMinute: 600,
      uploadsPerHour: 1000,
    });
  });

  it("caps a plan's upload limit at the global one", () => {
    expect(uploadLimit({ maxUploadBytes: 100 }, 50)).toBe(50);
    expect(uploadLimit({ maxUploadBytes: 10 }, 50)).toBe(10);
  });

  it("sorts heights ascending and drops duplicates", () => {
    expect(
      entitlements({ heights: [400, 100, 400, 300], originalLink: false, expiringLinks: false, ...limits }).heights,
    ).toEqual([100, 300, 400]);
  });

  it("allows only the plan's heights", () => {
    const e = entitlements({ heights: [100, 300], originalLink: true, expiringLinks: false, ...limits });
    expect(allowsHeight(e, 100)).toBe(true);
    expect(allowsHeight(e, 200)).toBe(false);
  });
});
