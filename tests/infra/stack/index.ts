/**
 * The production topology, natively on one machine: a fresh PostgreSQL database, Redis (under a
 * queue prefix of its own), an S3-compatible server (s3rver) with its bucket, N `next start`
 * app processes and M thumbnail workers (`node --import tsx scripts/worker.ts`), all with STORAGE=s3 and
 * generated secrets. Used by `tsx tests/infra/stack/cli.ts up|down` and by the stack tests.
 *
 * Every child runs in its own process group with its output in data/stack/<name>/logs/. A state
 * file, data/stack/<name>.json, lists what runs (pids, ports, database, queue prefix), so
 * `down` can stop a stack started by another process, or one left behind by a crashed test run.
 *
 * With `faults: true`, apps and workers reach PostgreSQL, S3 and Redis through TCP proxies the
 * caller can cut, blackhole and restore (see ../tcp-proxy.ts).
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Queue } from "bullmq";
import { migrateAndSeed } from "@/db/migrate";
import { THUMBNAIL_QUEUE } from "@/lib/queue/thumbnail-jobs";
import { withTimeout } from "@/lib/timeout";
import { startS3Server, type S3TestServer } from "../s3-server";
import {
  createScratchDatabase,
  databaseUrl as databaseUrlOn,
  dropDatabase,
  scratchDatabaseName,
  testPostgresUrl,
} from "../scratch-db";
import { startTcpProxy, type TcpProxy } from "../tcp-proxy";
import {
  ensureBuild,
  freePort,
  groupMembers,
  inheritedEnv,
  isOurProcess,
  readLog,
  signalGroup,
  sleep,
  spawnLogged,
  type Spawned,
  stopGroup,
  tail,
} from "./processes";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const NEXT = path.join(ROOT, "node_modules/.bin/next");
const BUCKET = "media";
const S3_CREDENTIALS = { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" };
const READY_LINE = '"msg":"worker ready"';

export type StackOptions = {
  /** Letters, digits, - and _ (the database is tih_stack_<name>). Default: a fresh random name. */
  name?: string;
  /** `next start` processes. Default 1. */
  apps?: number;
  /** Worker processes. Default 1; 0 leaves jobs waiting in Redis until startWorker(). */
  workers?: number;
  /** Apps and workers reach PostgreSQL, S3 and Redis through proxies the caller can cut and restore. */
  faults?: boolean;
  /** Children outlive this process (the CLI's `up`); otherwise they are killed when it exits. */
  detached?: boolean;
  /** JOB_LOCK_MS of workers: how soon a killed worker's jobs are taken again. Default: the app's (30 s). */
  jobLockMs?: number;
  /** More variables for apps and workers (WORKER_CONCURRENCY, JOB_ATTEMPTS, MAX_UPLOAD_BYTES…). */
  env?: Record<string, string>;
  /** LOG_LEVEL of the apps. Default "warn". Workers log at "info": their readiness is a log line. */
  appLogLevel?: string;
  /** Server on which tih_stack_<name> is made. Default TEST_POSTGRES_URL or postgres://postgres@127.0.0.1:5432/postgres. */
  postgresUrl?: string;
  /** Default REDIS_URL or redis://127.0.0.1:6379. */
  redisUrl?: string;
  /** Progress lines. Default: none. */
  log?: (line: string) => void;
};

type StackProcess = {
  readonly role: "app" | "worker";
  readonly index: number;
  readonly pid: number;
  readonly log: string;
  /** Apps only. */
  readonly url?: string;
  readonly port?: number;
  alive(): boolean;
};

type Proxies = { db: TcpProxy; s3: TcpProxy; redis: TcpProxy };

type StackState = {
  name: string;
  createdAt: string;
  root: string;
  dir: string;
  detached: boolean;
  postgresUrl: string;
  databaseName: string;
  databaseUrl: string;
  redisUrl: string;
  queuePrefix: string;
  s3: { endpoint: string; port: number; bucket: string; directory: string; pid: number };
  apps: { pid: number; port: number; url: string; log: string }[];
  workers: { pid: number; log: string }[];
  envFile: string;
};

