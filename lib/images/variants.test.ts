import { describe, expect, it } from "vitest";
import { originalKey, variantKey, variantSize } from "./variants";

describe("variantSize", () => {
  it("keeps the aspect ratio at the requested height", () => {
    expect(variantSize({ width: 4000, height: 3000 }, 200)).toEqual({ width: 267, height: 200 });
    expect(variantSize({ width: 3000, height: 4000 }, 400)).toEqual({ width: 300, height: 400 });
  });

  it("never upscales an image shorter than the height", () => {
    expect(variantSize({ width: 32, height: 32 }, 200)).toEqual({ width: 32, height: 32 });
    expect(variantSize({ width: 640, height: 200 }, 200)).toEqual({ width: 640, height: 200 });
  });

  it("never rounds a very wide or tall image to zero width", () => {
    expect(variantSize({ width: 1, height: 10000 }, 100)).toEqual({ width: 1, height: 100 });
  });
});

describe("storage keys", () => {
  it("are built from the image id and height only", () => {
    expect(originalKey("0b6f")).toBe("originals/0b6f");
    expect(variantKey("0b6f", 200, "ab".repeat(32))).toBe("variants/0b6f/200-abababababababab");
  });
});
