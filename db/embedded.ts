import { mkdirSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import type { PGlite } from "@electric-sql/pglite";
import { lockDataDir, type LockOwner } from "./data-dir-lock";

/**
 * The embedded default database: PGlite (PostgreSQL compiled to WASM) under DATA_DIR/pglite,
 * served over the PostgreSQL wire protocol on 127.0.0.1 so that the app, the admin CLI and any
 * worker all talk postgres.js to one process. PGlite is single-process: a lock file in DATA_DIR
 * (db/data-dir-lock.ts) decides which process owns the directory; the others connect to its port.
 *
 * PGlite has one backend session. Several client connections share it safely only if each
 * holds it for whole protocol cycles: from its first message up to the Sync (or simple Query)
 * that ends a cycle — and, while a transaction is open, until the transaction ends. Otherwise
 * one connection's Parse/Bind/Execute would interleave with another's (the unnamed statement is
 * shared) or run inside another's transaction. Clients must not use named prepared statements
 * (db/client.ts turns them off on the embedded database).
 */
export type EmbeddedServer = { port: number; stop: () => Promise<void> };

/** A start-up failure with a message for the operator (printed alone, without a stack trace). */
export class EmbeddedStartError extends Error {
  override name = "EmbeddedStartError";
}

const SSL_REQUEST = 80877103;
const CANCEL_REQUEST = 80877102;
const SYNC = 0x53; // 'S'
const QUERY = 0x51; // 'Q'
const TERMINATE = 0x58; // 'X'

/** A FIFO lock on the single session. */
class SessionLock {
  private owner: object | null = null;
  private waiting: { who: object; grant: () => void }[] = [];

  holds(who: object): boolean {
    return this.owner === who;
  }

  async acquire(who: object): Promise<void> {
    if (this.owner === who) return;
    if (this.owner === null) {
      this.owner = who;
      return;
    }
    await new Promise<void>((grant) => this.waiting.push({ who, grant }));
  }

  release(who: object): void {
    if (this.owner !== who) return;
    const next = this.waiting.shift();
    this.owner = next?.who ?? null;
    next?.grant();
  }

  forget(who: object): void {
    this.waiting = this.waiting.filter((w) => w.who !== who);
    this.release(who);
  }
}

function serveConnection(db: PGlite, lock: SessionLock, socket: net.Socket): void {
  const me = {};
  let buffer = Buffer.alloc(0);
  let started = false;
  let chain = Promise.resolve();
  socket.setNoDelay(true);

  const send = (data: Uint8Array) => {
    if (data.length && socket.writable) socket.write(data);
  };

  async function run(message: Uint8Array, endsCycle: boolean): Promise<void> {
    await lock.acquire(me);
    await db.runExclusive(() => db.execProtocolRawStream(message, { onRawData: send }));
    if (endsCycle && !db.isInTransaction()) lock.release(me);
  }

  /** Splits the byte stream into protocol messages and runs them in order. */
  function drain(): void {
    for (;;) {
      if (!started) {
        if (buffer.length < 8) return;
        const length = buffer.readInt32BE(0);
        const code = buffer.readInt32BE(4);
        if (code === SSL_REQUEST) {
          buffer = buffer.subarray(8);
          socket.write("N");
          continue;
        }
        if (code === CANCEL_REQUEST) {
          socket.destroy();
          return;
        }
        if (buffer.length < length) return;
        const startup = new Uint8Array(buffer.subarray(0, length));
        buffer = buffer.subarray(length);
        started = true;
        chain = chain.then(() => run(startup, true));
        continue;
      }
      if (buffer.length < 5) return;
      const length = 1 + buffer.readInt32BE(1);
      if (buffer.length < length) return;
      const message = new Uint8Array(buffer.subarray(0, length));
      const type = buffer[0];
      buffer = buffer.subarray(length);
      if (type === TERMINATE) {
        socket.end();
        return;
      }
      chain = chain.then(() => run(message, type === SYNC || type === QUERY));
    }
  }

  socket.on("data", (data) => {
    buffer = Buffer.concat([buffer, data]);
    drain();
    chain = chain.catch((error) => {
      console.error("embedded database connection failed", error);
      socket.destroy();
    });
  });

  const cleanUp = () => {
    chain = chain.finally(async () => {
      // A client that vanished mid-transaction must not leave the session in it.
      if (lock.holds(me) && db.isInTransaction()) await db.exec("rollback").catch(() => {});
      lock.forget(me);
    });
  };
  socket.on("close", cleanUp);
  socket.on("error", () => socket.destroy());
}

export async function isListening(port: number, host = "127.0.0.1"): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The lock's owner binds its port right after taking the lock: wait for that, boundedly. */
async function waitForOwner(owner: LockOwner, dataDir: string, port: number, host: string): Promise<void> {
  if (owner.port !== port) {
    throw new EmbeddedStartError(
      `${dataDir} is already served by process ${owner.pid} on port ${owner.port}, not on EMBEDDED_DB_PORT=${port}: use the same EMBEDDED_DB_PORT, or stop that process.`,
    );
  }
  for (let i = 0; i < 100; i++) {
    if (await isListening(port, host)) return;
    await sleep(100);
  }
  throw new EmbeddedStartError(
    `Process ${owner.pid} holds ${dataDir} but does not serve EMBEDDED_DB_PORT=${port}; stop it, or remove ${dataDir}/embedded-db.lock if it is not this app.`,
  );
}

/**
 * Starts the embedded server unless another process (or this one) already owns `dataDir`; returns
 * null in that case, once the owner listens (the caller simply connects to it). The owner opens
 * and migrates the database before serving: clients that connect meanwhile wait, then find the
 * schema up to date. A port held by anything else is an EmbeddedStartError naming EMBEDDED_DB_PORT.
 */
export async function startEmbeddedServer(options: {
  dataDir: string;
  port: number;
  host?: string;
}): Promise<EmbeddedServer | null> {
  const host = options.host ?? "127.0.0.1";
  const sockets = new Set<net.Socket>();
  let open!: (db: PGlite) => void;
  let fail!: (error: unknown) => void;
  const ready = new Promise<PGlite>((resolve, reject) => {
    open = resolve;
    fail = reject;
  });
  ready.catch(() => {}); // observed below; waiting sockets are destroyed on failure
  const lock = new SessionLock();

  // The handler is in place before the port is claimed: no accepted socket goes unserved.
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.pause();
    ready.then(
      (db) => {
        serveConnection(db, lock, socket);
        socket.resume();
      },
      () => socket.destroy(),
    );
  });
  const locked = lockDataDir(options.dataDir, options.port);
  if ("heldBy" in locked) {
    await waitForOwner(locked.heldBy, options.dataDir, options.port, host);
    return null;
  }
  // Then the port, before opening the directory. An outgoing connection can hold it for a moment
  // (ephemeral ports share the range): try for about two seconds before giving up.
  const listen = () =>
    new Promise<boolean>((resolve, reject) => {
      server.once("error", (error: NodeJS.ErrnoException) =>
        error.code === "EADDRINUSE" ? resolve(false) : reject(error),
      );
      server.listen(options.port, host, () => resolve(true));
    });
  let bound = false;
  try {
    for (let attempt = 0; attempt < 10 && !bound; attempt++) {
      if (attempt) await sleep(200);
      bound = await listen();
    }
  } catch (error) {
    locked.lock.release();
    throw error;
  }
  if (!bound) {
    locked.lock.release();
    throw new EmbeddedStartError(
      `EMBEDDED_DB_PORT ${options.port} (127.0.0.1) is in use by another program: set EMBEDDED_DB_PORT to a free port.`,
    );
  }

  const stop = async (db?: PGlite) => {
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of sockets) socket.destroy();
    await closed;
    await db?.close();
    locked.lock.release();
  };

  let db: PGlite;
  try {
    const { PGlite } = await import("@electric-sql/pglite");
    const { migrateAndSeedPglite } = await import("./migrate");
    const dir = path.join(options.dataDir, "pglite");
    mkdirSync(dir, { recursive: true });
    db = await PGlite.create(dir);
    await migrateAndSeedPglite(db);
  } catch (error) {
    fail(error);
    await stop();
    throw error;
  }
  open(db);
  return { port: (server.address() as net.AddressInfo).port, stop: () => stop(db) };
}
