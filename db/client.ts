import { drizzle, type PostgresJsDatabase } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { env } from "@/lib/env";
import * as schema from "./schema";

export type Database = PostgresJsDatabase<typeof schema>;

type QueryListener = (query: string) => void;
const listeners = new Set<QueryListener>();

/** Observe every SQL statement sent (tests count queries per request with this). */
export function onQuery(listener: QueryListener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function connect(url: string, options: { max?: number; prepare?: boolean } = {}): { db: Database; sql: postgres.Sql } {
  const sql = postgres(url, {
    max: options.max ?? 10,
    prepare: options.prepare ?? true,
    onnotice: () => {},
    debug: (_connection, query) => {
      for (const listener of listeners) listener(query);
    },
  });
  return { db: drizzle(sql, { schema }), sql };
}

// One pool per process, kept on globalThis so dev-server reloads do not leak connections.
const globalForDb = globalThis as unknown as { tihDb?: { db: Database; sql: postgres.Sql } };

export function getDb(): Database {
  // The embedded server has one shared session: named prepared statements would collide there.
  globalForDb.tihDb ??= connect(env().databaseUrl, { prepare: !env().embedded });
  return globalForDb.tihDb.db;
}

/** The raw postgres.js client behind getDb() (EXPLAIN in tests, health checks). */
export function sqlClient(): postgres.Sql {
  getDb();
  return (globalForDb.tihDb as { sql: postgres.Sql }).sql;
}

export async function closeDb(): Promise<void> {
  const current = globalForDb.tihDb;
  globalForDb.tihDb = undefined;
  await current?.sql.end({ timeout: 5 });
}
