/**
 * The production app for the HTTP benchmarks: a fresh database on the local PostgreSQL and
 * `next start` bound to 127.0.0.1 in its own process group.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createScratchDatabase, DEFAULT_TEST_POSTGRES_URL, type ScratchDatabase } from "../tests/infra/scratch-db";
import { freePort, inheritedEnv } from "../tests/infra/stack/processes";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const NEXT = path.join(ROOT, "node_modules/.bin/next");

/** Every variable the app reads is set here: nothing from the caller's shell (S3, PUBLIC_URL, limits, Redis) leaks in. */
export function appEnv(databaseUrl: string, scratch: string): Record<string, string> {
  return {
    ...inheritedEnv(),
    NEXT_TELEMETRY_DISABLED: "1",
    DATABASE_URL: databaseUrl,
    AUTH_SECRET: randomBytes(36).toString("base64url"),
    LINK_SIGNING_KEY: randomBytes(36).toString("base64url"),
    DATA_DIR: path.join(scratch, "data"),
    MEDIA_DIR: path.join(scratch, "media"),
    STORAGE: "disk",
  };
}

/**
 * Creates tih_bench_<ms>_<pid> on the local PostgreSQL (always 127.0.0.1, whatever TEST_POSTGRES_URL
 * says); the caller drops it.
 */
export async function createBenchDatabase(): Promise<ScratchDatabase> {
  try {
    return await createScratchDatabase("tih_bench", { serverUrl: DEFAULT_TEST_POSTGRES_URL });
  } catch (error) {
    throw new Error(
      `${(error as Error).message} (is the local PostgreSQL running, and does user postgres connect without a password?)`,
      { cause: error },
    );
  }
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

export type Server = { origin: string; pid: number; output: () => string; stop: () => Promise<void> };

/** `next start` in its own process group, so stop() ends the whole tree (and so does exiting this process). */
export async function startServer(env: Record<string, string>): Promise<Server> {
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const child = spawn(NEXT, ["start", "--port", String(port), "--hostname", "127.0.0.1"], {
    cwd: ROOT,
    // Production (DATABASE_URL) refuses to start without PUBLIC_URL or TRUST_PROXY.
    env: { ...env, NODE_ENV: "production", PUBLIC_URL: origin },
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error("could not spawn next start");
  const output = collect(child);
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
  const killGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-pid, signal);
    } catch {
      // ESRCH: the group is already gone.
    }
  };
  const lastResort = () => killGroup("SIGKILL");
  process.on("exit", lastResort);

  const stop = async () => {
    killGroup("SIGTERM");
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
    killGroup("SIGKILL");
    process.off("exit", lastResort);
  };

  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`next start exited early:\n${output()}`);
    const ready = await fetch(`${origin}/api/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) return { origin, pid, output, stop };
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`next start did not answer within 60 s:\n${output()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** The process and its descendants, from /proc. */
export function processTree(root: number): { pid: number; name: string }[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // exited while we looked
    }
  }
  const tree: { pid: number; name: string }[] = [];
  const visit = (pid: number) => {
    try {
      tree.push({ pid, name: readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ").trim() });
    } catch {
      return;
    }
    for (const child of children.get(pid) ?? []) visit(child);
  };
  visit(root);
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
