/** In-process imaging: what an upload does to a 12 MP JPEG, and a height made later from the stored original. */
import { writeFile } from "node:fs/promises";
import path from "node:path";
import sharp from "sharp";
import { inSourceFormat, probeImage, renderThumbnails, renderUpload } from "@/lib/images/imaging";
import { MAX_IMAGE_PIXELS } from "./app";
import { info, mb, median, ms, onPath, runCommand, timeMs, verdict } from "./measure";
import { photoLikeJpeg } from "../tests/support/fixtures";

const ENTERPRISE_HEIGHTS = [200, 400];

/** sharp's own resize of the file: what a height made from a stored original is compared with. */
const sharpResize = (bytes: Buffer, height: number) =>
  sharp(bytes).rotate().resize({ height }).jpeg({ quality: 82, chromaSubsampling: "4:2:0" }).toBuffer();

/** Interleaved rounds, so drift in machine load hits every candidate alike; round 0 is the warm-up. */
async function medians(
  candidates: ReadonlyMap<string, () => Promise<unknown>>,
  runs: number,
): Promise<(name: string) => number> {
  const times = new Map<string, number[]>([...candidates.keys()].map((k) => [k, []]));
  for (let round = 0; round <= runs; round++) {
    for (const [name, run] of candidates) {
      const elapsed = await timeMs(run);
      if (round > 0) times.get(name)?.push(elapsed);
    }
  }
  return (name) => median(times.get(name) ?? []);
}

export async function benchThumbnails(scratch: string, quick: boolean): Promise<void> {
  const RUNS = quick ? 3 : 7;
  const bytes = await photoLikeJpeg(4000, 3000, 90, 96);
  const file = path.join(scratch, "12mp.jpg");
  await writeFile(file, bytes);
  const imageInfo = await probeImage(bytes, "image/jpeg", MAX_IMAGE_PIXELS);
  const { renditions: rendered } = await renderUpload(bytes, imageInfo, ENTERPRISE_HEIGHTS, MAX_IMAGE_PIXELS);

  const candidates = new Map<string, () => Promise<unknown>>([
    ["upload", () => renderUpload(bytes, imageInfo, ENTERPRISE_HEIGHTS, MAX_IMAGE_PIXELS)],
    ["stored", () => renderThumbnails(bytes, imageInfo, inSourceFormat(imageInfo, ENTERPRISE_HEIGHTS))],
    [
      "naive",
      async () => {
        for (const height of ENTERPRISE_HEIGHTS) await sharpResize(bytes, height);
      },
    ],
    ["spawn", () => runCommand("true", [])],
  ]);
  const missing: string[] = [];
  if (onPath("djpeg")) {
    candidates.set("djpeg 1/4", () => runCommand("djpeg", ["-scale", "1/4", "-outfile", "/dev/null", file]));
  } else
    missing.push(
      "djpeg not found: install the Debian package libjpeg-turbo-progs to compare against the JPEG decode floor; skipped.",
    );
  if (onPath("vipsthumbnail")) {
    candidates.set("vips", async () => {
      for (const height of ENTERPRISE_HEIGHTS) {
        await runCommand("vipsthumbnail", [
          file,
          "--size",
          `x${height}`,
          "-o",
          `${path.join(scratch, `vips-${height}.jpg`)}[Q=82]`,
        ]);
      }
    });
  } else
    missing.push("vipsthumbnail not found: install the Debian package libvips-tools to compare against it; skipped.");
  const t = await medians(candidates, RUNS);

  console.log(
    `1. Thumbnails: 4000×3000 noisy JPEG (q90, ${mb(bytes.length)}), heights ${ENTERPRISE_HEIGHTS.join(" + ")}; median of ${RUNS} runs after a warm-up`,
  );
  console.log(info("renditions", rendered.map((r) => `${r.width}×${r.height}`).join(", ")));
  for (const line of missing) console.log(`  ${line}`);
  console.log(info("renderUpload (an upload: validating decode, shrink-on-load, all heights)", ms(t("upload"))));
  console.log(info("renderThumbnails (stored original, shrink-on-load)", ms(t("stored"))));
  console.log(info("naive: one sharp pipeline per height, in turn", ms(t("naive"))));
  console.log(info("process spawn baseline (`true`)", ms(t("spawn"))));
  const floor = { op: "≤", value: 1.25, unit: "×" } as const;
  if (candidates.has("djpeg 1/4")) {
    // Both decode at 1/4 scale: an upload validates as it decodes, a stored original was proved whole.
    console.log(info("djpeg -scale 1/4 (the decode floor, child process)", ms(t("djpeg 1/4"))));
    console.log(verdict("renderUpload ÷ djpeg -scale 1/4, raw", t("upload") / t("djpeg 1/4"), floor));
    console.log(
      verdict(
        "renderUpload ÷ (djpeg -scale 1/4 − spawn), spawn-corrected",
        t("upload") / (t("djpeg 1/4") - t("spawn")),
        floor,
      ),
    );
    console.log(verdict("renderThumbnails ÷ djpeg -scale 1/4, raw", t("stored") / t("djpeg 1/4"), floor));
    console.log(info("naive ÷ djpeg -scale 1/4 (for reference)", `${(t("naive") / t("djpeg 1/4")).toFixed(2)}×`));
  }
  if (candidates.has("vips")) {
    console.log(info("vipsthumbnail, one run per height (2 processes)", ms(t("vips"))));
    console.log(info("renderUpload ÷ vipsthumbnail, raw", `${(t("upload") / t("vips")).toFixed(2)}×`));
    console.log(
      info("renderUpload ÷ (vipsthumbnail − 2 spawns)", `${(t("upload") / (t("vips") - 2 * t("spawn"))).toFixed(2)}×`),
    );
  }
  console.log();
}

