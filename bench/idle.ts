/**
 * Idle memory of what a user runs, `npm start`, on PostgreSQL and on the embedded default (whose
 * first start on a fresh DATA_DIR is timed too): RSS summed over the whole process tree.
 */
import path from "node:path";
import { freePort, sleep } from "../tests/infra/stack/processes";
import { createBenchDatabase, embeddedEnv, ensureProductionBuild, postgresEnv, rssBytes, startServer } from "./app";
import { attempt, failed, info, mb, verdict } from "./measure";

type Idle = { startMs: number; rss: number; processes: { pid: number; name: string; rss: number }[] };

/** Seconds after /api/health first answers: start-up work done, caches as they stay. */
const SETTLE_MS = 5000;

async function idleTree(variables: Record<string, string>): Promise<Idle> {
  const server = await startServer(variables, { via: "npm start", timeoutMs: 120_000 });
  try {
    await sleep(SETTLE_MS);
    const processes = server.processes().map((p) => ({ ...p, rss: rssBytes([p.pid]) }));
    return { startMs: server.startMs, rss: processes.reduce((sum, p) => sum + p.rss, 0), processes };
  } finally {
    await server.stop();
  }
}

function printTree(idle: Idle): void {
  for (const p of idle.processes)
    console.log(info(`  ${p.pid} ${p.name.length > 40 ? `${p.name.slice(0, 39)}…` : p.name}`, mb(p.rss)));
}

export async function benchIdle(scratch: string): Promise<void> {
  await ensureProductionBuild(scratch);
  console.log(
    `3. Idle: npm start (production build present), RSS summed over its process tree ${SETTLE_MS / 1000} s after /api/health first answers`,
  );

  const database = await createBenchDatabase();
  const onPostgres = await attempt(() => idleTree(postgresEnv(database.url, path.join(scratch, "idle-postgres"))));
  await database.drop();
  const postgresTarget = { op: "≤", value: 300, unit: " MB" } as const;
  if ("error" in onPostgres) console.log(failed("PostgreSQL: idle RSS of the tree", postgresTarget, onPostgres.error));
  else {
    const idle = onPostgres.value;
    console.log(info("PostgreSQL: spawn to /api/health 200", `${(idle.startMs / 1000).toFixed(1)} s`));
    console.log(verdict("PostgreSQL: idle RSS of the tree", idle.rss / 1e6, postgresTarget, 0));
    printTree(idle);
  }

  // Whatever `npm start` does on the embedded default today; a failure is a MISS with its reason.
  const embeddedTarget = { op: "≤", value: 400, unit: " MB" } as const;
  const firstStartTarget = { op: "≤", value: 15, unit: " s" } as const;
  const port = await freePort();
  const embedded = await attempt(() => idleTree(embeddedEnv(path.join(scratch, "idle-embedded"), port)));
  if ("error" in embedded) {
    console.log(failed("embedded: first start on a fresh DATA_DIR", firstStartTarget, embedded.error));
    console.log(failed("embedded: idle RSS of the tree", embeddedTarget, "the server did not start (above)"));
  } else {
    const idle = embedded.value;
    console.log(
      verdict("embedded: first start, fresh DATA_DIR, to health 200", idle.startMs / 1000, firstStartTarget, 1),
    );
    console.log(verdict("embedded: idle RSS of the tree", idle.rss / 1e6, embeddedTarget, 0));
    printTree(idle);
  }
  console.log();
}
