import { existsSync } from "node:fs";
import { connect, type Database } from "@/db/client";
import { EmbeddedStartError, startEmbeddedServer, type EmbeddedServer } from "@/db/embedded";
import { migrateAndSeed } from "@/db/migrate";
import { env, EnvError, type Env } from "@/lib/env";

/** Reads ./.env if present (as Next.js does for the app); variables already set win. */
export function loadDotEnv(): void {
  if (existsSync(".env")) process.loadEnvFile(".env");
}

/** Every entry point starts here: .env, then the validated environment, or exit 1 naming what is wrong. */
export function loadEnvOrExit(): Env {
  loadDotEnv();
  try {
    return env();
  } catch (error) {
    if (!(error instanceof EnvError)) throw error;
    console.error(error.message);
    process.exit(1);
  }
}

/** The embedded server, or exit 1 with its one-line reason when it cannot start as configured. */
async function startEmbedded(e: Env): Promise<EmbeddedServer | null> {
  try {
    return await startEmbeddedServer({ dataDir: e.DATA_DIR, port: e.EMBEDDED_DB_PORT });
  } catch (error) {
    if (!(error instanceof EmbeddedStartError)) throw error;
    console.error(error.message);
    process.exit(1);
  }
}

/**
 * For processes other than the web app (start-up, admin CLI, worker): make sure the database
 * is reachable — on the embedded default, start the embedded PostgreSQL unless another process
 * on DATA_DIR already runs it — and that its schema is up to date.
 */
export async function prepareDatabase(
  e: Env,
): Promise<{ db: Database; close: () => Promise<void>; embedded: EmbeddedServer | null }> {
  // The embedded server's owner migrates before anyone is told it is ready; on DATABASE_URL
  // every process makes sure itself.
  const embedded = e.embedded ? await startEmbedded(e) : null;
  if (!e.embedded) await migrateAndSeed(e.databaseUrl);
  const { db, sql } = connect(e.databaseUrl, { max: 2 });
  return {
    db,
    embedded,
    close: async () => {
      await sql.end({ timeout: 5 });
      await embedded?.stop();
    },
  };
}
