/**
 * `npm run bench`: performance figures as ratios against references measured side by side in
 * the same run, each printed next to its target. A missed target is reported, not fatal: the
 * exit code is non-zero only when the benchmark itself fails. Talks to 127.0.0.1 only.
 *
 *   1. Thumbnails: renderThumbnails vs the JPEG decode floor (djpeg), vipsthumbnail, naive sharp.
 *   2. List throughput: GET /api/v1/images (first and last page of 10 000) vs a constant route.
 *   3. Upload memory: server RSS growth while a 50-megapixel JPEG is uploaded.
 *
 * Needs the local PostgreSQL (postgres://postgres@127.0.0.1:5432/, a throw-away database is
 * created and dropped) and, for two comparisons, djpeg (Debian: libjpeg-turbo-progs) and
 * vipsthumbnail (Debian: libvips-tools).
 */
import autocannon, { type Result } from "autocannon";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import sharp from "sharp";
import { closeDb, getDb } from "@/db/client";
import { createApiToken } from "@/lib/accounts/api-tokens";
import { createUser } from "@/lib/accounts/users";
import { createPlan } from "@/lib/plans/create-plan";
import { env } from "@/lib/env";
import { probeImage, renderThumbnails } from "@/lib/images/imaging";
import { prepareDatabase } from "../scripts/db";
import { ensureBuild } from "../tests/infra/stack/processes";
import { appEnv, createBenchDatabase, processTree, ROOT, rssBytes, startServer } from "./app";
import { info, median, noisyJpeg, onPath, runCommand, timeMs, verdict } from "./measure";

type App = { origin: string; token: string; userId: string; serverPid: number };

const MAX_PIXELS = 50_000_000;
const ENTERPRISE_HEIGHTS = [200, 400];
const ms = (value: number) => `${value.toFixed(1)} ms`;
const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

/** Undone in reverse order at the end, on a crash, or on Ctrl-C. */
const cleanups: (() => Promise<void>)[] = [];

async function benchThumbnails(scratch: string): Promise<void> {
  const RUNS = 7;
  const bytes = await noisyJpeg(4000, 3000, 90, 96);
  const file = path.join(scratch, "12mp.jpg");
  await writeFile(file, bytes);
  const imageInfo = await probeImage(bytes, "image/jpeg", MAX_PIXELS);
  const rendered = await renderThumbnails(bytes, imageInfo, ENTERPRISE_HEIGHTS, MAX_PIXELS);

  const candidates = new Map<string, () => Promise<unknown>>([
    ["render", () => renderThumbnails(bytes, imageInfo, ENTERPRISE_HEIGHTS, MAX_PIXELS)],
    [
      "naive",
      async () => {
        for (const height of ENTERPRISE_HEIGHTS) {
          await sharp(bytes).rotate().resize({ height }).jpeg({ quality: 82, chromaSubsampling: "4:2:0" }).toBuffer();
        }
      },
    ],
    ["spawn", () => runCommand("true", [])],
  ]);
  const missing: string[] = [];
  if (onPath("djpeg"))
    candidates.set("djpeg", () => runCommand("djpeg", ["-scale", "1/4", "-outfile", "/dev/null", file]));
  else
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

  // Interleaved rounds, so drift in machine load hits every candidate alike; round 0 is the warm-up.
  const times = new Map<string, number[]>([...candidates.keys()].map((k) => [k, []]));
  for (let round = 0; round <= RUNS; round++) {
    for (const [name, run] of candidates) {
      const elapsed = await timeMs(run);
      if (round > 0) times.get(name)?.push(elapsed);
    }
  }
  const t = (name: string) => median(times.get(name) ?? []);

  console.log(
    `1. Thumbnails: 4000×3000 noisy JPEG (q90, ${mb(bytes.length)}), heights ${ENTERPRISE_HEIGHTS.join(" + ")}; median of ${RUNS} runs after a warm-up`,
  );
  console.log(info("renditions", rendered.map((r) => `${r.width}×${r.height}`).join(", ")));
  for (const line of missing) console.log(`  ${line}`);
  console.log(info("renderThumbnails (decode once, derive all)", ms(t("render"))));
  console.log(info("naive: one sharp pipeline per height, in turn", ms(t("naive"))));
  console.log(info("process spawn baseline (`true`)", ms(t("spawn"))));
  const floor = { op: "≤", value: 1.25, unit: "×" } as const;
  if (candidates.has("djpeg")) {
    console.log(info("djpeg -scale 1/4 (decode floor, child process)", ms(t("djpeg"))));
    console.log(verdict("renderThumbnails ÷ djpeg, raw", t("render") / t("djpeg"), floor));
    console.log(
      verdict("renderThumbnails ÷ (djpeg − spawn), spawn-corrected", t("render") / (t("djpeg") - t("spawn")), floor),
    );
    console.log(info("naive ÷ djpeg (for reference)", `${(t("naive") / t("djpeg")).toFixed(2)}×`));
  }
  if (candidates.has("vips")) {
    console.log(info("vipsthumbnail, one run per height (2 processes)", ms(t("vips"))));
    console.log(info("renderThumbnails ÷ vipsthumbnail, raw", `${(t("render") / t("vips")).toFixed(2)}×`));
    console.log(
      info(
        "renderThumbnails ÷ (vipsthumbnail − 2 spawns)",
        `${(t("render") / (t("vips") - 2 * t("spawn"))).toFixed(2)}×`,
      ),
    );
  }
  console.log();
}

