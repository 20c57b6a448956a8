/**
 * Upload to ready: a 12 MP JPEG over HTTP until its Image says `ready` (thumbnails stored), one
 * at a time against djpeg's 1/4-scale decode of the same file, then 4 clients against 1.
 */
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { type App, cpuMs } from "./app";
import { jpegBlob, uploadUntilReady } from "./client";
import { info, mb, median, ms, onPath, runCommand, timeMs, verdict } from "./measure";
import { photoLikeJpeg } from "../tests/support/fixtures";

/** Server CPU time so far (its whole process tree). */
const serverCpuMs = (app: App) => cpuMs(app.server.processes().map((p) => p.pid));

/** `total` uploads by `clients` clients, each starting its next upload when its last is ready. */
async function uploadsPerSecond(
  app: App,
  file: Blob,
  clients: number,
  total: number,
): Promise<{ perSecond: number; cpuPerUpload: number }> {
  let next = 0;
  const cpuBefore = serverCpuMs(app);
  const start = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async (_, client) => {
      for (let n = next++; n < total; n = next++) await uploadUntilReady(app, `client ${client} upload ${n}`, file);
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  return { perSecond: total / seconds, cpuPerUpload: (serverCpuMs(app) - cpuBefore) / total };
}

export async function benchUploadToReady(app: App, scratch: string, quick: boolean): Promise<void> {
  const SEQUENTIAL = quick ? 5 : 15;
  const [ONE_CLIENT, FOUR_CLIENTS] = quick ? [6, 12] : [20, 40];
  const bytes = await photoLikeJpeg(4000, 3000, 90, 96);
  const path12mp = path.join(scratch, "ready-12mp.jpg");
  await writeFile(path12mp, bytes);
  const file = jpegBlob(bytes);
  const hasDjpeg = onPath("djpeg");
  const djpeg = () => runCommand("djpeg", ["-scale", "1/4", "-outfile", "/dev/null", path12mp]);

  // Warm-up: the first upload pays for the route's first use, the first djpeg for a cold page cache.
  await uploadUntilReady(app, "warm-up", file);
  if (hasDjpeg) await djpeg();

  // One upload, then one djpeg, in turn: drift in machine load hits both alike.
  const uploadTimes: number[] = [];
  const djpegTimes: number[] = [];
  let polls = 0;
  const cpuBefore = serverCpuMs(app);
  for (let i = 0; i < SEQUENTIAL; i++) {
    const result = await uploadUntilReady(app, `sequential ${i}`, file);
    uploadTimes.push(result.ms);
    polls += result.polls;
    if (hasDjpeg) djpegTimes.push(await timeMs(djpeg));
  }
  // Over the whole loop: what the server still does after answering "ready" belongs to the upload too.
  const cpu = serverCpuMs(app) - cpuBefore;
  const one = await uploadsPerSecond(app, file, 1, ONE_CLIENT);
  const four = await uploadsPerSecond(app, file, 4, FOUR_CLIENTS);

  console.log(
    `4. Upload to ready, ${app.label}: 4000×3000 noisy JPEG (photoLikeJpeg q90, ${mb(bytes.length)}), plan heights 200 + 400; POST /api/v1/images, then GET every 10 ms until "ready"`,
  );
  console.log(info(`sequential: median of ${SEQUENTIAL} uploads`, ms(median(uploadTimes))));
  console.log(info("status polls per upload (0: the 201 said ready)", (polls / SEQUENTIAL).toFixed(1)));
  console.log(info("server CPU per upload, sequential", ms(cpu / SEQUENTIAL)));
  if (hasDjpeg) {
    console.log(info(`djpeg -scale 1/4, same file: median of ${SEQUENTIAL}`, ms(median(djpegTimes))));
    console.log(
      verdict("sequential upload to ready ÷ djpeg", median(uploadTimes) / median(djpegTimes), {
        op: "≤",
        value: 1.8,
        unit: "×",
      }),
    );
  } else console.log("  djpeg not found: install the Debian package libjpeg-turbo-progs for the ratio; skipped.");
  console.log(info(`1 client, ${ONE_CLIENT} uploads`, `${one.perSecond.toFixed(2)} uploads/s`));
  console.log(info("server CPU per upload, 1 client", ms(one.cpuPerUpload)));
  console.log(info(`4 clients, ${FOUR_CLIENTS} uploads`, `${four.perSecond.toFixed(2)} uploads/s`));
  console.log(info("server CPU per upload, 4 clients", ms(four.cpuPerUpload)));
  console.log(
    verdict("4 clients ÷ 1 client, uploads/s", four.perSecond / one.perSecond, { op: "≥", value: 1.6, unit: "×" }),
  );
  console.log();
}