export type Stack = {
  readonly name: string;
  readonly appUrls: string[];
  readonly apps: StackProcess[];
  /** Every worker ever started, in start order (killed ones stay, with alive() false). */
  readonly workers: StackProcess[];
  /** The S3 server itself (not the fault proxy): for the caller's own listings and checks. */
  readonly s3: {
    endpoint: string;
    bucket: string;
    region: string;
    forcePathStyle: true;
    credentials: { accessKeyId: string; secretAccessKey: string };
  };
  /** Direct URL of the stack's database (not through the fault proxy). */
  readonly databaseUrl: string;
  readonly databaseName: string;
  readonly redisUrl: string;
  readonly queuePrefix: string;
  /** The environment apps and workers get (through the proxies with `faults`). */
  readonly env: Readonly<Record<string, string>>;
  /** With `faults: true`. */
  readonly proxies: Proxies | undefined;
  readonly stateFile: string;
  /** Stops every process, drops the database, removes the queue's keys and the stack's files. Safe to call twice. */
  stop(): Promise<void>;
  /** Sends `signal` to worker i's process group and waits until it is gone (SIGKILL after 30 s). */
  killWorker(index: number, signal?: NodeJS.Signals): Promise<void>;
  /** The same for app i (default SIGKILL: a crash, mid-request). */
  killApp(index: number, signal?: NodeJS.Signals): Promise<void>;
  /** Sends `signal` to worker i's process group without waiting (SIGSTOP / SIGCONT to freeze and thaw it). */
  signalWorker(index: number, signal: NodeJS.Signals): void;
  /** Starts one more worker; resolves with its index once it logged "worker ready". */
  startWorker(): Promise<number>;
  /** Stops the S3 server (its objects are kept). */
  stopS3(): Promise<void>;
  /** Starts the S3 server again on the same port and data directory. */
  startS3(): Promise<void>;
  /** The last lines each process logged: print them when a test fails. */
  logs(lines?: number): string;
};

// ---- last-resort cleanup: children of a non-detached stack die with this process ----

const liveGroups = new Set<number>();
let exitHooked = false;

function killAllNow(): void {
  for (const pgid of liveGroups) signalGroup(pgid, "SIGKILL");
  liveGroups.clear();
}

function hookExit(): void {
  if (exitHooked) return;
  exitHooked = true;
  process.on("exit", killAllNow);
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    const handler = () => {
      killAllNow();
      // Alone on this signal: keep its default meaning (terminate) rather than swallowing it.
      if (process.listenerCount(signal) === 1) {
        process.off(signal, handler);
        process.kill(process.pid, signal);
      }
    };
    process.on(signal, handler);
  }
}

// ---- names, files ----

function stackDir(name: string): string {
  return path.join(ROOT, "data/stack", name);
}

function stateFileOf(name: string): string {
  return path.join(ROOT, "data/stack", `${name}.json`);
}

function checkName(name: string): string {
  if (!/^[a-z0-9][a-z0-9_-]{0,39}$/i.test(name))
    throw new Error(
      `Stack name ${JSON.stringify(name)}: use 1–40 letters, digits, - and _ (starting with a letter or digit).`,
    );
  return name;
}

/** The stack's scratch database is tih_stack_<key>: one per stack name, recreated at every start. */
const DATABASE_PREFIX = "tih_stack";
const databaseKeyOf = (name: string) => name.toLowerCase().replaceAll("-", "_");

function writeState(state: StackState): void {
  mkdirSync(path.dirname(stateFileOf(state.name)), { recursive: true });
  const file = stateFileOf(state.name);
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, JSON.stringify(state, null, 2) + "\n", { mode: 0o600 });
  renameSync(temp, file);
}

function readState(name: string): StackState | null {
  try {
    return JSON.parse(readFileSync(stateFileOf(checkName(name)), "utf8")) as StackState;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
}

/** Removes every key of the stack's queue: BullMQ's obliterate, then anything else under the prefix. */
async function removeQueueKeys(redisUrl: string, prefix: string): Promise<void> {
  const queue = new Queue(THUMBNAIL_QUEUE, {
    connection: { url: redisUrl, maxRetriesPerRequest: 1, connectTimeout: 5000 },
    prefix,
  });
  try {
    await withTimeout(
      (async () => {
        await queue.obliterate({ force: true });
        // A single Redis here (not a cluster): SCAN walks every key under the prefix.
        const client = (await queue.client) as unknown as {
          scan(...args: (string | number)[]): Promise<[string, string[]]>;
          del(...keys: string[]): Promise<number>;
        };
        let cursor = "0";
        do {
          const [next, keys] = await client.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 500);
          cursor = next;
          if (keys.length) await client.del(...keys);
        } while (cursor !== "0");
      })(),
      20_000,
      "removing the queue's keys",
    );
  } finally {
    await queue.close().catch(() => {});
  }
}

