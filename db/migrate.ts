import path from "node:path";
import { fileURLToPath } from "node:url";
import { migrate } from "drizzle-orm/postgres-js/migrator";
import { BUILTIN_PLANS } from "@/lib/plans/builtin";
import type { Database } from "./client";
import { plans } from "./schema";

const migrationsFolder = path.join(path.dirname(fileURLToPath(import.meta.url)), "migrations");

/** Applies pending migrations, then makes sure the built-in plans exist (never overwriting staff edits). */
export async function migrateAndSeed(db: Database): Promise<void> {
  await migrate(db, { migrationsFolder });
  await db
    .insert(plans)
    .values(BUILTIN_PLANS.map((p) => ({ ...p, heights: [...p.heights] })))
    .onConflictDoNothing({ target: plans.name });
}
