import { describe, expect, it } from "vitest";
import { formatBytes, formatDuration, formatTimeLeft } from "./format";

describe("formatBytes", () => {
  it("uses the largest unit below 1024 with sensible precision", () => {
    expect(formatBytes(0)).toBe("0 B");
    expect(formatBytes(1023)).toBe("1023 B");
    expect(formatBytes(1536)).toBe("1.5 KB");
    expect(formatBytes(352_727)).toBe("344 KB");
    expect(formatBytes(25 * 1024 * 1024)).toBe("25 MB");
    expect(formatBytes(3 * 1024 ** 3)).toBe("3.0 GB");
  });
});

describe("formatDuration", () => {
  it("prefers hours, then minutes", () => {
    expect(formatDuration(300)).toBe("5 min");
    expect(formatDuration(3600)).toBe("1 h");
    expect(formatDuration(28800)).toBe("8 h");
    expect(formatDuration(301)).toBe("301 s");
  });
});

describe("formatTimeLeft", () => {
  it("counts whole minutes left, never more than there are, then hours and minutes", () => {
    expect(formatTimeLeft(59_999)).toBe("expires in less than a minute");
    expect(formatTimeLeft(0)).toBe("expires in less than a minute");
    expect(formatTimeLeft(60_000)).toBe("expires in 1 min");
    expect(formatTimeLeft(4 * 60_000 + 59_000)).toBe("expires in 4 min");
    expect(formatTimeLeft(59 * 60_000)).toBe("expires in 59 min");
    expect(formatTimeLeft(3_600_000)).toBe("expires in 1 h");
    expect(formatTimeLeft(30_000_000)).toBe("expires in 8 h 20 min");
  });
});
