/**
 * The production app for the HTTP benchmarks: its environment (a throw-away database on the local
 * PostgreSQL, or the embedded default on a fresh DATA_DIR), `next start` or `npm start` in its own
 * process group, a bench user with a token, and what /proc says about the server's process tree
 * (resident memory, CPU time).
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { closeDb } from "@/db/client";
import { createApiToken } from "@/lib/accounts/api-tokens";
import { createUser } from "@/lib/accounts/users";
import { env, resetEnvForTests } from "@/lib/env";
import { createPlan } from "@/lib/plans/create-plan";
import { prepareDatabase } from "../scripts/db";
import { commandLine, processTree, type TreeProcess } from "../tests/infra/process-tree";
import { createScratchDatabase, DEFAULT_TEST_POSTGRES_URL, type ScratchDatabase } from "../tests/infra/scratch-db";
import { ensureBuild, freePort, groupMembers, inheritedEnv, sleep, stopGroup } from "../tests/infra/stack/processes";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const NEXT = path.join(ROOT, "node_modules/.bin/next");

/** 8660×5773 (the 50-megapixel upload) is just within it. */
export const MAX_IMAGE_PIXELS = 50_000_000;
/** The default: the build's proxy body limit follows MAX_UPLOAD_BYTES at build time (next.config.mjs). */
const MAX_UPLOAD_BYTES = 25 * 1024 * 1024;

/** Undone in reverse order at the end, on a crash, or on Ctrl-C. */
const cleanups: (() => Promise<void>)[] = [];

export function atCleanup(undo: () => Promise<void>): void {
  cleanups.push(undo);
}

export async function cleanUp(): Promise<void> {
  for (let undo = cleanups.pop(); undo; undo = cleanups.pop()) {
    await undo().catch((error) => console.error("cleanup step failed:", error));
  }
}

/** Every variable the app reads is set here: nothing from the caller's shell (S3, PUBLIC_URL, limits, Redis) leaks in. */
function baseEnv(dir: string): Record<string, string> {
  return {
    ...inheritedEnv(),
    NEXT_TELEMETRY_DISABLED: "1",
    DATA_DIR: path.join(dir, "data"),
    MEDIA_DIR: path.join(dir, "media"),
    STORAGE: "disk",
    MAX_IMAGE_PIXELS: String(MAX_IMAGE_PIXELS),
    MAX_UPLOAD_BYTES: String(MAX_UPLOAD_BYTES),
  };
}

/** The app on PostgreSQL (production), files under `dir`. */
export function postgresEnv(databaseUrl: string, dir: string): Record<string, string> {
  return {
    ...baseEnv(dir),
    DATABASE_URL: databaseUrl,
    AUTH_SECRET: randomBytes(36).toString("base64url"),
    LINK_SIGNING_KEY: randomBytes(36).toString("base64url"),
  };
}

/** The embedded default (no DATABASE_URL) on a fresh DATA_DIR under `dir`; the app generates its secrets there. */
export function embeddedEnv(dir: string, port: number): Record<string, string> {
  return { ...baseEnv(dir), EMBEDDED_DB_PORT: String(port) };
}

/**
 * Creates tih_bench_<ms>_<pid> on the local PostgreSQL (always 127.0.0.1, whatever TEST_POSTGRES_URL
 * says); dropped at cleanup, or earlier by the caller.
 */
export async function createBenchDatabase(): Promise<ScratchDatabase> {
  let database: ScratchDatabase;
  try {
    database = await createScratchDatabase("tih_bench", { serverUrl: DEFAULT_TEST_POSTGRES_URL });
  } catch (error) {
    throw new Error(
      `${(error as Error).message} (is the local PostgreSQL running, and does user postgres connect without a password?)`,
      { cause: error },
    );
  }
  atCleanup(database.drop);
  return database;
}

function collect(child: ChildProcess, limit = 16_000): () => string {
  let text = "";
  const add = (chunk: Buffer) => {
    text = (text + chunk.toString()).slice(-limit);
  };
  child.stdout?.on("data", add);
  child.stderr?.on("data", add);
  return () => text;
}

export type Server = {
  origin: string;
  /** Also its process group. */
  pid: number;
  /** From spawning to the first 200 from /api/health. */
  startMs: number;
  output: () => string;
  /** The process group and every descendant (one started in a group of its own too). */
  processes: () => TreeProcess[];
  /** Ends the whole tree; safe to call twice. */
  stop: () => Promise<void>;
};

/**
 * The production server in its own process group, so stop() ends the whole tree (and so does
 * exiting this process): `next start` itself, or `npm start` (what a user runs: start-up checks,
 * migrations, on the embedded default the database, then next start). Throws with the server's
 * output if it exits or does not answer /api/health in time; the caller must have a build.
 */
