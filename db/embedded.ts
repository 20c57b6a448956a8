import { mkdirSync } from "node:fs";
import net from "node:net";
import path from "node:path";

/**
 * The embedded default database: PGlite (PostgreSQL compiled to WASM) under DATA_DIR/pglite,
 * served over the PostgreSQL wire protocol on 127.0.0.1 so that the app, the admin CLI and
 * any worker all talk postgres.js to one process. PGlite is single-process, so the listening
 * port doubles as the lock on its data directory: whoever binds it owns the directory.
 */
export type EmbeddedServer = { port: number; stop: () => Promise<void> };

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

async function bindPort(port: number, host: string): Promise<net.Server | null> {
  const probe = net.createServer();
  return new Promise((resolve, reject) => {
    probe.once("error", (error: NodeJS.ErrnoException) => (error.code === "EADDRINUSE" ? resolve(null) : reject(error)));
    probe.listen(port, host, () => resolve(probe));
  });
}

/**
 * Starts the embedded server unless one already serves `port`; returns null in that case
 * (the caller simply connects to it).
 */
export async function startEmbeddedServer(options: {
  dataDir: string;
  port: number;
  host?: string;
}): Promise<EmbeddedServer | null> {
  const host = options.host ?? "127.0.0.1";
  // Claim the port before opening the directory, so two processes never open it together.
  const claim = await bindPort(options.port, host);
  if (!claim) return null;

  const { PGlite } = await import("@electric-sql/pglite");
  const { PGLiteSocketServer } = await import("@electric-sql/pglite-socket");
  const dir = path.join(options.dataDir, "pglite");
  mkdirSync(dir, { recursive: true });
  let db: InstanceType<typeof PGlite>;
  try {
    db = await PGlite.create(dir);
  } catch (error) {
    claim.close();
    throw error;
  }
  const port = (claim.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => claim.close(() => resolve()));
  const server = new PGLiteSocketServer({ db, port, host, maxConnections: 64 });
  await server.start();
  return {
    port,
    stop: async () => {
      await server.stop();
      await db.close();
    },
  };
}
