import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  awaitsMadeAhead,
  MADE_AHEAD_WINDOW_MS,
  negotiateFormat,
  parseAccept,
  servableFormats,
  type SourceFormat,
} from "./formats";

// What browsers send for an <img> (Chromium 120+, Firefox 120+, Safari 17).
const CHROMIUM = "image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8";
const FIREFOX = "image/avif,image/webp,image/png,image/svg+xml,image/*;q=0.8,*/*;q=0.5";
const SAFARI_15 = "image/webp,image/png,image/svg+xml,image/*;q=0.8,video/*;q=0.8,*/*;q=0.5";

describe("negotiateFormat", () => {
  it("gives browsers AVIF, an older Safari WebP, and curl the source format", () => {
    expect(negotiateFormat(CHROMIUM, "jpeg")).toBe("avif");
    expect(negotiateFormat(FIREFOX, "png")).toBe("avif");
    expect(negotiateFormat(SAFARI_15, "jpeg")).toBe("webp");
    expect(negotiateFormat("*/*", "jpeg")).toBe("jpeg"); // curl's default
    expect(negotiateFormat(null, "png")).toBe("png");
    expect(negotiateFormat("", "jpeg")).toBe("jpeg");
  });

  it("honours q-values, q=0 excludes, and wildcards never stand for AVIF or WebP", () => {
    expect(negotiateFormat("image/avif;q=0, image/webp", "jpeg")).toBe("webp");
    expect(negotiateFormat("image/avif;q=0.5, image/webp;q=0.9", "jpeg")).toBe("webp");
    expect(negotiateFormat("image/avif;q=0.5, image/jpeg", "jpeg")).toBe("jpeg");
    expect(negotiateFormat("image/avif;q=0.5, image/*;q=0.4", "png")).toBe("avif");
    expect(negotiateFormat("image/*", "jpeg")).toBe("jpeg");
    expect(negotiateFormat("image/avif;q=0,image/webp;q=0", "jpeg")).toBe("jpeg");
    // The more specific range decides: image/jpeg;q=0 beats */*.
    expect(negotiateFormat("image/jpeg;q=0, */*, image/webp;q=0.1", "jpeg")).toBe("webp");
    expect(negotiateFormat("IMAGE/AVIF ; Q=1", "jpeg")).toBe("avif");
  });

  it("falls back to the source format when nothing offered is acceptable, or Accept is garbage", () => {
    expect(negotiateFormat("text/html", "jpeg")).toBe("jpeg");
    expect(negotiateFormat("image/jpeg;q=0", "jpeg")).toBe("jpeg");
    expect(negotiateFormat(";;;,,,=", "png")).toBe("png");
    expect(negotiateFormat("image/avif;q=2", "jpeg")).toBe("jpeg"); // a malformed q: the entry is ignored
  });

  const subtypes = ["avif", "webp", "jpeg", "png", "*", "gif"];
  const entry = fc.record({
    type: fc.constantFrom("image", "*", "text"),
    subtype: fc.constantFrom(...subtypes),
    q: fc.option(fc.integer({ min: 0, max: 1000 }), { nil: undefined }),
  });
  const render = (e: { type: string; subtype: string; q: number | undefined }) =>
    `${e.type}/${e.type === "*" ? "*" : e.subtype}${e.q === undefined ? "" : `;q=${(e.q / 1000).toFixed(3)}`}`;
  const source = fc.constantFrom<SourceFormat>("jpeg", "png");

  it("always picks a format it may serve, never one the client excluded", () => {
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 8 }), source, (entries, src) => {
        const accept = entries.map(render).join(", ");
        const chosen = negotiateFormat(accept, src);
        expect(["avif", "webp", src]).toContain(chosen);
        const named = parseAccept(accept).filter((e) => e.type === "image" && e.subtype === chosen);
        // A modern format is chosen only when named, with a q above 0 in its most generous naming.
        if (chosen === "avif" || chosen === "webp") expect(Math.max(...named.map((e) => e.q))).toBeGreaterThan(0);
      }),
    );
  });

  it("does not depend on the order of the ranges", () => {
    const permuted = fc
      .array(entry, { maxLength: 8 })
      .chain((es) =>
        fc.tuple(fc.constant(es), fc.shuffledSubarray(es, { minLength: es.length, maxLength: es.length })),
      );
    fc.assert(
      fc.property(permuted, source, ([entries, shuffled], src) => {
        expect(negotiateFormat(shuffled.map(render).join(","), src)).toBe(
          negotiateFormat(entries.map(render).join(","), src),
        );
      }),
    );
  });
});

describe("servableFormats", () => {
  it("offers the modern formats, the source's, then the other source format", () => {
    expect(servableFormats("jpeg")).toEqual(["avif", "webp", "jpeg", "png"]);
    expect(servableFormats("png")).toEqual(["avif", "webp", "png", "jpeg"]);
  });
});

describe("awaitsMadeAhead", () => {
  const uploaded = new Date("2026-12-01T10:00:00Z");
  const after = (ms: number) => new Date(uploaded.getTime() + ms);

  it("waits for the upload's job only for a format it makes, and only while it is young", () => {
    expect(awaitsMadeAhead("avif", ["webp", "avif"], uploaded, after(500))).toBe(true);
    expect(awaitsMadeAhead("webp", ["webp"], uploaded, after(MADE_AHEAD_WINDOW_MS - 1))).toBe(true);
    // Not made ahead (EAGER_FORMATS=none, or only WebP): encoded on the request.
    expect(awaitsMadeAhead("avif", [], uploaded, after(500))).toBe(false);
    expect(awaitsMadeAhead("avif", ["webp"], uploaded, after(500))).toBe(false);
    // Past the window the job has failed or is far behind: encoded on the request.
    expect(awaitsMadeAhead("avif", ["avif"], uploaded, after(MADE_AHEAD_WINDOW_MS))).toBe(false);
    // A clock that runs behind the database's does not make it wait forever.
    expect(awaitsMadeAhead("avif", ["avif"], uploaded, after(-1))).toBe(false);
  });
});