export async function startServer(
  variables: Record<string, string>,
  options: { via?: "next start" | "npm start"; timeoutMs?: number } = {},
): Promise<Server> {
  const via = options.via ?? "next start";
  const timeoutMs = options.timeoutMs ?? 60_000;
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  // Production (DATABASE_URL) refuses to start without PUBLIC_URL or TRUST_PROXY.
  const [command, args, extra]: [string, string[], Record<string, string>] =
    via === "npm start"
      ? ["npm", ["start"], { PORT: String(port) }]
      : [NEXT, ["start", "--port", String(port), "--hostname", "127.0.0.1"], { NODE_ENV: "production" }];
  const childEnv: Record<string, string> = { ...variables, ...extra, PUBLIC_URL: origin };
  const started = performance.now();
  const child = spawn(command, args, {
    cwd: ROOT,
    env: childEnv as NodeJS.ProcessEnv,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not spawn ${via}`);
  const output = collect(child);
  const processes = () => serverProcesses(pid);
  const lastResort = () => {
    try {
      process.kill(-pid, "SIGKILL");
    } catch {
      // ESRCH: the group is already gone.
    }
  };
  process.on("exit", lastResort);
  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      const outside = processes().filter((p) => !groupMembers(pid).includes(p.pid));
      await stopGroup(pid, { graceMs: 10_000 });
      for (const stray of outside) killQuietly(stray.pid);
      process.off("exit", lastResort);
    })());

  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      await stop();
      throw new Error(`${via} exited early (${child.signalCode ?? child.exitCode}):\n${output()}`);
    }
    const ready = await fetch(`${origin}/api/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) return { origin, pid, startMs: performance.now() - started, output, processes, stop };
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${via} did not answer /api/health within ${timeoutMs / 1000} s:\n${output()}`);
    }
    await sleep(100);
  }
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    // gone already
  }
}

/** Descendants of the group leader plus any member of its group they do not include (a reparented daemon). */
function serverProcesses(leader: number): TreeProcess[] {
  const tree = processTree(leader);
  for (const pid of groupMembers(leader)) {
    const name = tree.some((p) => p.pid === pid) ? null : commandLine(pid);
    if (name !== null) tree.push({ pid, name });
  }
  return tree;
}

/** Summed resident set size of the given processes, in bytes. */
export function rssBytes(pids: readonly number[]): number {
  let kb = 0;
  for (const pid of pids) {
    try {
      kb += Number(/^VmRSS:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0);
    } catch {
      // exited
    }
  }
  return kb * 1024;
}

/**
 * The machine's CPU time so far, from /proc/stat: `busy` (user, nice, system, irq, softirq) and
 * `steal` (taken by the hypervisor for other guests), in clock ticks. A figure of several clients
 * needs every core; steal says when the machine did not have them all to give.
 */
export function machineTicks(): { busy: number; steal: number; total: number } {
  const fields = (readFileSync("/proc/stat", "utf8").split("\n")[0] ?? "").trim().split(/\s+/).slice(1).map(Number);
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = fields;
  const busy = user + nice + system + irq + softirq;
  return { busy, steal, total: busy + idle + iowait + steal };
}

let clockTicks: number | undefined;

/**
 * CPU time (user + system) the given processes have used, in ms, counting children they have
 * already reaped (cutime, cstime) and not children still running (those are in the list).
 */
export function cpuMs(pids: readonly number[]): number {
  clockTicks ??= Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
  let ticks = 0;
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      // Fields from the state on (field 3): utime, stime, cutime and cstime are fields 14–17.
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      for (const i of [11, 12, 13, 14]) ticks += Number(fields[i] ?? 0);
    } catch {
      // exited
    }
  }
  return (ticks * 1000) / clockTicks;
}

/**
 * Points this process's env() and getDb(), which createUser, createPlan and the list's seeding use,
 * at an app's database. The validated environment is cached per process, hence the reset.
 */
export async function useAppDatabase(variables: Record<string, string>): Promise<void> {
  await closeDb();
  for (const key of ["DATABASE_URL", "EMBEDDED_DB_PORT", "AUTH_SECRET", "LINK_SIGNING_KEY"]) delete process.env[key];
  Object.assign(process.env, variables);
  resetEnvForTests();
}

export type App = {
  label: string;
  origin: string;
  token: string;
  userId: string;
  /** The server's environment, for starting it again another way. */
  env: Record<string, string>;
  server: Server;
};

/** Enterprise's entitlements with no quota and no rate limits (0), so the limits never distort a figure. */
async function createBenchAccount(): Promise<{ token: string; userId: string }> {
  const plan = await createPlan({
    name: "Bench",
    heights: [200, 400],
    originalLink: true,
    expiringLinks: true,
    maxUploadBytes: MAX_UPLOAD_BYTES,
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
  return { token, userId: user.id };
}

export async function ensureProductionBuild(scratch: string): Promise<void> {
  await ensureBuild(ROOT, (line) => console.log(line), path.join(scratch, "next-build.log"));
}

/** Fresh database migrated from here, bench user and token, `next start`. */
export async function startPostgresApp(scratch: string): Promise<App> {
  const database = await createBenchDatabase();
  const variables = postgresEnv(database.url, path.join(scratch, "postgres"));
  await useAppDatabase(variables);
  const prepared = await prepareDatabase(env());
  atCleanup(async () => {
    await closeDb();
    await prepared.close();
  });
  const account = await createBenchAccount();
  await ensureProductionBuild(scratch);
  const server = await startServer(variables);
  atCleanup(server.stop);
  console.log(`App on PostgreSQL: next start on ${server.origin} (pid ${server.pid}), database ${database.name}\n`);
  return { label: "PostgreSQL", ...account, origin: server.origin, env: variables, server };
}

/**
 * `npm start` on the embedded default with a fresh DATA_DIR (it makes and migrates the database),
 * then the bench user and token through the URL the app's own processes use (env().databaseUrl).
 */
export async function startEmbeddedApp(scratch: string): Promise<App> {
  const variables = embeddedEnv(path.join(scratch, "embedded"), await freePort());
  await ensureProductionBuild(scratch);
  const server = await startServer(variables, { via: "npm start", timeoutMs: 120_000 });
  atCleanup(server.stop);
  await useAppDatabase(variables);
  // Runs before the server stops: a PostgreSQL server shuts down only once its clients have gone.
  atCleanup(closeDb);
  const account = await createBenchAccount();
  console.log(
    `App on the embedded default: npm start on ${server.origin} (pid ${server.pid}), ${variables.DATA_DIR}\n`,
  );
  return { label: "embedded default", ...account, origin: server.origin, env: variables, server };
}