/** Fresh database, Enterprise user and token, production server. */
async function startApp(scratch: string): Promise<App> {
  const database = await createBenchDatabase();
  cleanups.push(database.drop);
  const variables = appEnv(database.url, scratch);
  Object.assign(process.env, variables);
  const prepared = await prepareDatabase(env());
  cleanups.push(async () => {
    await closeDb();
    await prepared.close();
  });
  // Enterprise's entitlements with no quota and no rate limits (0), so the limits never distort a figure.
  const plan = await createPlan({
    name: "Bench",
    heights: [200, 400],
    originalLink: true,
    expiringLinks: true,
    quotaBytes: null,
    requestsPerMinute: 0,
    uploadsPerHour: 0,
  });
  const user = await createUser({
    email: "bench@example.com",
    password: randomBytes(18).toString("base64url"),
    planName: plan.name,
  });
  const { token } = await createApiToken(user.id, "bench");

  await ensureBuild(ROOT, (line) => console.log(line), path.join(scratch, "next-build.log"));
  const server = await startServer(variables);
  cleanups.push(server.stop);
  console.log(`App: next start on ${server.origin} (pid ${server.pid}), database ${database.name}\n`);
  return { origin: server.origin, token, userId: user.id, serverPid: server.pid };
}

/** Several autocannon runs against one URL, combined. */
type Load = { rps: number; p50: number; meanMs: number; statuses: Record<string, number>; failures: number };

function combine(runs: readonly Result[]): Load {
  const statuses: Record<string, number> = {};
  for (const run of runs)
    for (const [code, { count }] of Object.entries(run.statusCodeStats)) statuses[code] = (statuses[code] ?? 0) + count;
  const total = (f: (r: Result) => number) => runs.reduce((sum, r) => sum + f(r), 0);
  return {
    rps: total((r) => r.requests.total) / total((r) => r.duration),
    p50: median(runs.map((r) => r.latency.p50)),
    meanMs: total((r) => r.latency.mean * r.requests.total) / total((r) => r.requests.total),
    statuses,
    failures: total((r) => r.errors + r.timeouts),
  };
}

