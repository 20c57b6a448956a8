/**
 * Scratch PostgreSQL databases for the API tests, the native stack, the e2e server and the bench:
 * created on a server the caller can reach as a superuser (or a role that may create databases),
 * migrated by the caller, dropped `with (force)` when done.
 *
 * Two lifetimes:
 * - a unique name, `<prefix>_<ms>_<pid>`, for whoever drops it in its own teardown;
 * - a fixed name, `<prefix>_<key>` (one per stack name, one per e2e port), recreated at every
 *   start: a run killed before it could drop its database leaves nothing behind for long, and a
 *   later process (`stack down`) can drop it by name.
 */
import postgres from "postgres";

export const DEFAULT_TEST_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/postgres";

/** The server scratch databases are made on: TEST_POSTGRES_URL, else the local server as user postgres. */
export function testPostgresUrl(): string {
  return process.env.TEST_POSTGRES_URL ?? DEFAULT_TEST_POSTGRES_URL;
}

export type ScratchDatabase = {
  /** The database's name (lowercase letters, digits and _). */
  readonly name: string;
  /** URL of the database: `serverUrl` with its path replaced. */
  readonly url: string;
  /** The server it was made on (what dropDatabase needs). */
  readonly serverUrl: string;
  /** Drops it (`with (force)`: open connections are ended). Safe to call twice. */
  drop(): Promise<void>;
};

export type ScratchDatabaseOptions = {
  /** A URL of any database on the server (its path is replaced). Default: testPostgresUrl(). */
  serverUrl?: string;
  /**
   * A fixed name, `<prefix>_<key>`, instead of a unique one: dropped first if it exists (what a
   * killed run left behind), then created.
   */
  key?: string;
};

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

/** `<prefix>_<key>`, or a unique `<prefix>_<ms>_<pid>`; throws unless it is a plain PostgreSQL identifier. */
export function scratchDatabaseName(prefix: string, key?: string): string {
  const name = `${prefix}_${key ?? `${Date.now()}_${process.pid}`}`;
  if (!IDENTIFIER.test(name))
    throw new Error(
      `Scratch database name ${JSON.stringify(name)}: use at most 63 lowercase letters, digits and _ (not starting with a digit).`,
    );
  return name;
}

/** `serverUrl` pointing at database `name`. */
export function databaseUrl(serverUrl: string, name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** The server's URL without its password, for messages. */
function shown(serverUrl: string): string {
  const url = new URL(serverUrl);
  url.password = "";
  return url.toString();
}

async function withAdmin<T>(serverUrl: string, fn: (sql: postgres.Sql) => Promise<T>): Promise<T> {
  const sql = postgres(serverUrl, { max: 1, onnotice: () => {}, connect_timeout: 10 });
  try {
    return await fn(sql);
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/** Drops database `name` on the server if it exists, ending its connections. */
export async function dropDatabase(serverUrl: string, name: string): Promise<void> {
  if (!IDENTIFIER.test(name)) throw new Error(`Not a scratch database name: ${JSON.stringify(name)}`);
  await withAdmin(serverUrl, (sql) => sql.unsafe(`drop database if exists "${name}" with (force)`));
}

/** Creates a database for the caller to migrate, use and drop(). See ScratchDatabaseOptions for a fixed name. */
export async function createScratchDatabase(
  prefix: string,
  options: ScratchDatabaseOptions = {},
): Promise<ScratchDatabase> {
  const serverUrl = options.serverUrl ?? testPostgresUrl();
  const name = scratchDatabaseName(prefix, options.key);
  try {
    await withAdmin(serverUrl, async (sql) => {
      if (options.key !== undefined) await sql.unsafe(`drop database if exists "${name}" with (force)`);
      await sql.unsafe(`create database "${name}"`);
    });
  } catch (error) {
    throw new Error(`Cannot create database ${name} on ${shown(serverUrl)}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  let dropped: Promise<void> | undefined;
  return {
    name,
    url: databaseUrl(serverUrl, name),
    serverUrl,
    drop: () =>
      (dropped ??= dropDatabase(serverUrl, name).catch((error: unknown) => {
        dropped = undefined; // a failed drop can be tried again
        throw error;
      })),
  };
}
