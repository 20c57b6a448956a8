/**
 * A TCP forwarder on 127.0.0.1 that a test can cut and restore, to make a dependency (PostgreSQL,
 * S3) unreachable for the processes configured to reach it through the proxy, without touching
 * the dependency itself or restarting anything.
 *
 * - cut(): stops listening and destroys every open connection, so in-flight requests fail and new
 *   connects get ECONNREFUSED.
 * - restore(): listens again on the same port; clients reconnect by themselves.
 * - cutWhen(pattern): cuts at the moment a client sends bytes containing `pattern` (that data is
 *   not forwarded): a failure in the middle of a request, at a chosen statement.
 * - cutWhenAnswered(pattern): the same for the target's answer: a reply lost after the work was done.
 * - blackhole(): a dependency that hangs: new connections are accepted and read but never answered
 *   (nothing reaches the target), and open connections stop forwarding in both directions.
 *   restore() forwards again (connections accepted meanwhile are closed: they never had a target).
 * - blackholeWhen(pattern): hangs from the moment a client sends `pattern` (not forwarded): a
 *   client left waiting at a chosen statement, e.g. so that a test can kill it right there.
 * - holdConnectionsWhen(pattern): hangs only the connections whose client sends `pattern`, every
 *   one of them until restore(): one kind of request fails (by its client's timeout) while the
 *   others on other connections go through.
 */
import net from "node:net";

export type TcpProxy = {
  readonly host: string;
  readonly port: number;
  readonly target: { host: string; port: number };
  /** True between cut() (or a cutWhen trigger) and restore(). */
  readonly isCut: boolean;
  /** Connections accepted since start (a test can see that traffic went through). */
  readonly accepted: number;
  /** Bytes forwarded from clients to the target since start (e.g. an upload's body reached S3). */
  readonly bytesToTarget: number;
  cut(): Promise<void>;
  restore(): Promise<void>;
  /** Resolves once the pattern was seen and the proxy cut; restore() as after cut(). */
  cutWhen(pattern: string | Buffer): Promise<void>;
  /**
   * Cuts at the moment the target answers bytes containing `pattern` (that answer never reaches
   * the client): the server did the work, the client never hears of it.
   */
  cutWhenAnswered(pattern: string | Buffer): Promise<void>;
  /** Accept and read, never answer, until restore(). */
  blackhole(): void;
  /** Resolves once the pattern was seen and the proxy blackholed; restore() as after blackhole(). */
  blackholeWhen(pattern: string | Buffer): Promise<void>;
  readonly isBlackholed: boolean;
  /** Hang each connection that sends the pattern (not forwarded), others unaffected, until restore(). */
  holdConnectionsWhen(pattern: string | Buffer): void;
  /** Stops for good. */
  close(): Promise<void>;
};

type Direction = "toTarget" | "toClient";