async function benchListThroughput(app: App): Promise<void> {
  const IMAGES = 10_000;
  const LIMIT = 20;
  const [ROUNDS, SECONDS, CONNECTIONS] = [5, 2, 10];
  await getDb().execute(sql`
    insert into images (id, owner_id, name, storage_key, content_type, width, height, byte_size, sha256, created_at)
    select id, ${app.userId}, 'bench ' || n, 'originals/' || id, 'image/jpeg', 4000, 3000, 4000000 + n,
           encode(sha256(id::text::bytea), 'hex'), now() - n * interval '1 minute' - random() * interval '59 seconds'
    from (select gen_random_uuid() as id, n from generate_series(1, ${IMAGES}) as n) as s`);
  await getDb().execute(sql`analyze images`);

  const auth = { Authorization: `Bearer ${app.token}` };
  const firstUrl = `${app.origin}/api/v1/images?limit=${LIMIT}`;
  let lastUrl = firstUrl;
  let seen = 0;
  for (let url: string | null = firstUrl; url;) {
    const response = await fetch(url, { headers: auth });
    if (response.status !== 200) throw new Error(`GET ${url} answered ${response.status}: ${await response.text()}`);
    const page = (await response.json()) as { items: unknown[]; next_cursor: string | null };
    seen += page.items.length;
    lastUrl = url;
    url = page.next_cursor ? `${firstUrl}&cursor=${encodeURIComponent(page.next_cursor)}` : null;
  }
  if (seen !== IMAGES) throw new Error(`walking the cursors found ${seen} images, expected ${IMAGES}`);

  // Short runs in turn, so a change in machine load meanwhile hits all three alike; the first run of each is a warm-up.
  // The reference is the server's cheapest constant-JSON route: a static path, no auth, no database.
  const targets = [
    {
      label: "reference: GET /api/health (constant JSON)",
      url: `${app.origin}/api/health`,
      headers: {},
      expected: "200",
    },
    { label: `first page: GET /api/v1/images?limit=${LIMIT}`, url: firstUrl, headers: auth, expected: "200" },
    { label: `last page: …&cursor=<cursor of page ${IMAGES / LIMIT}>`, url: lastUrl, headers: auth, expected: "200" },
  ];
  const runs = targets.map((): Result[] => []);
  for (let round = 0; round <= ROUNDS; round++) {
    for (const [i, target] of targets.entries()) {
      const result = await autocannon({
        url: target.url,
        headers: target.headers,
        connections: CONNECTIONS,
        duration: SECONDS,
      });
      if (round > 0) runs[i]?.push(result);
    }
  }
  const [reference, first, last] = runs.map(combine) as [Load, Load, Load];

  console.log(
    `2. List throughput: ${IMAGES} images, limit=${LIMIT}; autocannon, ${CONNECTIONS} connections, ${ROUNDS} × ${SECONDS} s per URL, interleaved, after a ${SECONDS} s warm-up each`,
  );
  let unexpected = 0;
  for (const [i, load] of [reference, first, last].entries()) {
    const target = targets[i];
    if (!target) continue;
    unexpected +=
      load.failures +
      Object.entries(load.statuses).reduce((n, [code, count]) => n + (code === target.expected ? 0 : count), 0);
    const statuses = Object.entries(load.statuses)
      .map(([code, count]) => `${code}×${count}`)
      .join(" ");
    console.log(
      info(
        target.label,
        `${load.rps.toFixed(0).padStart(5)} req/s   p50 ${load.p50} ms   mean ${load.meanMs.toFixed(1)} ms   ${statuses}${load.failures ? `   errors/timeouts ${load.failures}` : ""}`,
      ),
    );
  }
  if (unexpected)
    console.log(
      `  WARNING: ${unexpected} responses with an unexpected status, errors or timeouts: the figures are not valid.`,
    );
  else console.log(info("responses", "all 200, as expected"));
  console.log(verdict("first page ÷ reference, req/s", first.rps / reference.rps, { op: "≥", value: 0.5, unit: "×" }));
  console.log(verdict("last page ÷ reference, req/s", last.rps / reference.rps, { op: "≥", value: 0.5, unit: "×" }));
  console.log(verdict("last page ÷ first page, latency p50", last.p50 / first.p50, { op: "≤", value: 1.2, unit: "×" }));
  console.log(
    verdict("last page ÷ first page, latency mean", last.meanMs / first.meanMs, { op: "≤", value: 1.2, unit: "×" }),
  );
  console.log();
}

async function upload(app: App, name: string, bytes: Buffer): Promise<{ status: number; body: string }> {
  const form = new FormData();
  form.append("name", name);
  form.append("image", new Blob([new Uint8Array(bytes)], { type: "image/jpeg" }), `${name}.jpg`);
  const response = await fetch(`${app.origin}/api/v1/images`, {
    method: "POST",
    headers: { Authorization: `Bearer ${app.token}` },
    body: form,
  });
  return { status: response.status, body: await response.text() };
}

