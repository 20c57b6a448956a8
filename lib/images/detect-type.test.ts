import { describe, expect, it } from "vitest";
import { detectImageType } from "./detect-type";

const bytes = (...b: number[]) => Uint8Array.from(b);

describe("detectImageType", () => {
  it("recognises PNG and JPEG signatures", () => {
    expect(detectImageType(bytes(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0))).toBe("image/png");
    expect(detectImageType(bytes(0xff, 0xd8, 0xff, 0xe0))).toBe("image/jpeg");
  });

  it("rejects other formats and text, whatever the name", () => {
    expect(detectImageType(new TextEncoder().encode("GIF89a...."))).toBeNull();
    expect(detectImageType(new TextEncoder().encode("RIFF\0\0\0\0WEBPVP8 "))).toBeNull();
    expect(detectImageType(new TextEncoder().encode("BM6\0\0\0"))).toBeNull();
    expect(detectImageType(new TextEncoder().encode("hello, I am a .png"))).toBeNull();
  });

  it("rejects empty and too-short input", () => {
    expect(detectImageType(bytes())).toBeNull();
    expect(detectImageType(bytes(0x89, 0x50, 0x4e))).toBeNull();
    expect(detectImageType(bytes(0xff, 0xd8))).toBeNull();
  });

  it("rejects a PNG signature with one byte changed", () => {
    expect(detectImageType(bytes(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0b))).toBeNull();
  });
});