export async function startTcpProxy(options: {
  target: { host: string; port: number };
  port?: number;
  host?: string;
}): Promise<TcpProxy> {
  const host = options.host ?? "127.0.0.1";
  const target = { ...options.target };
  const sockets = new Set<net.Socket>();
  let server: net.Server | undefined;
  let port = options.port ?? 0;
  let isCut = false;
  let isBlackholed = false;
  const held = new Set<net.Socket>(); // accepted while blackholed: no upstream
  let closed = false;
  let accepted = 0;
  let bytesToTarget = 0;
  // Armed patterns, one per direction: sent by a client (cutWhen, blackholeWhen) or answered (cutWhenAnswered).
  const triggers: Partial<Record<Direction, { pattern: Buffer; fire: () => void }>> = {};
  let holdPattern: Buffer | undefined;
  const heldConnections = new WeakSet<net.Socket>(); // by client socket: neither direction forwards

  const track = (socket: net.Socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  };

  /** Forwards one direction unless blackholed; an armed pattern (also across chunk boundaries) fires instead. */
  const forward = (from: net.Socket, to: net.Socket, direction: Direction) => {
    const client = direction === "toTarget" ? from : to;
    let tail = Buffer.alloc(0);
    let holdTail = Buffer.alloc(0);
    from.on("data", (chunk: Buffer) => {
      if (isBlackholed || heldConnections.has(client)) return; // read, never forwarded
      if (holdPattern && direction === "toTarget") {
        const window = Buffer.concat([holdTail, chunk]);
        if (window.includes(holdPattern)) {
          heldConnections.add(client);
          return;
        }
        holdTail = window.subarray(Math.max(0, window.length - holdPattern.length + 1));
      }
      const armed = triggers[direction];
      if (armed) {
        const window = Buffer.concat([tail, chunk]);
        if (window.includes(armed.pattern)) {
          triggers[direction] = undefined;
          armed.fire();
          return;
        }
        tail = window.subarray(Math.max(0, window.length - armed.pattern.length + 1));
      }
      if (direction === "toTarget") bytesToTarget += chunk.length;
      if (!to.write(chunk)) {
        from.pause();
        to.once("drain", () => from.resume());
      }
    });
    from.on("end", () => to.end());
  };

  const onConnection = (client: net.Socket) => {
    if (isCut) {
      client.destroy();
      return;
    }
    accepted++;
    if (isBlackholed) {
      track(client);
      held.add(client);
      client.on("data", () => {}); // read and discard
      client.on("error", () => client.destroy());
      client.once("close", () => held.delete(client));
      return;
    }
    const upstream = net.connect(target.port, target.host);
    track(client);
    track(upstream);
    const teardown = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on("error", teardown);
    upstream.on("error", teardown);
    client.on("close", teardown);
    upstream.on("close", teardown);
    forward(client, upstream, "toTarget");
    forward(upstream, client, "toClient");
  };

  const listen = async () => {
    const next = net.createServer(onConnection);
    await new Promise<void>((resolve, reject) => {
      next.once("error", reject);
      next.listen(port, host, () => {
        next.off("error", reject);
        resolve();
      });
    });
    const address = next.address();
    if (typeof address !== "object" || !address) throw new Error("proxy has no address");
    port = address.port;
    server = next;
  };

  const stopListening = async () => {
    const current = server;
    server = undefined;
    for (const socket of sockets) socket.destroy();
    sockets.clear();
    if (current) await new Promise<void>((resolve) => current.close(() => resolve()));
  };

  await listen();

  /** Arms `pattern` in one direction: the proxy cuts when it passes (cutWhen, cutWhenAnswered). */
  const cutOn = (direction: Direction, pattern: string | Buffer): Promise<void> => {
    if (isCut) return Promise.reject(new Error("proxy is already cut"));
    return new Promise<void>((resolve, reject) => {
      triggers[direction] = {
        pattern: Buffer.isBuffer(pattern) ? pattern : Buffer.from(pattern),
        fire: () => {
          proxy.cut().then(resolve, reject);
        },
      };
    });
  };

  const proxy: TcpProxy = {
    host,
    get port() {
      return port;
    },
    target,
    get isCut() {
      return isCut;
    },
    get accepted() {
      return accepted;
    },
    get bytesToTarget() {
      return bytesToTarget;
    },
    get isBlackholed() {
      return isBlackholed;
    },
    blackhole() {
      triggers.toTarget = undefined;
      isBlackholed = true;
    },
    blackholeWhen(pattern) {
      if (isCut || isBlackholed) return Promise.reject(new Error("proxy is already cut or blackholed"));
      return new Promise<void>((resolve) => {
        triggers.toTarget = {
          pattern: Buffer.isBuffer(pattern) ? pattern : Buffer.from(pattern),
          fire: () => {
            proxy.blackhole();
            resolve();
          },
        };
      });
    },
    async cut() {
      isCut = true;
      triggers.toTarget = undefined;
      triggers.toClient = undefined;
      await stopListening();
    },
    holdConnectionsWhen(pattern) {
      holdPattern = Buffer.isBuffer(pattern) ? pattern : Buffer.from(pattern);
    },
    async restore() {
      if (closed) throw new Error("proxy closed");
      if (holdPattern) {
        // Held connections are broken mid-request: close them rather than resume them.
        holdPattern = undefined;
        for (const socket of sockets) if (heldConnections.has(socket)) socket.destroy();
      }
      if (isBlackholed) {
        isBlackholed = false;
        for (const socket of held) socket.destroy();
        held.clear();
      }
      if (server && !isCut) return;
      await stopListening();
      await listen();
      isCut = false;
    },
    cutWhenAnswered: (pattern) => cutOn("toClient", pattern),
    cutWhen: (pattern) => cutOn("toTarget", pattern),
    async close() {
      closed = true;
      isCut = true;
      await stopListening();
    },
  };
  return proxy;
}
