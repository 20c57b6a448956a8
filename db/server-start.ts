import { count, eq } from "drizzle-orm";
import type { Env } from "@/lib/env";
import { connect } from "./client";
import { startEmbeddedServer, stopWhenProcessExits } from "./embedded";
import { migrateAndSeed } from "./migrate";
import { users } from "./schema";

/**
 * The web server's start-up work, done in the server process itself (instrumentation.ts) so no
 * wrapper process stays behind to hold it. On PostgreSQL (DATABASE_URL): migrate and seed. On the
 * embedded default: run PostgreSQL on DATA_DIR as this process's child (migrated and seeded), stopped
 * when this process exits, unless another process on DATA_DIR (a worker, the CLI) serves it already.
 * Then, while there is no staff user, say how to make one. Throws an EmbeddedStartError with its
 * one-line reason when the embedded server cannot start as configured.
 */
export async function prepareServerDatabase(e: Env): Promise<void> {
  if (e.embedded) {
    const server = await startEmbeddedServer({ dataDir: e.DATA_DIR, port: e.EMBEDDED_DB_PORT });
    if (server) stopWhenProcessExits(e.DATA_DIR);
    console.log(
      `Embedded PostgreSQL in ${e.DATA_DIR}/postgres, served on 127.0.0.1:${e.EMBEDDED_DB_PORT}${server ? "" : " by another process on that directory"}.`,
    );
  } else {
    await migrateAndSeed(e.databaseUrl);
  }

  // Its own connection, closed again: the app's pool opens when the first request needs it.
  const { db, sql } = connect(e.databaseUrl, { max: 1 });
  try {
    const [staff] = await db.select({ n: count() }).from(users).where(eq(users.isStaff, true));
    if (!staff?.n) {
      console.log(
        "No staff user yet. Create one (works while the app runs):\n  npm run admin -- create-user --email you@example.com --password 'a long password' --staff",
      );
    }
  } finally {
    await sql.end({ timeout: 5 });
  }
}
