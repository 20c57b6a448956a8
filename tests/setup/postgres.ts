import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { startEmbeddedServer, type EmbeddedServer } from "@/db/embedded";
import { migrateAndSeed } from "@/db/migrate";
import { createScratchDatabase, type ScratchDatabase } from "../infra/scratch-db";
import { freePort } from "../infra/stack/processes";

declare module "vitest" {
  export interface ProvidedContext {
    databaseUrl: string;
  }
}

/**
 * API tests run against a real PostgreSQL server. CI passes DATABASE_URL pointing at a fresh
 * database; otherwise one is created here on the local server (TEST_POSTGRES_URL) and dropped afterwards.
 * TEST_DATABASE=embedded runs them on the embedded default's server instead (db/embedded.ts, in a
 * temporary DATA_DIR on a free port), removed afterwards.
 */
export default async function setup(project: TestProject) {
  let url = process.env.DATABASE_URL;
  let scratch: ScratchDatabase | undefined;
  let embedded: { server: EmbeddedServer; dataDir: string } | undefined;
  if (process.env.TEST_DATABASE === "embedded") {
    const dataDir = mkdtempSync(path.join(tmpdir(), "tih-api-embedded-"));
    chmodSync(dataDir, 0o755); // as root, PostgreSQL runs as the system user postgres, which must enter it
    const server = await startEmbeddedServer({ dataDir, port: await freePort() });
    if (!server) throw new Error(`${dataDir} is new: this process must own its server`);
    embedded = { server, dataDir };
    url = server.url;
  } else if (!url) {
    scratch = await createScratchDatabase("tih_test");
    url = scratch.url;
  }
  await migrateAndSeed(url);
  project.provide("databaseUrl", url);
  return async () => {
    await scratch?.drop();
    await embedded?.server.stop();
    if (embedded) rmSync(embedded.dataDir, { recursive: true, force: true });
  };
}
