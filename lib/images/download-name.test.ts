import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { contentDisposition, downloadName } from "./download-name";

/** The one shape the header may take: RFC 6266 with a quoted ASCII `filename` and an RFC 8187 `filename*`. */
const GRAMMAR =
  /^(inline|attachment); filename="([\x20\x21\x23-\x5b\x5d-\x7e]*)"; filename\*=UTF-8''([A-Za-z0-9!#$&+\-.^_`|~%]+)$/;

function parse(header: string) {
  const match = GRAMMAR.exec(header);
  if (!match) throw new Error(`not a well-formed Content-Disposition: ${header}`);
  return { type: match[1], ascii: match[2] as string, name: decodeURIComponent(match[3] as string) };
}

describe("downloadName", () => {
  it.each([
    ["Harbour", "image/jpeg", "Harbour.jpg"],
    ["Café 日本", "image/png", "Café 日本.png"],
    ["  Harbour \t\n view  ", "image/jpeg", "Harbour view.jpg"],
    ["../../etc/passwd", "image/png", "_.._etc_passwd.png"],
    ['a"b\\c:d*e?f<g>h|i', "image/png", "a_b_c_d_e_f_g_h_i.png"],
    ["photo\u202egpj.exe", "image/jpeg", "photo gpj.exe.jpg"],
    ["zero\u200bwidth\u0085next\u2028line", "image/jpeg", "zero width next line.jpg"],
    ["CON", "image/png", "_CON.png"],
    ["lpt1.backup", "image/png", "_lpt1.backup.png"],
    ["Console", "image/png", "Console.png"],
    [".hidden.", "image/png", "hidden.png"],
    ["", "image/png", "image.png"],
    ["...", "image/jpeg", "image.jpg"],
    ["\u0000\u0001", "image/jpeg", "image.jpg"],
    ["x", "image/webp", "x.webp"],
    ["x", "image/avif", "x.avif"],
    ["x", "application/octet-stream", "x"],
  ])("%j as %s → %j", (name, type, expected) => {
    expect(downloadName(name, type)).toBe(expected);
  });

  it("composes a decomposed accent (NFC), so the same name is always the same bytes", () => {
    expect(downloadName("Cafe\u0301", "image/png")).toBe("Caf\u00e9.png");
  });

  it("caps the name at 150 bytes of UTF-8 without splitting a character or a grapheme", () => {
    expect(downloadName("é".repeat(200), "image/png")).toBe(`${"é".repeat(75)}.png`);
    expect(downloadName("日".repeat(100), "image/png")).toBe(`${"日".repeat(50)}.png`);
    // 👍🏽 is two code points (8 bytes): kept whole or not at all.
    expect(downloadName("a".repeat(145) + "👍🏽", "image/png")).toBe(`${"a".repeat(145)}.png`);
    expect(downloadName("a".repeat(142) + "👍🏽", "image/png")).toBe(`${"a".repeat(142)}👍🏽.png`);
  });
});

describe("contentDisposition", () => {
  it("says inline or attachment, with an ASCII filename first and the exact UTF-8 name in filename*", () => {
    expect(contentDisposition("Café 日本", "image/png", "inline")).toBe(
      `inline; filename="Cafe.png"; filename*=UTF-8''Caf%C3%A9%20%E6%97%A5%E6%9C%AC.png`,
    );
    expect(contentDisposition("Harbour", "image/jpeg", "attachment")).toBe(
      `attachment; filename="Harbour.jpg"; filename*=UTF-8''Harbour.jpg`,
    );
  });

  it("percent-encodes what RFC 8187 leaves out of attr-char ( ' ( ) * and %), and keeps % out of filename", () => {
    expect(contentDisposition("it's (1) 100%", "image/png", "inline")).toBe(
      `inline; filename="it's (1) 100_.png"; filename*=UTF-8''it%27s%20%281%29%20100%25.png`,
    );
  });

  it("falls back to image in filename when nothing ASCII is left, and re-sanitises after decomposition", () => {
    expect(parse(contentDisposition("日本", "image/jpeg", "inline"))).toEqual({
      type: "inline",
      ascii: "image.jpg",
      name: "日本.jpg",
    });
    // Fullwidth ＂ and ／ decompose to " and /: still not allowed in the ASCII name.
    expect(parse(contentDisposition("a＂b／c＼d", "image/png", "inline")).ascii).toBe("a_b_c_d.png");
  });

  const anyText = fc.oneof(
    fc.string({ unit: "binary", maxLength: 300 }),
    // UTF-16 code units one by one: lone surrogates included.
    fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), maxLength: 80 }),
    fc
      .array(
        fc.constantFrom(
          "/",
          "\\",
          '"',
          "'",
          "%",
          "\r",
          "\n",
          "\u0000",
          ".",
          " ",
          "\u202e",
          "\ufeff",
          "é",
          "日",
          "👍🏽",
          "CON",
          "＂",
          "／",
        ),
        { maxLength: 40 },
      )
      .map((parts) => parts.join("")),
  );
  const anyType = fc.constantFrom("image/jpeg", "image/png", "image/webp", "image/avif", "application/octet-stream");

  it("is always well-formed printable ASCII whose filename* decodes to a safe name (property)", () => {
    fc.assert(
      fc.property(
        anyText,
        anyType,
        fc.constantFrom("inline", "attachment") as fc.Arbitrary<"inline" | "attachment">,
        (name, type, disposition) => {
          const header = contentDisposition(name, type, disposition);
          expect(header).toMatch(/^[\x20-\x7e]+$/); // ASCII, no CR/LF or other controls
          expect(header).not.toContain("\\");
          expect(header.split('"')).toHaveLength(3); // the two quotes around filename, no others
          const parsed = parse(header);
          expect(parsed.type).toBe(disposition);
          expect(parsed.name).toBe(downloadName(name, type));
          for (const file of [parsed.name, parsed.ascii]) {
            expect(file).not.toMatch(/[/\\:*?"<>|]/);
            expect(file).not.toMatch(/[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]/u);
            expect(file).not.toMatch(/^[. ]/);
            expect(new TextEncoder().encode(file).length).toBeLessThanOrEqual(150 + ".avif".length);
          }
          expect(parsed.ascii).not.toContain("%");
          // Sanitising is idempotent: the offered name, offered again, is the same name.
          expect(downloadName(parsed.name, "application/octet-stream")).toBe(parsed.name);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
