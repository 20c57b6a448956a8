/**
 * The production topology natively on this machine (PostgreSQL, Redis, s3rver, N apps, M workers):
 *
 *   npx tsx tests/infra/stack/cli.ts up [--apps N] [--workers M] [--name NAME] [--job-lock-ms MS]
 *   npx tsx tests/infra/stack/cli.ts down [--name NAME] | down --all
 *
 * `up` returns once every app answers /api/ready and every worker logged "worker ready"; the
 * processes keep running. `down` stops them (SIGTERM, then SIGKILL), drops the database, removes
 * the queue's keys and the S3 data. State: data/stack/<name>.json. See tests/infra/stack/index.ts.
 */
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { ROOT, startStack, stopStackByName } from "./index";

const USAGE = `Usage:
  npx tsx tests/infra/stack/cli.ts up [--apps N] [--workers M] [--name NAME] [--job-lock-ms MS]
  npx tsx tests/infra/stack/cli.ts down [--name NAME]
  npx tsx tests/infra/stack/cli.ts down --all`;

function count(value: string | undefined, flag: string, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) < min)
    throw new UsageError(`${flag} must be a whole number ≥ ${min}, got "${value}".`);
  return Number(value);
}

class UsageError extends Error {}

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      apps: { type: "string" },
      workers: { type: "string" },
      name: { type: "string" },
      "job-lock-ms": { type: "string" },
      all: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  const [command, ...rest] = positionals;
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (rest.length || (command !== "up" && command !== "down")) throw new UsageError(`Expected up or down.`);
  const name = values.name ?? "local";

  if (command === "down") {
    const stateDir = path.join(ROOT, "data/stack");
    const names = values.all
      ? (existsSync(stateDir) ? readdirSync(stateDir, { withFileTypes: true }) : [])
          .filter((e) => e.isFile() && e.name.endsWith(".json"))
          .map((e) => e.name.slice(0, -".json".length))
      : [name];
    if (values.all && names.length === 0) console.log("No stacks.");
    let failed = false;
    for (const n of names) {
      try {
        const found = await stopStackByName(n, (line) => console.error(`  ${line}`));
        console.log(found ? `Stack ${n} is down.` : `No stack named ${n} (no data/stack/${n}.json).`);
      } catch (error) {
        failed = true;
        console.error(`Stack ${n}: ${(error as Error).message}`);
      }
    }
    return failed ? 1 : 0;
  }

  const apps = count(values.apps, "--apps", 1, 1);
  const workers = count(values.workers, "--workers", 1, 0);
  const jobLockMs =
    values["job-lock-ms"] === undefined ? undefined : count(values["job-lock-ms"], "--job-lock-ms", 0, 1000);
  // Interrupted while starting: what already runs must not be left behind.
  const interrupted = () => {
    console.error("\nInterrupted: tearing down what was started…");
    void stopStackByName(name).finally(() => process.exit(130));
  };
  process.once("SIGINT", interrupted);
  const started = performance.now();
  const stack = await startStack({
    name,
    apps,
    workers,
    jobLockMs,
    detached: true,
    log: (line) => console.log(`… ${line}`),
  });
  process.off("SIGINT", interrupted);

  const rel = (p: string) => path.relative(process.cwd(), p) || p;
  console.log(`\nStack ${stack.name} is up (${((performance.now() - started) / 1000).toFixed(1)} s):`);
  for (const app of stack.apps) console.log(`  app ${app.index}     ${app.url}   pid ${app.pid}   log ${rel(app.log)}`);
  for (const worker of stack.workers)
    console.log(`  worker ${worker.index}  pid ${worker.pid}   log ${rel(worker.log)}`);
  console.log(`  database  ${stack.databaseUrl}`);
  console.log(`  redis     ${stack.redisUrl} (queue prefix ${stack.queuePrefix})`);
  console.log(
    `  s3        ${stack.s3.endpoint} bucket ${stack.s3.bucket} (path style, key ${stack.s3.credentials.accessKeyId})`,
  );
  console.log(`  state     ${rel(stack.stateFile)}`);
  const envFile = path.join(path.dirname(stack.stateFile), stack.name, "stack.env");
  console.log(`\nA user and an API token on this stack:`);
  console.log(
    `  (set -a; . ${rel(envFile)}; set +a; npm run admin -- create-user --email you@example.com --password 'a long password' --plan Enterprise)`,
  );
  console.log(`  (set -a; . ${rel(envFile)}; set +a; npm run admin -- create-token --email you@example.com)`);
  console.log(`\nStop it: npx tsx tests/infra/stack/cli.ts down${name === "local" ? "" : ` --name ${name}`}`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) {
      console.error(`${(error as Error).message}\n\n${USAGE}`);
      process.exit(2);
    }
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
