/**
 * Memory stays low: the server's RSS growth while one 50-megapixel JPEG is uploaded and made
 * ready, and its RSS over many sequential 12 MP uploads with each of three allocators.
 */
import { existsSync, readFileSync } from "node:fs";
import { sleep } from "../tests/infra/stack/processes";
import { type App, rssBytes, type Server, startServer } from "./app";
import { jpegBlob, uploadUntilReady } from "./client";
import { info, mb, median, ms, verdict } from "./measure";
import { photoLikeJpeg } from "../tests/support/fixtures";

const treeRss = (server: Server) => rssBytes(server.processes().map((p) => p.pid));

/** The median of a few readings after a pause: what is left once the last request's garbage can go. */
async function settledRss(server: Server): Promise<number> {
  await sleep(1000);
  const samples: number[] = [];
  for (let i = 0; i < 5; i++) {
    samples.push(treeRss(server));
    await sleep(100);
  }
  return median(samples);
}

/**
 * On a server of its own, so what earlier sections' uploads left in the heap does not hide the
 * growth (glibc keeps freed memory for reuse).
 */
export async function benchUploadMemory(app: App): Promise<void> {
  const [WIDTH, HEIGHT] = [8660, 5773]; // 49.99 megapixels: just within MAX_IMAGE_PIXELS (bench/app.ts)
  const big = jpegBlob(await photoLikeJpeg(WIDTH, HEIGHT, 85, 64));
  const server = await startServer(app.env);
  try {
    const target = { origin: server.origin, token: app.token };
    // A small upload first, so one-time costs (first use of the upload path) are not counted.
    await uploadUntilReady(target, "warm-up", jpegBlob(await photoLikeJpeg(1600, 1200, 85, 64)));
    const tree = server.processes();
    const idle = await settledRss(server);

    // The tree read once: walking /proc every 20 ms would take CPU from the server being measured.
    const pids = tree.map((p) => p.pid);
    let peak = idle;
    const sampler = setInterval(() => (peak = Math.max(peak, rssBytes(pids))), 20);
    let result: Awaited<ReturnType<typeof uploadUntilReady>>;
    try {
      result = await uploadUntilReady(target, "fifty-megapixels", big);
    } catch (error) {
      throw new Error("the 50-megapixel upload must answer 201 and become ready, or the memory figure means nothing", {
        cause: error,
      });
    } finally {
      clearInterval(sampler);
    }
    peak = Math.max(peak, rssBytes(pids));

    console.log(
      `6a. Upload memory, ${app.label}: ${WIDTH}×${HEIGHT} noisy JPEG (${((WIDTH * HEIGHT) / 1e6).toFixed(1)} megapixels, q85, ${mb(big.size)}) until ready, a fresh next start, RSS sampled every 20 ms`,
    );
    console.log(
      info("server process tree (RSS summed)", tree.map((p) => `${p.pid} ${p.name.slice(0, 40)}`).join(", ")),
    );
    console.log(info("idle RSS (after a small warm-up upload)", mb(idle)));
    console.log(info("peak RSS during the upload", mb(peak)));
    console.log(info("upload to ready", `201, then ready after ${ms(result.ms)}`));
    console.log(verdict("peak − idle", (peak - idle) / 1e6, { op: "≤", value: 150, unit: " MB" }, 1));
    console.log();
  } finally {
    await server.stop();
  }
}

const JEMALLOC = "/usr/lib/x86_64-linux-gnu/libjemalloc.so.2";

/** Whether any of the server's processes has jemalloc mapped (LD_PRELOAD reached it). */
function jemallocLoaded(server: Server): boolean {
  return server.processes().some((p) => {
    try {
      return readFileSync(`/proc/${p.pid}/maps`, "utf8").includes("libjemalloc");
    } catch {
      return false;
    }
  });
}

/**
 * `uploads` sequential uploads (each until ready) to a server started afresh with each allocator:
 * RSS after the first 10 against RSS after all of them. BENCH_UPLOADS or --quick (50) shorten it.
 */
export async function benchAllocators(app: App, quick: boolean): Promise<void> {
  const UPLOADS = Number(process.env.BENCH_UPLOADS) || (quick ? 50 : 200);
  const EARLY = 10;
  const file = jpegBlob(await photoLikeJpeg(4000, 3000, 90, 96));
  // The caller's shell must not choose the allocator of the default run.
  const { LD_PRELOAD: _preload, MALLOC_ARENA_MAX: _arenas, ...base } = app.env;
  const allocators: { label: string; env: Record<string, string> }[] = [
    { label: "glibc malloc (default)", env: {} },
    { label: "glibc, MALLOC_ARENA_MAX=2", env: { MALLOC_ARENA_MAX: "2" } },
    { label: "jemalloc (LD_PRELOAD)", env: { LD_PRELOAD: JEMALLOC } },
  ];

  console.log(
    `6b. RSS over ${UPLOADS} sequential uploads, ${app.label}: 4000×3000 noisy JPEG (${mb(file.size)}) until ready, a fresh next start per allocator; RSS after ${EARLY} vs after ${UPLOADS}, each 1 s after the upload`,
  );
  for (const allocator of allocators) {
    if ("LD_PRELOAD" in allocator.env && !existsSync(JEMALLOC)) {
      console.log(`  ${allocator.label}: ${JEMALLOC} not found (Debian: libjemalloc2); skipped.`);
      continue;
    }
    const server = await startServer({ ...base, ...allocator.env });
    try {
      const target = { origin: server.origin, token: app.token };
      const started = await settledRss(server);
      const times: number[] = [];
      let early = 0;
      for (let i = 1; i <= UPLOADS; i++) {
        times.push((await uploadUntilReady(target, `${allocator.label} ${i}`, file)).ms);
        if (i === EARLY) early = await settledRss(server);
      }
      const final = await settledRss(server);
      const loaded =
        "LD_PRELOAD" in allocator.env ? (jemallocLoaded(server) ? ", jemalloc mapped" : ", NOT mapped") : "";
      console.log(
        info(
          allocator.label,
          `start ${mb(started)}   after ${EARLY} ${mb(early)}   after ${UPLOADS} ${mb(final)}   median upload ${ms(median(times))}${loaded}`,
        ),
      );
      console.log(
        verdict(`  ${allocator.label}: after ${UPLOADS} ÷ after ${EARLY}`, final / early, {
          op: "≤",
          value: 1.2,
          unit: "×",
        }),
      );
    } finally {
      await server.stop();
    }
  }
  console.log();
}
