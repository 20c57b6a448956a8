/**
 * WebP and AVIF against today's JPEG for the 400 px variant of at least 20 photos: bytes, SSIM
 * against a lanczos3 reference and encode time, over a grid of candidate settings and for the
 * settings chosen in lib/images/encodings.ts.
 */
import { readdir, readFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import sharp, { type AvifOptions, type Sharp, type WebpOptions } from "sharp";
import { ssim } from "ssim.js";
import { VARIANT_ENCODINGS } from "@/lib/images/encodings";
import { variantSize } from "@/lib/images/variants";
import { MAX_IMAGE_PIXELS } from "./app";
import { info, median, ms, verdict } from "./measure";

const HEIGHT = 400;
const MIN_PHOTOS = 20;
// As the corpus suite: ../shared/corpus beside the checkout, or TEST_CORPUS_DIR.
const CORPUS = process.env.TEST_CORPUS_DIR ?? path.resolve(import.meta.dirname, "../../shared/corpus");
const CORPUS_LABEL = process.env.TEST_CORPUS_DIR ?? "../shared/corpus";
const CORPUS_SETS = ["realworld", "exif-orientation"] as const;

const TARGETS = {
  avifBytes: { op: "≤", value: 0.7, unit: "×" },
  webpBytes: { op: "≤", value: 0.85, unit: "×" },
  avifMs: { op: "≤", value: 150, unit: " ms" },
  ssim: { op: "≥", value: 0, unit: "" },
} as const;

type Raw = { data: Buffer; width: number; height: number; channels: number };
type Rgba = { data: Uint8ClampedArray; width: number; height: number };

type Photo = {
  name: string;
  origin: (typeof CORPUS_SETS)[number] | "generated";
  source: "jpeg" | "png";
  /** The reference: full-size decode, EXIF rotation applied, lanczos3 to 400 px high. */
  reference: Raw;
  onWhite: Rgba;
  /** The alpha channel as a grey image, for sources with alpha. */
  alpha?: Rgba;
};

type Format = "jpeg" | "webp" | "avif";
type Candidate = { format: Format; options: WebpOptions | AvifOptions | typeof VARIANT_ENCODINGS.jpeg };
type Sample = { bytes: number; ms: number; ssim: number; alphaSsim?: number; alphaKept: boolean };

// ---------------------------------------------------------------------------------------------
// Pixels and SSIM

/** RGBA for ssim.js, with any alpha laid on white: how a transparent thumbnail usually shows. */
function onWhite(raw: Raw): Rgba {
  const { data, width, height, channels } = raw;
  const out = new Uint8ClampedArray(width * height * 4);
  for (let p = 0, q = 0; p < data.length; p += channels, q += 4) {
    const a = channels === 4 ? (data[p + 3] ?? 255) / 255 : 1;
    for (let c = 0; c < 3; c++) out[q + c] = (data[p + c] ?? 0) * a + 255 * (1 - a);
    out[q + 3] = 255;
  }
  return { data: out, width, height };
}

function alphaPlane(raw: Raw): Rgba {
  const { data, width, height, channels } = raw;
  const out = new Uint8ClampedArray(width * height * 4);
  for (let p = 0, q = 0; p < data.length; p += channels, q += 4) {
    const a = channels === 4 ? (data[p + 3] ?? 255) : 255;
    out[q] = out[q + 1] = out[q + 2] = a;
    out[q + 3] = 255;
  }
  return { data: out, width, height };
}

/** Luma SSIM at the thumbnail's own size: no downsampling, which would hide a 400 px file's artefacts. */
const ssimOf = (a: Rgba, b: Rgba) => ssim(a, b, { downsample: false }).mssim;

async function decodeRaw(bytes: Buffer): Promise<Raw> {
  const { data, info: out } = await sharp(bytes).raw().toBuffer({ resolveWithObject: true });
  return { data, width: out.width, height: out.height, channels: out.channels };
}

/** The reference of a source file: every pixel decoded (no shrink-on-load), then lanczos3. */
async function referenceOf(bytes: Buffer): Promise<{ raw: Raw; source: "jpeg" | "png" }> {
  const decoder = sharp(bytes, { failOn: "warning", limitInputPixels: MAX_IMAGE_PIXELS });
  const meta = await decoder.metadata();
  if (meta.format !== "jpeg" && meta.format !== "png") throw new Error(`not JPEG or PNG: ${meta.format}`);
  let full = decoder.rotate().toColourspace("srgb");
  if (!meta.hasAlpha) full = full.removeAlpha();
  const decoded = await full.raw({ depth: "uchar" }).toBuffer({ resolveWithObject: true });
  const size = variantSize(decoded.info, HEIGHT);
  const { data, info: out } = await sharp(decoded.data, { raw: decoded.info })
    .resize({ ...size, fit: "fill", kernel: "lanczos3" })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { raw: { data, width: out.width, height: out.height, channels: out.channels }, source: meta.format };
}

function photoOf(name: string, origin: Photo["origin"], source: Photo["source"], reference: Raw): Photo {
  return {
    name,
    origin,
    source,
    reference,
    onWhite: onWhite(reference),
    ...(reference.channels === 4 ? { alpha: alphaPlane(reference) } : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// Photos from the corpus

/**
 * Whether the 400 px reference looks like a photograph rather than a graphic, a chart or a broken
 * file: few flat neighbourhoods, plenty of texture, and a full range of tones (in luma).
 */
function looksPhotographic(image: Rgba): boolean {
  const { data, width, height } = image;
  if (width / height > 3 || height / width > 3) return false; // strips and scans of charts
  const luma = new Uint8Array(width * height);
  for (let i = 0; i < luma.length; i++) {
    luma[i] = (77 * (data[4 * i] ?? 0) + 150 * (data[4 * i + 1] ?? 0) + 29 * (data[4 * i + 2] ?? 0)) >> 8;
  }
  let flat = 0;
  let textured = 0;
  const histogram = new Array<number>(256).fill(0);
  for (let y = 0; y < height - 1; y++) {
    for (let x = 0; x < width - 1; x++) {
      const v = luma[y * width + x] ?? 0;
      histogram[v] = (histogram[v] ?? 0) + 1;
      const step = Math.abs(v - (luma[y * width + x + 1] ?? 0)) + Math.abs(v - (luma[(y + 1) * width + x] ?? 0));
      if (step === 0) flat++;
      if (step >= 3) textured++;
    }
  }
  const n = (width - 1) * (height - 1);
  const tones = histogram.filter((count) => count > n / 10_000).length;
  return flat / n <= 0.4 && textured / n >= 0.25 && tones >= 100;
}

/** A 16×16 grey thumbnail: the same photo in another orientation or with a label drawn on it matches. */
async function signatureOf(image: Rgba): Promise<{ aspect: number; grey: Buffer }> {
  const grey = await sharp(Buffer.from(image.data.buffer), { raw: { ...image, channels: 4 } })
    .resize(16, 16, { fit: "fill" })
    .greyscale()
    .raw()
    .toBuffer();
  return { aspect: image.width / image.height, grey };
}

function sameSignature(a: { aspect: number; grey: Buffer }, b: { aspect: number; grey: Buffer }): boolean {
  if (Math.abs(a.aspect - b.aspect) > 0.02 * a.aspect) return false;
  let difference = 0;
  for (let i = 0; i < a.grey.length; i++) difference += Math.abs((a.grey[i] ?? 0) - (b.grey[i] ?? 0));
  return difference / a.grey.length < 8;
}

type CorpusScan = { photos: Photo[]; files: number; usable: number; graphics: number; duplicates: number };

/** Every distinct photograph in the corpus that decodes (as an upload would) and is ≥ 400 px high. */
async function corpusPhotos(): Promise<CorpusScan | undefined> {
  const scan: CorpusScan = { photos: [], files: 0, usable: 0, graphics: 0, duplicates: 0 };
  const signatures: { aspect: number; grey: Buffer }[] = [];
  let found = false;
  for (const set of CORPUS_SETS) {
    let names: string[];
    try {
      names = (await readdir(path.join(CORPUS, set))).sort();
      found = true;
    } catch {
      continue;
    }
    for (const name of names) {
      scan.files++;
      let reference;
      try {
        reference = await referenceOf(await readFile(path.join(CORPUS, set, name)));
      } catch {
        continue; // not an image, another format, damaged, or over the pixel limit
      }
      if (reference.raw.height < HEIGHT) continue;
      scan.usable++;
      const photo = photoOf(name, set, reference.source, reference.raw);
      if (!looksPhotographic(photo.onWhite)) {
        scan.graphics++;
        continue;
      }
      const signature = await signatureOf(photo.onWhite);
      if (signatures.some((s) => sameSignature(s, signature))) {
        scan.duplicates++;
        continue;
      }
      signatures.push(signature);
      scan.photos.push(photo);
    }
  }
  return found ? scan : undefined;
}

// ---------------------------------------------------------------------------------------------
// Generated photo-like images (deterministic)

function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Smooth value noise in 0–1, summed over octaves (fractal): clouds, terrain, foliage. */
function fractalNoise(random: () => number, cells: number, octaves: number): (x: number, y: number) => number {
  const size = cells << octaves;
  const lattice = Float32Array.from({ length: (size + 1) * (size + 1) }, random);
  const at = (i: number, j: number) => lattice[(j % size) * (size + 1) + (i % size)] ?? 0;
  const smooth = (t: number) => t * t * (3 - 2 * t);
  return (x, y) => {
    let sum = 0;
    let weight = 0;
    for (let o = 0, scale = cells, amplitude = 1; o <= octaves; o++, scale *= 2, amplitude /= 2) {
      const fx = x * scale;
      const fy = y * scale;
      const i = Math.floor(fx);
      const j = Math.floor(fy);
      const u = smooth(fx - i);
      const v = smooth(fy - j);
      const top = at(i, j) + (at(i + 1, j) - at(i, j)) * u;
      const bottom = at(i, j + 1) + (at(i + 1, j + 1) - at(i, j + 1)) * u;
      sum += (top + (bottom - top) * v) * amplitude;
      weight += amplitude;
    }
    return sum / weight;
  };
}

type Rgb = [number, number, number];
const randomColour = (random: () => number, low = 0, high = 255): Rgb => [
  low + random() * (high - low),
  low + random() * (high - low),
  low + random() * (high - low),
];
const mix = (a: Rgb, b: Rgb, t: number): Rgb => [
  a[0] + (b[0] - a[0]) * t,
  a[1] + (b[1] - a[1]) * t,
  a[2] + (b[2] - a[2]) * t,
];

type Disc = { x: number; y: number; r: number; colour: Rgb; softness: number; opacity: number };

function randomDiscs(random: () => number, count: number, width: number, height: number, maxR: number): Disc[] {
  return Array.from({ length: count }, () => ({
    x: random() * width,
    y: random() * height,
    r: 4 + random() * maxR,
    colour: randomColour(random, 30, 255),
    softness: 0.5 + random() * 12,
    opacity: 0.3 + random() * 0.7,
  }));
}

/**
 * Four kinds in turn: a landscape (sky gradient, fractal ridge, textured ground; JPEG), a cut-out
 * object with soft edges and a translucent shadow (PNG with alpha), fine texture such as foliage
 * or fabric (JPEG), and out-of-focus lights behind a sharp subject (PNG). All with sensor grain.
 */
async function generatedPhoto(index: number): Promise<{ name: string; bytes: Buffer }> {
  const random = prng(0x5eed + index * 7919);
  const kind = index % 4;
  const shapes: [number, number][] = [
    [1200, 800],
    [800, 1200],
    [1000, 1000],
    [1500, 1000],
  ];
  const [width, height] = shapes[Math.floor(random() * shapes.length)] ?? [1200, 800];
  const channels = kind === 1 ? 4 : 3;
  const pixels = Buffer.alloc(width * height * channels);
  const noise = fractalNoise(random, 3, 6);
  const detail = fractalNoise(random, 40, 3);
  const grain = 2 + random() * 6;
  const [c1, c2, c3, c4] = [randomColour(random), randomColour(random), randomColour(random), randomColour(random)];
  const discs = randomDiscs(random, kind === 3 ? 60 : 25, width, height, kind === 3 ? 90 : 50);
  const ridge = 0.35 + random() * 0.3;
  const stripes = 3 + random() * 6;
  const angle = random() * Math.PI;
  const [cx, cy, radius] = [width * (0.35 + random() * 0.3), height * (0.35 + random() * 0.3), 0.25 + random() * 0.1];

  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const u = x / width;
      const v = y / height;
      let colour: Rgb;
      let alpha = 255;
      if (kind === 0) {
        const horizon = ridge + (noise(u, 0.5) - 0.5) * 0.5;
        colour =
          v < horizon
            ? mix(c1, [235, 240, 250], v / horizon + (noise(u * 2, v * 2) - 0.5) * 0.4)
            : (mix(c2, c3, noise(u * 3, v * 3)).map((c) => c * (0.6 + detail(u, v) * 0.8)) as Rgb);
      } else if (kind === 1) {
        const dx = (x - cx) / Math.min(width, height);
        const dy = (y - cy) / Math.min(width, height);
        const theta = Math.atan2(dy, dx); // the outline's noise is read on a circle, so it closes without a seam
        const edge = radius * (0.8 + noise(0.5 + 0.2 * Math.cos(theta), 0.5 + 0.2 * Math.sin(theta)) * 0.5);
        const distance = Math.hypot(dx, dy);
        const inside = Math.min(1, Math.max(0, (edge - distance) * Math.min(width, height) * 0.4));
        const shadow = Math.max(0, 1 - Math.hypot(dx - 0.05, (dy - edge * 0.9) * 4) / (edge * 1.2)) * 0.55;
        const shade = 0.55 + 0.45 * Math.max(0, 1 - Math.hypot(dx + edge * 0.3, dy + edge * 0.3) / (edge * 1.6));
        colour = mix(c1, c2, detail(u, v)).map((c) => c * shade) as Rgb;
        if (inside <= 0) colour = [20, 20, 25];
        alpha = 255 * (inside + (1 - inside) * shadow);
      } else if (kind === 2) {
        const along = (x * Math.cos(angle) + y * Math.sin(angle)) / width;
        const weave = 0.5 + 0.5 * Math.sin(along * Math.PI * 2 * stripes * 20);
        colour = mix(mix(c1, c2, noise(u * 2, v * 2)), c3, weave * 0.4 + detail(u * 3, v * 3) * 0.6);
      } else {
        colour = mix(c1, c4, v).map((c) => c * (0.3 + noise(u, v) * 0.4)) as Rgb;
      }
      if (kind !== 1) {
        for (const disc of discs) {
          const d = Math.hypot(x - disc.x, y - disc.y) - disc.r;
          if (d > disc.softness) continue;
          const cover = disc.opacity * Math.min(1, Math.max(0, (disc.softness - d) / (2 * disc.softness)));
          colour = mix(colour, disc.colour, kind === 0 ? cover * 0.4 : cover);
        }
      }
      const o = (y * width + x) * channels;
      for (let c = 0; c < 3; c++)
        pixels[o + c] = Math.max(0, Math.min(255, (colour[c] ?? 0) + (random() - 0.5) * 2 * grain));
      if (channels === 4) pixels[o + 3] = Math.max(0, Math.min(255, alpha));
    }
  }
  // A lens never draws pixel-sharp edges.
  const image = sharp(pixels, { raw: { width, height, channels } }).blur(0.6);
  const kindName = ["landscape", "cutout", "texture", "bokeh"][kind];
  return kind === 0 || kind === 2
    ? { name: `generated-${index}-${kindName}.jpg`, bytes: await image.jpeg({ quality: 92 }).toBuffer() }
    : { name: `generated-${index}-${kindName}.png`, bytes: await image.png().toBuffer() };
}

// ---------------------------------------------------------------------------------------------
// Encoding and measuring

function encoder(photo: Photo, candidate: Candidate): Sharp {
  const { data, width, height, channels } = photo.reference;
  const image = sharp(data, { raw: { width, height, channels: channels as 3 | 4 } });
  switch (candidate.format) {
    case "jpeg":
      // As imaging.ts: a PNG's JPEG is laid on white.
      return image.flatten({ background: "#ffffff" }).jpeg(candidate.options);
    case "webp":
      return image.webp(candidate.options as WebpOptions);
    case "avif":
      return image.avif(candidate.options as AvifOptions);
  }
}

/** One sequential toBuffer() per photo after a warm-up encode; then each file decoded and compared. */
async function measure(photos: readonly Photo[], candidate: Candidate): Promise<Sample[]> {
  const first = photos[0];
  if (first) await encoder(first, candidate).toBuffer();
  const encoded: { bytes: Buffer; ms: number }[] = [];
  for (const photo of photos) {
    const pipeline = encoder(photo, candidate);
    const start = performance.now();
    const bytes = await pipeline.toBuffer();
    encoded.push({ bytes, ms: performance.now() - start });
  }
  return Promise.all(
    photos.map(async (photo, i) => {
      const { bytes, ms: elapsed } = encoded[i] ?? { bytes: Buffer.alloc(0), ms: NaN };
      const decoded = await decodeRaw(bytes);
      const sample: Sample = {
        bytes: bytes.length,
        ms: elapsed,
        ssim: ssimOf(photo.onWhite, onWhite(decoded)),
        alphaKept: decoded.channels === 4,
      };
      if (photo.alpha && candidate.format !== "jpeg") sample.alphaSsim = ssimOf(photo.alpha, alphaPlane(decoded));
      return sample;
    }),
  );
}

type Summary = {
  /** The target's figure: the median bytes ÷ the JPEGs' median bytes. */
  mediansRatio: number;
  /** The median over the photos of each photo's bytes ÷ its JPEG's: the stricter figure here. */
  bytesRatio: number;
  /** bytesRatio over the photos with alpha only: what alphaQuality changes. */
  alphaBytesRatio: number | undefined;
  medianBytes: number;
  /** Median SSIM − the JPEGs' median SSIM. */
  ssimMargin: number;
  /** The lowest per-photo SSIM − its JPEG's, and whose. */
  worstMargin: number;
  worstName: string;
  below: number;
  alphaSsimMin: number | undefined;
  alphaKept: number;
  medianMs: number;
};

function summarise(photos: readonly Photo[], samples: readonly Sample[], jpeg: readonly Sample[]): Summary {
  const pairs = samples.map((s, i) => ({
    s,
    j: jpeg[i] ?? s,
    name: photos[i]?.name ?? "?",
    alpha: !!photos[i]?.alpha,
  }));
  const margins = pairs.map(({ s, j }) => s.ssim - j.ssim);
  const worst = Math.min(...margins);
  const ratios = (of: typeof pairs) => of.map(({ s, j }) => s.bytes / j.bytes);
  const alphaPairs = pairs.filter((p) => p.alpha);
  const alphaSsims = samples.flatMap((s) => (s.alphaSsim === undefined ? [] : [s.alphaSsim]));
  const medianBytes = median(samples.map((s) => s.bytes));
  return {
    mediansRatio: medianBytes / median(jpeg.map((s) => s.bytes)),
    bytesRatio: median(ratios(pairs)),
    alphaBytesRatio: alphaPairs.length ? median(ratios(alphaPairs)) : undefined,
    medianBytes,
    ssimMargin: median(samples.map((s) => s.ssim)) - median(jpeg.map((s) => s.ssim)),
    worstMargin: worst,
    worstName: pairs[margins.indexOf(worst)]?.name ?? "?",
    below: margins.filter((m) => m < 0).length,
    alphaSsimMin: alphaSsims.length ? Math.min(...alphaSsims) : undefined,
    alphaKept: samples.filter((s, i) => photos[i]?.alpha && s.alphaKept).length,
    medianMs: median(samples.map((s) => s.ms)),
  };
}

const bytesTarget = (format: "webp" | "avif") => (format === "avif" ? TARGETS.avifBytes : TARGETS.webpBytes);
const fastEnough = (format: "webp" | "avif", s: Summary) => format === "webp" || s.medianMs <= TARGETS.avifMs.value;
const meetsTargets = (format: "webp" | "avif", s: Summary) =>
  s.ssimMargin >= 0 && s.mediansRatio <= bytesTarget(format).value && fastEnough(format, s);

const SHORT: Record<string, string> = {
  quality: "q",
  effort: "effort ",
  smartSubsample: "smart",
  alphaQuality: "alpha q",
  chromaSubsampling: "",
  preset: "preset ",
};

/** "webp q80 effort 4 smart": the table's label; booleans show when true. */
const label = (candidate: Candidate) =>
  [
    candidate.format,
    ...Object.entries(candidate.options).flatMap(([key, value]) =>
      value === false ? [] : value === true ? [SHORT[key] ?? key] : [`${SHORT[key] ?? `${key} `}${value}`],
    ),
  ].join(" ");

const describe = (options: object) =>
  Object.entries(options)
    .map(([key, value]) => `${key} ${value}`)
    .join(", ");

/**
 * Around where WebP and AVIF reach today's JPEG's SSIM. AVIF effort 5 and up take several times
 * the 150 ms budget at 400 px, so they are left out; effort 4 is there to show what it would buy.
 */
function grid(quick: boolean): Candidate[] {
  const candidates: Candidate[] = [];
  const webp = (options: WebpOptions) => candidates.push({ format: "webp", options });
  const avif = (options: AvifOptions) => candidates.push({ format: "avif", options });
  for (const quality of quick ? [84, 88] : [80, 82, 84, 85, 86, 87, 88, 90])
    for (const effort of quick ? [6] : [4, 6])
      for (const smartSubsample of quick ? [false] : [false, true]) webp({ quality, effort, smartSubsample });
  for (const quality of quick ? [] : [84, 86, 88]) webp({ quality, effort: 6, preset: "photo" });
  // The alpha channel's own quality counts only for PNG sources with alpha: the chosen settings with a few.
  for (const alphaQuality of quick ? [90] : [100, 90, 80, 70]) webp({ ...VARIANT_ENCODINGS.webp, alphaQuality });
  for (const quality of quick ? [70, 74] : [60, 64, 66, 68, 70, 72, 74, 76])
    for (const effort of quick ? [3] : [2, 3]) avif({ quality, effort, chromaSubsampling: "4:2:0" });
  for (const quality of quick ? [] : [66, 70, 74]) {
    avif({ quality, effort: 2, chromaSubsampling: "4:4:4" });
    avif({ quality, effort: 4, chromaSubsampling: "4:2:0" });
  }
  return candidates;
}

const signed = (value: number, digits = 4) => `${value >= 0 ? "+" : "−"}${Math.abs(value).toFixed(digits)}`;
const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
const times = (value: number | undefined, digits = 3) => (value === undefined ? "—" : `${value.toFixed(digits)}×`);

const TABLE_HEAD = `  ${"candidate".padEnd(40)} ${"med÷med".padStart(7)} ${"per ph.".padStart(7)} ${"ΔSSIM".padStart(8)} ${"worst Δ".padStart(8)} ${"below".padStart(5)} ${"α b÷J".padStart(6)} ${"α SSIM".padStart(7)} ${"enc ms".padStart(7)}`;

function tableRow(name: string, s: Summary, meets: boolean): string {
  const alpha = s.alphaSsimMin === undefined ? "—" : s.alphaSsimMin.toFixed(4);
  return `  ${name.padEnd(40)} ${times(s.mediansRatio).padStart(7)} ${times(s.bytesRatio).padStart(7)} ${signed(s.ssimMargin).padStart(8)} ${signed(s.worstMargin).padStart(8)} ${String(s.below).padStart(5)} ${times(s.alphaBytesRatio, 2).padStart(6)} ${alpha.padStart(7)} ${s.medianMs.toFixed(1).padStart(7)}${meets ? "  meets" : ""}`;
}

type Row = { name: string; s: Summary };

/**
 * The grid's own pick: of the candidates meeting every target, the most SSIM margin, where
 * 0.0005 apart counts as a tie won by the smaller files (more margin on the bytes target). When
 * none does: the smallest files that keep JPEG's median SSIM in time.
 */
function gridPick(format: "webp" | "avif", rows: readonly Row[]): string {
  const meeting = rows.filter((r) => meetsTargets(format, r.s));
  if (meeting.length) {
    const most = Math.max(...meeting.map((r) => r.s.ssimMargin));
    const [best] = meeting
      .filter((r) => r.s.ssimMargin >= most - 0.0005)
      .sort((a, b) => a.s.mediansRatio - b.s.mediansRatio);
    return best ? `${best.name} (meets all targets)` : "";
  }
  const [parity] = rows
    .filter((r) => r.s.ssimMargin >= 0 && fastEnough(format, r.s))
    .sort((a, b) => a.s.mediansRatio - b.s.mediansRatio);
  return parity
    ? `none meets all targets; smallest at JPEG's SSIM: ${parity.name} (${times(parity.s.mediansRatio)})`
    : `none meets all targets, and none reaches JPEG's median SSIM${format === "avif" ? " within 150 ms" : ""}`;
}

async function gatherPhotos(): Promise<{ photos: Photo[]; scan: CorpusScan | undefined; generated: number }> {
  const scan = await corpusPhotos();
  const photos = [...(scan?.photos ?? [])];
  let generated = 0;
  while (photos.length < MIN_PHOTOS) {
    const { name, bytes } = await generatedPhoto(generated++);
    const reference = await referenceOf(bytes);
    photos.push(photoOf(name, "generated", reference.source, reference.raw));
  }
  return { photos, scan, generated };
}

function printPhotos(photos: readonly Photo[], scan: CorpusScan | undefined, generated: number): void {
  const count = (keep: (p: Photo) => boolean) => photos.filter(keep).length;
  console.log(
    `7. Formats: the ${HEIGHT} px variant of ${photos.length} photos as JPEG (today's settings), WebP and AVIF; load average ${os.loadavg()[0]?.toFixed(1)} at the start`,
  );
  if (scan) {
    const bySet = CORPUS_SETS.map((set) => `${count((p) => p.origin === set)} ${set}`).join(", ");
    console.log(info(`photos from ${CORPUS_LABEL}`, `${scan.photos.length} (${bySet})`));
    console.log(
      info(
        "  chosen by decoding each file",
        `${scan.files} files, ${scan.usable} decode and are ≥ ${HEIGHT} px high; ${scan.graphics} graphics and ${scan.duplicates} duplicates left out`,
      ),
    );
  } else console.log(info(`photos from ${CORPUS_LABEL}`, "none (no such folder)"));
  console.log(
    info(
      "photos generated (seeded)",
      `${generated}, ${count((p) => p.origin === "generated" && !!p.alpha)} with alpha`,
    ),
  );
  console.log(
    info(
      "sources",
      `${count((p) => p.source === "jpeg")} JPEG, ${count((p) => p.source === "png")} PNG (${count((p) => !!p.alpha)} with alpha)`,
    ),
  );
  console.log(
    "  Reference: full-size decode, EXIF rotation applied, lanczos3 to 400 px high, raw; every encoder gets it.",
  );
  console.log("  SSIM: ssim.js on luma at the variant's own size, alpha laid on white; α SSIM: the alpha channel's.");
  console.log("  Encode: one toBuffer() per photo after a warm-up, sequential; the median over the photos.");
  console.log();
}

function printChosen(format: "webp" | "avif", s: Summary, photos: number, withAlpha: number, jpegBytes: number) {
  const name = format === "webp" ? "WebP" : "AVIF";
  console.log(info(`${name} settings`, describe(VARIANT_ENCODINGS[format])));
  console.log(verdict(`${name} median bytes ÷ JPEG's median bytes`, s.mediansRatio, bytesTarget(format)));
  console.log(info("  median bytes", `${kib(s.medianBytes)} vs JPEG ${kib(jpegBytes)}`));
  console.log(verdict("  stricter: each photo's bytes ÷ its JPEG's, median", s.bytesRatio, bytesTarget(format)));
  console.log(verdict(`${name} median SSIM − JPEG's median SSIM`, s.ssimMargin, TARGETS.ssim, 4));
  console.log(
    info(
      `${name} photos below their JPEG's SSIM`,
      `${s.below} of ${photos} (lowest ${signed(s.worstMargin)}: ${s.worstName})`,
    ),
  );
  if (format === "avif") console.log(verdict("AVIF median encode, 400 px variant", s.medianMs, TARGETS.avifMs, 1));
  else console.log(info("WebP median encode, 400 px variant", ms(s.medianMs)));
  if (withAlpha) {
    console.log(
      info(
        `${name} of PNGs with alpha`,
        `alpha kept in ${s.alphaKept} of ${withAlpha}; bytes ${times(s.alphaBytesRatio, 2)} JPEG's; lowest α SSIM ${s.alphaSsimMin?.toFixed(4) ?? "—"}`,
      ),
    );
  }
}

export async function benchFormats(quick: boolean): Promise<void> {
  const { photos, scan, generated } = await gatherPhotos();
  printPhotos(photos, scan, generated);
  const withAlpha = photos.filter((p) => p.alpha).length;

  const cache = new Map<string, Sample[]>();
  const samplesOf = async (candidate: Candidate) => {
    const key = `${candidate.format} ${JSON.stringify(candidate.options)}`;
    let samples = cache.get(key);
    if (!samples) cache.set(key, (samples = await measure(photos, candidate)));
    return samples;
  };
  const jpeg = await samplesOf({ format: "jpeg", options: VARIANT_ENCODINGS.jpeg });
  const jpegBytes = median(jpeg.map((s) => s.bytes));
  console.log(
    info(
      `JPEG ${describe(VARIANT_ENCODINGS.jpeg)}`,
      `median ${kib(jpegBytes)}, SSIM ${median(jpeg.map((s) => s.ssim)).toFixed(4)}, ${ms(median(jpeg.map((s) => s.ms)))}`,
    ),
  );
  console.log();
  console.log(TABLE_HEAD);
  const rows: Record<"webp" | "avif", Row[]> = { webp: [], avif: [] };
  for (const candidate of grid(quick)) {
    if (candidate.format === "jpeg") continue;
    const s = summarise(photos, await samplesOf(candidate), jpeg);
    const name = label(candidate);
    rows[candidate.format].push({ name, s });
    console.log(tableRow(name, s, meetsTargets(candidate.format, s)));
  }
  console.log("  med÷med: median bytes ÷ the JPEGs' median bytes (the target's figure); per ph.: the median of each");
  console.log(
    "  photo's bytes ÷ its JPEG's; ΔSSIM: median SSIM − the JPEGs' median SSIM; worst Δ: the lowest photo's SSIM",
  );
  console.log(
    "  − its JPEG's; below: photos under their JPEG's SSIM; α b÷J, α SSIM: per ph. bytes and the lowest alpha",
  );
  console.log("  SSIM of the photos with alpha; enc ms: median encode. meets: every target, bytes on med÷med.");
  console.log(info("grid's pick for WebP", gridPick("webp", rows.webp)));
  console.log(info("grid's pick for AVIF", gridPick("avif", rows.avif)));
  console.log();

  console.log("  Chosen settings (lib/images/encodings.ts):");
  const chosen = {
    webp: await samplesOf({ format: "webp", options: VARIANT_ENCODINGS.webp }),
    avif: await samplesOf({ format: "avif", options: VARIANT_ENCODINGS.avif }),
  };
  printChosen("webp", summarise(photos, chosen.webp, jpeg), photos.length, withAlpha, jpegBytes);
  printChosen("avif", summarise(photos, chosen.avif, jpeg), photos.length, withAlpha, jpegBytes);
  const pngSources = photos.flatMap((photo, i) => (photo.source === "png" ? [{ photo, i }] : []));
  if (pngSources.length) {
    // PNG sources are served as PNG thumbnails today.
    const pngBytes = await Promise.all(
      pngSources.map(async ({ photo }) => {
        const { data, width, height, channels } = photo.reference;
        const raw = { width, height, channels: channels as 3 | 4 };
        return (await sharp(data, { raw }).png(VARIANT_ENCODINGS.png).toBuffer()).length;
      }),
    );
    const ofPng = (samples: readonly Sample[]) =>
      median(pngSources.map(({ i }, k) => (samples[i]?.bytes ?? NaN) / (pngBytes[k] ?? NaN)));
    console.log(
      info(
        `PNG sources (${pngSources.length}): bytes ÷ today's PNG thumbnail`,
        `median ${kib(median(pngBytes))} PNG; WebP ${times(ofPng(chosen.webp), 2)}, AVIF ${times(ofPng(chosen.avif), 2)}, JPEG ${times(ofPng(jpeg), 2)}`,
      ),
    );
  }
  console.log();
  console.log(
    "  Per photo, chosen settings: JPEG bytes and SSIM; WebP and AVIF bytes ÷ JPEG's and SSIM − JPEG's; AVIF ms",
  );
  photos.forEach((photo, i) => {
    const [j, w, a] = [jpeg[i], chosen.webp[i], chosen.avif[i]];
    if (!j || !w || !a) return;
    const size = `${photo.reference.width}×${photo.reference.height}${photo.alpha ? " α" : ""}`;
    console.log(
      `    ${photo.name.slice(0, 40).padEnd(40)} ${size.padStart(9)}  ${kib(j.bytes).padStart(9)} ${j.ssim.toFixed(4)}  WebP ${(w.bytes / j.bytes).toFixed(2)}× ${signed(w.ssim - j.ssim)}  AVIF ${(a.bytes / j.bytes).toFixed(2)}× ${signed(a.ssim - j.ssim)} ${ms(a.ms).padStart(8)}`,
    );
  });
  console.log();
}
