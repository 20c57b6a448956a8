import { describe, expect, it } from "vitest";
import { planFormSchemaFor, planInputSchemaFor } from "./schemas";
import { bytesToMbText, formatMb, formatSize } from "./sizes";

const MiB = 1024 * 1024;
const form = { name: "Team", heights: "100, 300" };
const errorsOf = (result: { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } }) =>
  Object.fromEntries((result.error?.issues ?? []).map((i) => [i.path.join("."), i.message]));

describe("plan limits in the form (MB) and in bytes", () => {
  it("turns MB into bytes, an empty quota into unlimited, and text rates into numbers", () => {
    const parsed = planFormSchemaFor(25 * MiB).parse({
      ...form,
      maxUploadMb: "2.5",
      quotaMb: " ",
      requestsPerMinute: "0",
      uploadsPerHour: "12",
    });
    expect(parsed).toMatchObject({
      heights: [100, 300],
      maxUploadBytes: 2.5 * MiB,
      quotaBytes: null,
      requestsPerMinute: 0,
      uploadsPerHour: 12,
    });
    expect(planFormSchemaFor(25 * MiB).parse({ ...form, maxUploadMb: "25", quotaMb: "0" }).quotaBytes).toBe(0);
  });

  it("refuses a largest upload over the global limit, naming it, and bad numbers on their fields", () => {
    const result = planFormSchemaFor(10 * MiB).safeParse({
      ...form,
      maxUploadMb: "11",
      quotaMb: "-1",
      requestsPerMinute: "1.5",
      uploadsPerHour: "lots",
    });
    const errors = errorsOf(result);
    expect(errors.maxUploadMb).toContain("10 MB");
    expect(errors.maxUploadMb).toContain("MAX_UPLOAD_BYTES");
    expect(errors.quotaMb).toMatch(/number of MB/);
    expect(errors.requestsPerMinute).toMatch(/whole number/);
    expect(errors.uploadsPerHour).toMatch(/whole number/);
    expect(errorsOf(planFormSchemaFor(10 * MiB).safeParse({ ...form, maxUploadMb: "0" })).maxUploadMb).toMatch(
      /at least 1 byte/,
    );
  });

  it("gives a plan without limits Premium's, its largest upload capped by the global limit", () => {
    expect(planInputSchemaFor(5 * MiB).parse({ name: "x", heights: [1] })).toMatchObject({
      maxUploadBytes: 5 * MiB,
      quotaBytes: 20 * 1024 * MiB,
      requestsPerMinute: 600,
      uploadsPerHour: 1000,
    });
    expect(planInputSchemaFor(25 * MiB).safeParse({ name: "x", heights: [1], requestsPerMinute: -1 }).success).toBe(
      false,
    );
  });

  it("formats sizes", () => {
    expect(formatSize(10 * MiB)).toBe("10 MB");
    expect(formatSize(20 * 1024 * MiB)).toBe("20 GB");
    expect(formatMb(1024 * MiB)).toBe("1024 MB");
    expect(bytesToMbText(10 * MiB)).toBe("10");
    expect(Math.round(Number(bytesToMbText(1_000_001)) * MiB)).toBeLessThanOrEqual(1_000_001);
  });
});
