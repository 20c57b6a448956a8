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

export type ConnectOptions = {
  max?: number;
  prepare?: boolean;
  /** A connection not ready for queries within this long fails with CONNECT_TIMEOUT (default 10 s). */
  connectTimeoutMs?: number;
  /** Server-side bound of every statement (SQLSTATE 57014 when exceeded); unset or 0: none. */
  statementTimeoutMs?: number;
};

export function connect(url: string, options: ConnectOptions = {}): { db: Database; sql: postgres.Sql } {
  const sql = postgres(url, {
    max: options.max ?? 10,
    prepare: options.prepare ?? true,
    connect_timeout: (options.connectTimeoutMs ?? 10_000) / 1000,
    ...(options.statementTimeoutMs ? { connection: { statement_timeout: options.statementTimeoutMs } } : {}),
    onnotice: () => {},
    debug: (_connection, query) => {
      for (const listener of listeners) listener(query);
    },
  });
  return { db: drizzle(options.prepare === false ? sql : preparingStatements(sql), { schema }), sql };
}

type Unsafe = (query: string, parameters?: unknown[], options?: Record<string, unknown>) => unknown;
type Scoped = (...args: unknown[]) => unknown;

/**
 * drizzle's postgres-js driver runs every query it was not asked to name with `prepare: false`,
 * and postgres.js then sends each parameterised statement in two round trips (describe, then
 * execute) and the server parses and plans it every time. Preparing them instead makes each query
 * one round trip after its first use on a connection: postgres.js keeps one named statement per
 * distinct text, and drizzle's texts carry parameters, not values, so there are few of them.
 * Transactions and savepoints hand drizzle a new client, which is wrapped the same way.
 */
function preparingStatements(sql: postgres.Sql): postgres.Sql {
  return new Proxy(sql, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== "function") return value;
      if (property === "unsafe") {
        const unsafe = value as Unsafe;
        return (query: string, parameters?: unknown[], options?: Record<string, unknown>) =>
          unsafe(query, parameters, { ...options, prepare: true });
      }
      if (property === "begin" || property === "savepoint") {
        const scoped = value as Scoped;
        return (...args: unknown[]) => {
          const body = args.pop() as (client: postgres.Sql) => unknown;
          return scoped(...args, (client: postgres.Sql) => body(preparingStatements(client)));
        };
      }
      return value;
    },
  });
}

// One pool per process, kept on globalThis so dev-server reloads do not leak connections.
const globalForDb = globalThis as unknown as { tihDb?: { db: Database; sql: postgres.Sql } };

export function getDb(): Database {
  // The statement timeout is the app's (requests), not the migrations' (scripts/db.ts).
  const e = env();
  globalForDb.tihDb ??= connect(e.databaseUrl, {
    connectTimeoutMs: e.PG_CONNECT_TIMEOUT_MS,
    statementTimeoutMs: e.PG_STATEMENT_TIMEOUT_MS,
  });
  return globalForDb.tihDb.db;
}

/**
 * A query built once per database client and then run with placeholders filled in (drizzle's
 * prepared queries): for the statements every request runs, where building the SQL text each time
 * costs more CPU than the database spends answering it.
 */
export function preparedQuery<Q>(build: (db: Database) => Q): () => Q {
  const built = new WeakMap<Database, Q>();
  return () => {
    const db = getDb();
    let query = built.get(db);
    if (query === undefined) built.set(db, (query = build(db)));
    return query;
  };
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
