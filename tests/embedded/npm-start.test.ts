import { spawn } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { processTree } from "../infra/process-tree";
import { ensureBuild, freePort, inheritedEnv, sleep } from "../infra/stack/processes";

/**
 * README's `npm start` on the embedded default with an empty DATA_DIR, as a user runs it: the
 * server makes, migrates and serves its own PostgreSQL, only npm waits beside it (no TypeScript
 * loader, no shell), and SIGTERM to npm stops the server and its database, leaving the directory
 * free. Needs a production build (made first if missing).
 */

const ROOT = path.resolve(import.meta.dirname, "../..");

let dataDir: string;
/** npm's pid, also its process group, while it may run. */
let npmPid: number | undefined;

/** Running, not gone and not a zombie waiting to be reaped. */
function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}

function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once("error", () => resolve(false));
    probe.listen(port, "127.0.0.1", () => probe.close(() => resolve(true)));
  });
}

beforeAll(async () => {
  await ensureBuild(ROOT, (line) => console.log(line), path.join(tmpdir(), "tih-npm-start-build.log"));
  dataDir = mkdtempSync(path.join(tmpdir(), "tih-npm-start-"));
  chmodSync(dataDir, 0o755); // as root, PostgreSQL runs as the user postgres, which must enter it
});

afterAll(() => {
  // Only after a failure is anything of the tree left.
  if (npmPid !== undefined) {
    try {
      process.kill(-npmPid, "SIGKILL");
    } catch {
      // the group is gone
    }
  }
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe("npm start on the embedded default", () => {
  it("comes up on an empty DATA_DIR with only npm beside the server, and SIGTERM stops the server and its PostgreSQL", async () => {
    const port = await freePort();
    const dbPort = await freePort();
    const pgDir = path.join(dataDir, "postgres");
    // Empty strings are "unset" to lib/env and keep a developer's .env from choosing PostgreSQL.
    const env: Record<string, string> = {
      ...inheritedEnv(),
      NEXT_TELEMETRY_DISABLED: "1",
      DATA_DIR: dataDir,
      EMBEDDED_DB_PORT: String(dbPort),
      PORT: String(port),
      DATABASE_URL: "",
      AUTH_SECRET: "",
      LINK_SIGNING_KEY: "",
      REDIS_URL: "",
      STORAGE: "disk",
    };
    // Its own process group: afterAll can end whatever a failure leaves behind.
    const child = spawn("npm", ["start"], {
      cwd: ROOT,
      env: env as NodeJS.ProcessEnv,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const pid = child.pid as number;
    npmPid = pid;
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));

    const origin = `http://127.0.0.1:${port}`;
    let healthy = false;
    for (let i = 0; i < 900 && !healthy && child.exitCode === null; i++) {
      healthy = await fetch(`${origin}/api/health`).then(
        (r) => r.status === 200,
        () => false,
      );
      if (!healthy) await sleep(100);
    }
    expect(healthy, output).toBe(true);
    const openapi = await fetch(`${origin}/api/v1/openapi.json`);
    expect(openapi.status).toBe(200);
    expect(((await openapi.json()) as { openapi?: string }).openapi).toMatch(/^3\.1/);
    expect(output).toContain("No staff user yet");

    // npm, the server, and the server's PostgreSQL (its postmaster and that one's own processes).
    const tree = processTree(pid);
    const postmaster = tree.find((p) => p.name.includes(`-D ${pgDir}`));
    expect(postmaster, JSON.stringify(tree)).toBeDefined();
    const postgresProcesses = tree.filter((p) => p === postmaster || /^postgres: /.test(p.name));
    const others = tree.filter((p) => !postgresProcesses.includes(p));
    expect(others.map((p) => p.name.split(" ")[0])).toEqual(["npm", "next-server"]);
    expect(tree.filter((p) => /\btsx\b/.test(p.name))).toEqual([]);
    expect(existsSync(path.join(pgDir, "postmaster.pid"))).toBe(true);

    // What a service manager sends: SIGTERM to the process it started.
    process.kill(pid, "SIGTERM");
    await exited;
    for (let i = 0; i < 100 && tree.some((p) => isRunning(p.pid)); i++) await sleep(50);
    expect(tree.filter((p) => isRunning(p.pid))).toEqual([]);
    expect(existsSync(path.join(pgDir, "postmaster.pid"))).toBe(false);
    expect(existsSync(path.join(dataDir, "embedded-db.lock"))).toBe(false);
    expect(await canBind(dbPort)).toBe(true);
    expect(await canBind(port)).toBe(true);
    npmPid = undefined;
  });
});
