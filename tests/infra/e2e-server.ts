/**
 * The server the browser tests run against: a fresh PostgreSQL database (on DATABASE_URL's server if set),
 * the production build, fresh media and secrets, a staff user made with the admin CLI, then
 * `next start`. Thumbnails are made in-process (no REDIS_URL), as on the embedded default.
 * Stops everything, and drops the database it made, on SIGTERM.
 */
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { migrateAndSeed } from "@/db/migrate";
import { E2E } from "@/e2e/config";
import { createScratchDatabase } from "./scratch-db";

// Its own database, on DATABASE_URL's server when one is given (CI), so the browser sees only what
// the browser tests made, not the hundreds of users the API suite left in DATABASE_URL. One name per
// port (tih_e2e_<port>), recreated at every start: a killed run leaves nothing behind for long.
const scratch = await createScratchDatabase("tih_e2e", {
  key: String(E2E.port),
  ...(process.env.DATABASE_URL ? { serverUrl: process.env.DATABASE_URL } : {}),
});
const databaseUrl = scratch.url;
await migrateAndSeed(databaseUrl);

const dataDir = mkdtempSync(path.join(tmpdir(), "tih-e2e-"));
const env: NodeJS.ProcessEnv = {
  ...process.env,
  NODE_ENV: "production",
  NEXT_TELEMETRY_DISABLED: "1",
  DATABASE_URL: databaseUrl,
  DATA_DIR: dataDir,
  MEDIA_DIR: path.join(dataDir, "media"),
  STORAGE: "disk",
  AUTH_SECRET: randomBytes(48).toString("base64url"),
  LINK_SIGNING_KEY: randomBytes(48).toString("base64url"),
  MAX_UPLOAD_BYTES: String(E2E.maxUploadBytes),
  // Production (DATABASE_URL) refuses to start without PUBLIC_URL or TRUST_PROXY.
  PUBLIC_URL: E2E.baseUrl,
  REDIS_URL: "",
  LOG_LEVEL: process.env.LOG_LEVEL ?? "warn",
  AUTH_URL: E2E.baseUrl,
  PORT: String(E2E.port),
};

const cli = spawnSync(
  "node_modules/.bin/tsx",
  ["scripts/admin.ts", "create-user", "--email", E2E.staff.email, "--password", E2E.staff.password, "--staff"],
  { env, stdio: "inherit" },
);
if (cli.status !== 0) throw new Error("could not create the staff user");

// `npm test` builds first; a bare `playwright test` builds if there is no build yet.
if (!existsSync(".next/BUILD_ID")) {
  const build = spawnSync("node_modules/.bin/next", ["build"], { env, stdio: "inherit" });
  if (build.status !== 0) throw new Error("next build failed");
}

const next = spawn("node_modules/.bin/next", ["start", "--port", String(E2E.port), "--hostname", "127.0.0.1"], {
  env,
  stdio: "inherit",
});

let stopping = false;
async function stop(code: number) {
  if (stopping) return;
  stopping = true;
  next.kill("SIGTERM");
  rmSync(dataDir, { recursive: true, force: true });
  await scratch.drop().catch(() => {});
  process.exit(code);
}
process.on("SIGTERM", () => void stop(0));
process.on("SIGINT", () => void stop(0));
next.on("exit", (code) => void stop(code ?? 1));