/** Stops a process group recorded in a state file, unless its pid now belongs to someone else. */
async function stopRecorded(pid: number, hint: string): Promise<void> {
  if (groupMembers(pid).length) {
    if (!isOurProcess(pid, hint) && existsSync(`/proc/${pid}`)) return; // pid reused by an unrelated process
    await stopGroup(pid);
  } else if (isOurProcess(pid, hint)) {
    // Not a group leader (an s3rver tied to the process that started it): signal it alone.
    try {
      process.kill(pid, "SIGTERM");
    } catch {
      return;
    }
    for (let i = 0; i < 50 && isOurProcess(pid, hint); i++) await sleep(100);
    if (isOurProcess(pid, hint)) process.kill(pid, "SIGKILL");
  }
}

/**
 * Stops everything a state file lists, drops the database, removes the queue's keys and the
 * stack's directory (logs, S3 data), then the state file. Each step runs even if one fails.
 */
async function tearDownState(state: StackState, log: (line: string) => void = () => {}): Promise<void> {
  const errors: unknown[] = [];
  const step = async (what: string, fn: () => Promise<unknown>) => {
    try {
      await fn();
    } catch (error) {
      errors.push(error);
      log(`could not ${what}: ${(error as Error).message}`);
    }
  };
  await Promise.all([
    ...state.workers.map((w) => step(`stop worker ${w.pid}`, () => stopRecorded(w.pid, "scripts/worker.ts"))),
    ...state.apps.map((a) => step(`stop app ${a.pid}`, () => stopRecorded(a.pid, "next"))),
  ]);
  if (state.s3.pid) await step("stop s3rver", () => stopRecorded(state.s3.pid, "s3rver"));
  await step("drop the database", () => dropDatabase(state.postgresUrl, state.databaseName));
  await step("remove the queue's keys", () => removeQueueKeys(state.redisUrl, state.queuePrefix));
  await step("remove the stack's files", async () => rmSync(state.dir, { recursive: true, force: true }));
  rmSync(stateFileOf(state.name), { force: true });
  if (errors.length) throw new AggregateError(errors, `stack ${state.name}: teardown incomplete`);
}

/** `down`: tears down the stack named `name`; false if there is no such stack. */
export async function stopStackByName(name: string, log?: (line: string) => void): Promise<boolean> {
  const state = readState(name);
  if (!state) return false;
  await tearDownState(state, log);
  return true;
}

