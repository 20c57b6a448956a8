/**
 * Child processes of a stack: each in its own process group (so a signal reaches `tsx`'s node
 * child or anything `next start` spawns), output appended to a log file (so a detached child
 * outlives the CLI that started it, and a failing test can print what each process said).
 */
import { spawn } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, statSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export type Spawned = {
  pid: number;
  log: string;
  exited: () => boolean;
  exitCode: () => number | string | null;
  onExit: Promise<void>;
};

/** Starts `command` as a process-group leader, stdout and stderr appended to `log`. */
export function spawnLogged(
  command: string,
  args: string[],
  options: { cwd: string; env: Record<string, string>; log: string },
): Spawned {
  mkdirSync(path.dirname(options.log), { recursive: true });
  const fd = openSync(options.log, "a");
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env as NodeJS.ProcessEnv,
    stdio: ["ignore", fd, fd],
    detached: true,
  });
  closeSync(fd);
  if (child.pid === undefined) throw new Error(`could not spawn ${command}`);
  let code: number | string | null = null;
  let done = false;
  const onExit = new Promise<void>((resolve) => {
    child.once("exit", (exitCode, signal) => {
      done = true;
      code = signal ?? exitCode;
      resolve();
    });
    child.once("error", (error) => {
      done = true;
      code = error.message;
      resolve();
    });
  });
  // The stack, not this handle, decides when children end (and a CLI `up` exits while they run).
  child.unref();
  return { pid: child.pid, log: options.log, exited: () => done, exitCode: () => code, onExit };
}

/** Pids whose process group is `pgid` (from /proc). */
export function groupMembers(pgid: number): number[] {
  const members: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      // Fields after the command name: state ppid pgrp …; a process being reaped (Z) no longer counts.
      const [state, , pgrp] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(pgrp) === pgid && state !== "Z") members.push(Number(entry));
    } catch {
      // exited while we looked
    }
  }
  return members;
}

export function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // ESRCH: the group is gone already.
  }
}

/** SIGTERM to the group, SIGKILL after `graceMs` if any member is left; resolves when none is. */
export async function stopGroup(
  pgid: number,
  options: { graceMs?: number; signal?: NodeJS.Signals } = {},
): Promise<void> {
  const graceMs = options.graceMs ?? 10_000;
  signalGroup(pgid, options.signal ?? "SIGTERM");
  signalGroup(pgid, "SIGCONT"); // a stopped (SIGSTOP) process only acts on SIGTERM once continued
  for (let waited = 0; groupMembers(pgid).length > 0; waited += 100) {
    if (waited >= graceMs) {
      signalGroup(pgid, "SIGKILL");
      for (let i = 0; i < 50 && groupMembers(pgid).length > 0; i++) await sleep(100);
      return;
    }
    await sleep(100);
  }
}

/** A port free on 127.0.0.1 right now (the caller retries if someone takes it first). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}

export function readLog(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return "";
  }
}

export function tail(text: string, lines = 40): string {
  return text.trimEnd().split("\n").slice(-lines).join("\n");
}

/** Variables of the caller that must not reach the app processes a script starts (they get their own). */
const NOT_INHERITED =
  /^(DATABASE_URL|DATA_DIR|MEDIA_DIR|EMBEDDED_DB_PORT|STORAGE|S3_|AWS_|PUBLIC_URL|MAX_|AUTH_|LINK_SIGNING_KEY|NODE_ENV|PORT|REDIS_URL|QUEUE_PREFIX|WORKER_CONCURRENCY|JOB_|LOG_LEVEL|NEXT_OUTPUT|TEST_|VITEST|__VITEST)/;

export function inheritedEnv(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined && !NOT_INHERITED.test(e[0])),
  );
}

/** Makes sure a production build exists: runs `next build` only if `.next/BUILD_ID` is missing. */
export async function ensureBuild(root: string, log: (line: string) => void, buildLog: string): Promise<void> {
  const buildId = path.join(root, ".next/BUILD_ID");
  if (existsSync(buildId) && statSync(buildId).size > 0) return;
  log("no production build (.next/BUILD_ID missing): running next build (about 80 s)…");
  mkdirSync(path.dirname(buildLog), { recursive: true });
  const fd = openSync(buildLog, "a");
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1" };
  delete env.NEXT_OUTPUT;
  const result = await new Promise<number | null>((resolve) => {
    const child = spawn(path.join(root, "node_modules/.bin/next"), ["build"], {
      cwd: root,
      env,
      stdio: ["ignore", fd, fd],
    });
    const kill = () => child.kill("SIGKILL");
    process.once("exit", kill);
    child.once("exit", (code) => {
      process.off("exit", kill);
      resolve(code);
    });
  });
  closeSync(fd);
  if (result !== 0 || !existsSync(buildId))
    throw new Error(`next build failed (exit ${result}):\n${tail(readLog(buildLog), 60)}`);
}

/** True if `pid` runs and its command line contains `hint` (guards against pid reuse). */
export function isOurProcess(pid: number, hint: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ").includes(hint);
  } catch {
    return false;
  }
}
