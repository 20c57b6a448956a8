import path from "node:path";
import { fileURLToPath } from "node:url";
import { drizzle } from "drizzle-orm/postgres-js";
import { migrate } from "drizzle-orm/postgres-js/migrator";
import postgres from "postgres";
import { BUILTIN_PLANS } from "@/lib/plans/builtin";
import { plans } from "./schema";

const migrationsFolder = path.join(path.dirname(fileURLToPath(import.meta.url)), "migrations");

/** Any constant shared by every process of this app: serialises concurrent migrators. */
const MIGRATION_LOCK = 7_243_001;

/**
 * Applies pending migrations, then makes sure the built-in plans exist (never overwriting staff
 * edits). Processes starting together (app, CLI, workers) take turns on an advisory lock, held on
 * this function's own single connection, so each migration runs once.
 */
export async function migrateAndSeed(url: string): Promise<void> {
  const connection = postgres(url, { max: 1, prepare: false, onnotice: () => {} });
  try {
    await connection`select pg_advisory_lock(${MIGRATION_LOCK})`;
    const db = drizzle(connection);
    await migrate(db, { migrationsFolder });
    await db
      .insert(plans)
      .values(BUILTIN_PLANS.map((p) => ({ ...p, heights: [...p.heights] })))
      .onConflictDoNothing();
    await connection`select pg_advisory_unlock(${MIGRATION_LOCK})`;
  } finally {
    await connection.end({ timeout: 5 });
  }
}