// ---- start ----

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const log = options.log ?? (() => {});
  const name = checkName(options.name ?? `t${Date.now().toString(36)}${randomBytes(3).toString("hex")}`);
  const appCount = options.apps ?? 1;
  const workerCount = options.workers ?? 1;
  if (!Number.isInteger(appCount) || appCount < 1) throw new Error("apps: at least 1");
  if (!Number.isInteger(workerCount) || workerCount < 0) throw new Error("workers: 0 or more");
  const detached = options.detached === true;
  const postgresUrl = options.postgresUrl ?? testPostgresUrl();
  const redisUrl = options.redisUrl ?? process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
  const dir = stackDir(name);
  const logDir = path.join(dir, "logs");

  const previous = readState(name);
  if (previous) {
    const running = [...previous.apps, ...previous.workers].some((p) => groupMembers(p.pid).length > 0);
    if (running)
      throw new Error(
        `Stack ${name} is already up (${stateFileOf(name)}); run: npx tsx tests/infra/stack/cli.ts down --name ${name}`,
      );
    log(`cleaning up what stack ${name} left behind…`);
    await tearDownState(previous, log).catch(() => {});
  }
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(logDir, { recursive: true });

  await ensureBuild(ROOT, log, path.join(logDir, "build.log"));

  const databaseName = scratchDatabaseName(DATABASE_PREFIX, databaseKeyOf(name));
  const databaseUrl = databaseUrlOn(postgresUrl, databaseName);
  const queuePrefix = `tih-stack-${name.toLowerCase()}-${randomBytes(4).toString("hex")}`;
  const state: StackState = {
    name,
    createdAt: new Date().toISOString(),
    root: ROOT,
    dir,
    detached,
    postgresUrl,
    databaseName,
    databaseUrl,
    redisUrl,
    queuePrefix,
    s3: { endpoint: "", port: 0, bucket: BUCKET, directory: path.join(dir, "s3"), pid: 0 },
    apps: [],
    workers: [],
    envFile: path.join(dir, "stack.env"),
  };
  if (!detached) hookExit();
  const apps: StackProcess[] = [];
  const workers: StackProcess[] = [];
  let s3Server: S3TestServer | undefined;
  let proxies: Proxies | undefined;
  let stopping: Promise<void> | undefined;

  const processOf = (
    role: "app" | "worker",
    index: number,
    spawned: Spawned,
    extra: { url?: string; port?: number } = {},
  ): StackProcess => ({
    role,
    index,
    pid: spawned.pid,
    log: spawned.log,
    ...extra,
    alive: () => groupMembers(spawned.pid).length > 0,
  });

  const stop = () => {
    stopping ??= (async () => {
      await tearDownState(state, log).finally(async () => {
        await s3Server?.stop().catch(() => {});
        await proxies?.db.close();
        await proxies?.s3.close();
        await proxies?.redis.close();
        for (const p of [...apps, ...workers]) liveGroups.delete(p.pid);
      });
    })();
    return stopping;
  };

  try {
    log(`database ${databaseName}…`);
    // Dropped by tearDownState (from the state file, so `down` in another process can too).
    await createScratchDatabase(DATABASE_PREFIX, { key: databaseKeyOf(name), serverUrl: postgresUrl });
    writeState(state);
    await migrateAndSeed(databaseUrl);

    log("s3rver…");
    s3Server = await startS3Server({
      bucket: BUCKET,
      directory: state.s3.directory,
      detached,
      logFile: path.join(logDir, "s3rver.log"),
    });
    state.s3 = {
      endpoint: s3Server.endpoint,
      port: s3Server.port,
      bucket: BUCKET,
      directory: s3Server.directory,
      pid: s3Server.pid,
    };
    writeState(state);

    let childDatabaseUrl = databaseUrl;
    let childS3Endpoint = s3Server.endpoint;
    let childRedisUrl = redisUrl;
    if (options.faults) {
      const pg = new URL(postgresUrl);
      const db = await startTcpProxy({ target: { host: pg.hostname || "127.0.0.1", port: Number(pg.port || 5432) } });
      const s3 = await startTcpProxy({ target: { host: "127.0.0.1", port: s3Server.port } });
      const redisTarget = new URL(redisUrl);
      const redis = await startTcpProxy({
        target: { host: redisTarget.hostname || "127.0.0.1", port: Number(redisTarget.port || 6379) },
      });
      proxies = { db, s3, redis };
      const proxied = new URL(databaseUrl);
      proxied.hostname = "127.0.0.1";
      proxied.port = String(db.port);
      childDatabaseUrl = proxied.toString();
      childS3Endpoint = `http://127.0.0.1:${s3.port}`;
      const proxiedRedis = new URL(redisUrl);
      proxiedRedis.hostname = "127.0.0.1";
      proxiedRedis.port = String(redis.port);
      childRedisUrl = proxiedRedis.toString();
    }

    const stackEnv: Record<string, string> = {
      NODE_ENV: "production",
      NEXT_TELEMETRY_DISABLED: "1",
      DATABASE_URL: childDatabaseUrl,
      DATA_DIR: path.join(dir, "data"),
      AUTH_SECRET: randomBytes(48).toString("base64url"),
      LINK_SIGNING_KEY: randomBytes(48).toString("base64url"),
      STORAGE: "s3",
      S3_BUCKET: BUCKET,
      S3_ENDPOINT: childS3Endpoint,
      S3_FORCE_PATH_STYLE: "true",
      S3_REGION: "us-east-1",
      AWS_ACCESS_KEY_ID: S3_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: S3_CREDENTIALS.secretAccessKey,
      AWS_EC2_METADATA_DISABLED: "true",
      REDIS_URL: childRedisUrl,
      QUEUE_PREFIX: queuePrefix,
      ...(options.jobLockMs === undefined ? {} : { JOB_LOCK_MS: String(options.jobLockMs) }),
      // The suites count jobs and files; WebP and AVIF made after each upload would race those
      // counts (tests/queue/worker.test.ts runs them on a worker).
      EAGER_FORMATS: "none",
      ...options.env,
    };
    const env = { ...inheritedEnv(), ...stackEnv };
    // For people: `set -a; . <file>; set +a`, then the admin CLI talks to this stack's database.
    writeFileSync(
      state.envFile,
      Object.entries({ ...stackEnv, DATABASE_URL: databaseUrl, S3_ENDPOINT: s3Server.endpoint, REDIS_URL: redisUrl })
        .map(([k, v]) => `${k}=${v}`)
        .join("\n") + "\n",
      { mode: 0o600 },
    );

    const appLogLevel = options.appLogLevel ?? "warn";
    const startApp = async (index: number): Promise<StackProcess> => {
      const logFile = path.join(logDir, `app-${index}.log`);
      for (let attempt = 1; ; attempt++) {
        const port = await freePort();
        const url = `http://127.0.0.1:${port}`;
        const offset = logSize(logFile);
        const spawned = spawnLogged(NEXT, ["start", "--port", String(port), "--hostname", "127.0.0.1"], {
          cwd: ROOT,
          // Production (DATABASE_URL) refuses to start without PUBLIC_URL or TRUST_PROXY.
          env: { ...env, PORT: String(port), PUBLIC_URL: url, LOG_LEVEL: appLogLevel },
          log: logFile,
        });
        if (!detached) liveGroups.add(spawned.pid);
        const entry = { pid: spawned.pid, port, url, log: logFile };
        state.apps.push(entry);
        writeState(state);
        try {
          await waitAppReady(url, spawned);
          return processOf("app", index, spawned, { url, port });
        } catch (error) {
          const said = readLog(logFile).slice(offset);
          if (attempt < 3 && spawned.exited() && /EADDRINUSE/.test(said)) {
            state.apps.splice(state.apps.indexOf(entry), 1);
            continue; // someone took the port between freePort() and listen
          }
          throw error;
        }
      }
    };

    const startWorkerProcess = async (): Promise<StackProcess> => {
      const index = state.workers.length;
      const logFile = path.join(logDir, `worker-${index}.log`);
      // Workers log at info: "worker ready" is how we know one is ready (their output stays in the file).
      // As `npm run worker` runs it: tsx as a loader. (tsx's CLI relays SIGTERM and SIGKILLs a child
      // that has not answered within 60 ms: a busy worker would lose the jobs it was finishing.)
      const spawned = spawnLogged(process.execPath, ["--import", "tsx", "scripts/worker.ts"], {
        cwd: ROOT,
        env: { ...env, LOG_LEVEL: "info" },
        log: logFile,
      });
      if (!detached) liveGroups.add(spawned.pid);
      state.workers.push({ pid: spawned.pid, log: logFile });
      const worker = processOf("worker", index, spawned);
      workers.push(worker);
      writeState(state);
      await waitWorkerReady(spawned);
      return worker;
    };

    log(`${appCount} app(s), ${workerCount} worker(s)…`);
    // Worker slots are numbered in start order, so they are started one by one (each takes ~2 s).
    const appsStarted = Promise.all(Array.from({ length: appCount }, (_, i) => startApp(i)));
    const workersStarted = (async () => {
      for (let i = 0; i < workerCount; i++) await startWorkerProcess();
    })();
    // Both settle before anything is torn down, so no process starts after a failed start's cleanup.
    const [appsResult, workersResult] = await Promise.allSettled([appsStarted, workersStarted]);
    if (appsResult.status === "rejected") throw appsResult.reason;
    if (workersResult.status === "rejected") throw workersResult.reason;
    apps.push(...appsResult.value);

    const s3 = {
      endpoint: s3Server.endpoint,
      bucket: BUCKET,
      region: "us-east-1",
      forcePathStyle: true as const,
      credentials: { ...S3_CREDENTIALS },
    };
    const handle: Stack = {
      name,
      appUrls: apps.map((a) => a.url as string),
      apps,
      workers,
      s3,
      databaseUrl,
      databaseName,
      redisUrl,
      queuePrefix,
      env,
      proxies,
      stateFile: stateFileOf(name),
      stop,
      async killWorker(index, signal = "SIGKILL") {
        const worker = workers[index];
        if (!worker) throw new Error(`no worker ${index}`);
        signalGroup(worker.pid, signal);
        if (signal !== "SIGKILL") signalGroup(worker.pid, "SIGCONT"); // in case it was frozen
        for (let i = 0; i < 300 && worker.alive(); i++) await sleep(100);
        if (worker.alive()) await stopGroup(worker.pid, { signal: "SIGKILL", graceMs: 0 });
        liveGroups.delete(worker.pid);
      },
      async killApp(index, signal = "SIGKILL") {
        const app = apps[index];
        if (!app) throw new Error(`no app ${index}`);
        signalGroup(app.pid, signal);
        for (let i = 0; i < 300 && app.alive(); i++) await sleep(100);
        if (app.alive()) await stopGroup(app.pid, { signal: "SIGKILL", graceMs: 0 });
        liveGroups.delete(app.pid);
      },
      signalWorker(index, signal) {
        const worker = workers[index];
        if (!worker) throw new Error(`no worker ${index}`);
        signalGroup(worker.pid, signal);
      },
      async startWorker() {
        return (await startWorkerProcess()).index;
      },
      async stopS3() {
        await s3Server?.stop();
        state.s3.pid = 0;
        writeState(state);
      },
      async startS3() {
        s3Server = await startS3Server({
          bucket: BUCKET,
          port: state.s3.port,
          directory: state.s3.directory,
          detached,
          logFile: path.join(logDir, "s3rver.log"),
        });
        state.s3.pid = s3Server.pid;
        writeState(state);
      },
      logs(lines = 60) {
        const files = [...apps.map((a) => a.log), ...workers.map((w) => w.log), path.join(logDir, "s3rver.log")];
        return files
          .map(
            (f) =>
              `----- ${path.relative(ROOT, f)} (last ${lines} lines) -----\n${tail(readLog(f), lines) || "(empty)"}`,
          )
          .join("\n");
      },
    };
    return handle;
  } catch (error) {
    const said = [...state.apps.map((a) => a.log), ...state.workers.map((w) => w.log)]
      .map((f) => `----- ${path.relative(ROOT, f)} -----\n${tail(readLog(f), 40)}`)
      .join("\n");
    await stop().catch(() => {});
    throw new Error(`Stack ${name} did not start: ${(error as Error).message}\n${said}`, { cause: error });
  }
}

function logSize(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

/** Bounded polling of /api/ready until it answers 200. */
async function waitAppReady(url: string, spawned: Spawned): Promise<void> {
  let last = "no answer";
  for (let i = 0; i < 600; i++) {
    if (spawned.exited())
      throw new Error(`app ${url} exited (${spawned.exitCode()}) before it was ready:\n${tail(readLog(spawned.log))}`);
    try {
      const res = await fetch(`${url}/api/ready`, { signal: AbortSignal.timeout(5000) });
      if (res.status === 200) return;
      last = `${res.status} ${await res.text()}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await sleep(200);
  }
  throw new Error(`app ${url} not ready (last answer: ${last}):\n${tail(readLog(spawned.log))}`);
}

/** Bounded polling of the worker's log for its "worker ready" line. */
async function waitWorkerReady(spawned: Spawned): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (readLog(spawned.log).includes(READY_LINE)) return;
    if (spawned.exited())
      throw new Error(
        `worker ${spawned.pid} exited (${spawned.exitCode()}) before it was ready:\n${tail(readLog(spawned.log))}`,
      );
    await sleep(200);
  }
  throw new Error(`worker ${spawned.pid} did not log "worker ready":\n${tail(readLog(spawned.log))}`);
}
