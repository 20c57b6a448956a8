/** List throughput: GET /api/v1/images, first and last page of 10 000, against the constant /api/health route. */
import autocannon, { type Result } from "autocannon";
import { sql } from "drizzle-orm";
import { getDb } from "@/db/client";
import { type App, useAppDatabase } from "./app";
import { info, median, verdict } from "./measure";

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

/**
 * `count` images of the bench user, written straight into the app's database, one minute apart;
 * answers how many the user has now (earlier sections may have uploaded some).
 */
async function seedImages(app: App, count: number): Promise<number> {
  await useAppDatabase(app.env);
  await getDb().execute(sql`
    insert into images (id, owner_id, name, storage_key, content_type, width, height, byte_size, sha256, created_at)
    select id, ${app.userId}, 'bench ' || n, 'originals/' || id, 'image/jpeg', 4000, 3000, 4000000 + n,
           encode(sha256(id::text::bytea), 'hex'), now() - n * interval '1 minute' - random() * interval '59 seconds'
    from (select gen_random_uuid() as id, n from generate_series(1, ${count}) as n) as s`);
  await getDb().execute(sql`analyze images`);
  const [row] = await getDb().execute<{ n: number }>(
    sql`select count(*)::int as n from images where owner_id = ${app.userId}`,
  );
  return row?.n ?? 0;
}

/** `minimum`: the least first page ÷ reference (and last page ÷ reference) that passes. */
export async function benchListThroughput(app: App, minimum: number, quick: boolean): Promise<void> {
  const IMAGES = 10_000;
  const LIMIT = 20;
  const [ROUNDS, SECONDS, CONNECTIONS] = quick ? [2, 1, 10] : [5, 2, 10];
  const total = await seedImages(app, IMAGES);

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
  if (seen !== total) throw new Error(`walking the cursors found ${seen} images, expected ${total}`);

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
    {
      label: `last page: …&cursor=<cursor of page ${Math.ceil(total / LIMIT)}>`,
      url: lastUrl,
      headers: auth,
      expected: "200",
    },
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
    `5. List throughput, ${app.label}: ${total} images, limit=${LIMIT}; autocannon, ${CONNECTIONS} connections, ${ROUNDS} × ${SECONDS} s per URL, interleaved, after a ${SECONDS} s warm-up each`,
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
  const floor = { op: "≥", value: minimum, unit: "×" } as const;
  console.log(verdict("first page ÷ reference, req/s", first.rps / reference.rps, floor));
  console.log(verdict("last page ÷ reference, req/s", last.rps / reference.rps, floor));
  console.log(verdict("last page ÷ first page, latency p50", last.p50 / first.p50, { op: "≤", value: 1.2, unit: "×" }));
  console.log(
    verdict("last page ÷ first page, latency mean", last.meanMs / first.meanMs, { op: "≤", value: 1.2, unit: "×" }),
  );
  console.log();
}