/**
 * A height first asked for after a plan change: renderThumbnails for that one height from the
 * stored original against sharp's own resize of the same file, in the same process.
 */
export async function benchColdHeights(quick: boolean): Promise<void> {
  const RUNS = quick ? 3 : 9;
  const HEIGHTS = [400, 800];
  const bytes = await photoLikeJpeg(4000, 3000, 90, 96);
  const imageInfo = await probeImage(bytes, "image/jpeg", MAX_IMAGE_PIXELS);
  const candidates = new Map<string, () => Promise<unknown>>();
  for (const height of HEIGHTS) {
    candidates.set(`render ${height}`, () => renderThumbnails(bytes, imageInfo, inSourceFormat(imageInfo, [height])));
    candidates.set(`sharp ${height}`, () => sharpResize(bytes, height));
  }
  const t = await medians(candidates, RUNS);

  console.log(
    `2. Cold heights: one height of a stored 4000×3000 noisy JPEG (q90, ${mb(bytes.length)}); median of ${RUNS} runs after a warm-up, interleaved`,
  );
  for (const height of HEIGHTS) {
    const [rendition] = await renderThumbnails(bytes, imageInfo, inSourceFormat(imageInfo, [height]));
    const reference = await sharp(await sharpResize(bytes, height)).metadata();
    console.log(
      info(
        `${height} px: renderThumbnails / sharp resize`,
        `${ms(t(`render ${height}`))} / ${ms(t(`sharp ${height}`))}   (${rendition?.width}×${rendition?.height} / ${reference.width}×${reference.height})`,
      ),
    );
  }
  console.log(
    verdict("400 px: renderThumbnails ÷ sharp resize", t("render 400") / t("sharp 400"), {
      op: "≤",
      value: 1.3,
      unit: "×",
    }),
  );
  console.log(info("800 px: renderThumbnails ÷ sharp resize", `${(t("render 800") / t("sharp 800")).toFixed(2)}×`));
  console.log();
}