async function benchUploadMemory(app: App): Promise<void> {
  const [WIDTH, HEIGHT] = [8660, 5773]; // 49.99 megapixels: just within the default MAX_IMAGE_PIXELS
  const big = await noisyJpeg(WIDTH, HEIGHT, 85, 64);
  // A small upload first, so one-time costs (first use of the upload path) are not counted.
  const warm = await upload(app, "warm-up", await noisyJpeg(1600, 1200, 85, 64));
  if (warm.status !== 201) throw new Error(`warm-up upload answered ${warm.status}: ${warm.body}`);
  await new Promise((resolve) => setTimeout(resolve, 1000));

  const tree = processTree(app.serverPid);
  const pids = tree.map((p) => p.pid);
  const idleSamples: number[] = [];
  for (let i = 0; i < 10; i++) {
    idleSamples.push(rssBytes(pids));
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const idle = median(idleSamples);

  let peak = idle;
  const sampler = setInterval(() => (peak = Math.max(peak, rssBytes(pids))), 20);
  const start = performance.now();
  let result: { status: number; body: string };
  try {
    result = await upload(app, "fifty-megapixels", big);
  } finally {
    clearInterval(sampler);
  }
  const elapsed = performance.now() - start;
  peak = Math.max(peak, rssBytes(pids));

  console.log(
    `3. Upload memory: ${WIDTH}×${HEIGHT} noisy JPEG (${((WIDTH * HEIGHT) / 1e6).toFixed(1)} megapixels, q85, ${mb(big.length)}), RSS sampled every 20 ms`,
  );
  console.log(info("server process tree (RSS summed)", tree.map((p) => `${p.pid} ${p.name}`).join(", ")));
  console.log(info("idle RSS (after a small warm-up upload)", mb(idle)));
  console.log(info("peak RSS during the upload", mb(peak)));
  console.log(info("upload status", `${result.status} in ${ms(elapsed)}`));
  if (result.status !== 201)
    console.log(`  WARNING: expected 201, so the figure is not valid. Response: ${result.body}`);
  console.log(verdict("peak − idle", (peak - idle) / 1e6, { op: "≤", value: 150, unit: " MB" }, 1));
}

const SECTIONS = ["thumbnails", "list", "upload"] as const;
type Section = (typeof SECTIONS)[number];

/** `npm run bench -- list upload` runs only those sections; no arguments runs all three. */
function selectedSections(args: readonly string[]): Set<Section> {
  const unknown = args.filter((a) => !(SECTIONS as readonly string[]).includes(a));
  if (unknown.length) throw new Error(`unknown section ${unknown.join(", ")}: choose from ${SECTIONS.join(", ")}`);
  return new Set(args.length ? (args as Section[]) : SECTIONS);
}

async function main(): Promise<void> {
  const sections = selectedSections(process.argv.slice(2));
  console.log(`Benchmark: node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? "unknown CPU"}\n`);
  const scratch = await mkdtemp(path.join(os.tmpdir(), "tih-bench-"));
  cleanups.push(() => rm(scratch, { recursive: true, force: true }));
  if (sections.has("thumbnails")) await benchThumbnails(scratch);
  if (!sections.has("list") && !sections.has("upload")) return;
  const app = await startApp(scratch);
  if (sections.has("list")) await benchListThroughput(app);
  if (sections.has("upload")) await benchUploadMemory(app);
}

async function cleanUp(): Promise<void> {
  for (let undo = cleanups.pop(); undo; undo = cleanups.pop()) {
    await undo().catch((error) => console.error("cleanup step failed:", error));
  }
}

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: stopping the server and dropping the bench database…`);
    void cleanUp().finally(() => process.exit(130));
  });
}

let exitCode = 0;
const started = performance.now();
try {
  await main();
  console.log(`\nDone in ${((performance.now() - started) / 1000).toFixed(0)} s.`);
} catch (error) {
  console.error("\nThe benchmark failed:", error);
  exitCode = 1;
} finally {
  await cleanUp();
}
process.exit(exitCode);
