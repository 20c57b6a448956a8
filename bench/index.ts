/**
 * `npm run bench`: performance figures as ratios against references measured side by side in
 * the same run, each printed next to its target. A missed target is reported, not fatal: the
 * exit code is non-zero only when the benchmark itself fails. Talks to 127.0.0.1 only.
 *
 *   1. thumbnails  renderUpload (what an upload does) vs the JPEG decode floor (djpeg), vipsthumbnail, naive sharp.
 *   2. cold        a height made later from the stored original vs sharp's own resize, in process.
 *   3. idle        RSS of the whole `npm start` tree at idle, on PostgreSQL and on the embedded default,
 *                  and the embedded default's first start on a fresh DATA_DIR.
 *   4. ready       a 12 MP upload over HTTP until its Image is ready, vs djpeg; 4 clients vs 1; server CPU.
 *   5. list        GET /api/v1/images (first and last page of 10 000) vs a constant route, on PostgreSQL
 *                  and on the embedded default.
 *   6. upload      server RSS growth while a 50-megapixel JPEG is uploaded and made ready;
 *      memory      the same, then RSS over 200 sequential 12 MP uploads per allocator (glibc,
 *                  MALLOC_ARENA_MAX=2, jemalloc).
 *   7. formats     the 400 px variant of 20+ photos as JPEG, WebP and AVIF: bytes, SSIM and encode time per
 *                  candidate setting, and lib/images/encodings.ts's (run before any app starts).
 *
 * `npm run bench -- ready list` runs those sections; `--quick` (or BENCH_UPLOADS=n for the
 * allocator runs) shortens the runs while developing. Needs the local PostgreSQL
 * (postgres://postgres@127.0.0.1:5432/, throw-away databases are created and dropped), a
 * production build (made first if missing) and, for the comparisons, djpeg (Debian:
 * libjpeg-turbo-progs), vipsthumbnail (libvips-tools) and jemalloc (libjemalloc2).
 */
import { chmod, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { closeDb } from "@/db/client";
import { type App, atCleanup, cleanUp, startEmbeddedApp, startPostgresApp } from "./app";
import { benchFormats } from "./formats";
import { benchIdle } from "./idle";
import { benchListThroughput } from "./list";
import { attempt, failed } from "./measure";
import { benchAllocators, benchUploadMemory } from "./memory";
import { benchUploadToReady } from "./ready";
import { benchColdHeights, benchThumbnails } from "./thumbnails";

const SECTIONS = ["thumbnails", "cold", "idle", "ready", "list", "upload", "memory", "formats"] as const;
type Section = (typeof SECTIONS)[number];

/** `npm run bench -- list upload` runs only those sections; no section names runs them all. */
function selectedSections(args: readonly string[]): Set<Section> {
  const unknown = args.filter((a) => !(SECTIONS as readonly string[]).includes(a));
  if (unknown.length) throw new Error(`unknown section ${unknown.join(", ")}: choose from ${SECTIONS.join(", ")}`);
  return new Set(args.length ? (args as Section[]) : SECTIONS);
}

/** The list on the embedded default: its own `npm start`, stopped when done; a failure to start is a MISS. */
async function benchEmbeddedList(scratch: string, quick: boolean): Promise<void> {
  const minimum = 0.45;
  const embedded = await attempt(() => startEmbeddedApp(scratch));
  if ("error" in embedded) {
    console.log("5. List throughput, embedded default");
    console.log(failed("first page ÷ reference, req/s", { op: "≥", value: minimum, unit: "×" }, embedded.error));
    console.log();
    return;
  }
  await benchListThroughput(embedded.value, minimum, quick);
  await closeDb(); // before the database stops: PostgreSQL waits for its clients
  await embedded.value.server.stop();
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const quick = args.includes("--quick");
  const sections = selectedSections(args.filter((a) => a !== "--quick"));
  console.log(`Benchmark: node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? "unknown CPU"}`);
  if (quick) console.log("--quick: shortened runs, figures for development only");
  console.log();
  const scratch = await mkdtemp(path.join(os.tmpdir(), "tih-bench-"));
  // mkdtemp makes it 0700: the embedded PostgreSQL, run as user postgres when we are root, must enter it.
  await chmod(scratch, 0o755);
  atCleanup(() => rm(scratch, { recursive: true, force: true }));

  if (sections.has("thumbnails")) await benchThumbnails(scratch, quick);
  if (sections.has("cold")) await benchColdHeights(quick);
  // Before the app below starts, so nothing else of the bench's runs meanwhile.
  if (sections.has("idle")) await benchIdle(scratch);
  if (sections.has("formats")) await benchFormats(quick);

  let postgresApp: App | undefined;
  const app = async () => (postgresApp ??= await startPostgresApp(scratch));
  if (sections.has("ready")) await benchUploadToReady(await app(), scratch, quick);
  if (sections.has("list")) {
    await benchListThroughput(await app(), 0.65, quick);
    await benchEmbeddedList(scratch, quick);
  }
  if (sections.has("upload") || sections.has("memory")) await benchUploadMemory(await app());
  if (sections.has("memory")) await benchAllocators(await app(), quick);
}

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: stopping the servers and dropping the bench databases…`);
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
