/**
 * `tsx scripts/migrate.ts`: validates the environment, then migrates and seeds PostgreSQL
 * (DATABASE_URL) and exits, for migrating without starting the app (the server migrates as it
 * starts: instrumentation.ts). Concurrent runs (app, workers, CLI) take turns on migrateAndSeed's lock.
 */
import { migrateAndSeed } from "@/db/migrate";
import { loadEnvOrExit } from "./db";

async function main(): Promise<number> {
  const e = loadEnvOrExit();
  if (e.embedded) {
    // The embedded database migrates in the process that runs it (npm start, a worker, the CLI).
    console.error(
      "DATABASE_URL is not set: this script migrates PostgreSQL only (the embedded database migrates itself in npm start).",
    );
    return 1;
  }
  await migrateAndSeed(e.databaseUrl);
  console.log("Database migrated and seeded.");
  return 0;
}

process.exitCode = await main();
