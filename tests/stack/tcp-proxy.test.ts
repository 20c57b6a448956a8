/** The fault proxy on its own: forwards, cuts (refusing new connects, closing open ones), restores on the same port, cuts on a pattern sent or answered, hangs on a pattern sent. */
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTcpProxy, type TcpProxy } from "../infra/tcp-proxy";

let echo: net.Server;
let proxy: TcpProxy;

beforeAll(async () => {
  echo = net.createServer((socket) => socket.pipe(socket));
  await new Promise<void>((resolve) => echo.listen(0, "127.0.0.1", resolve));
  const address = echo.address() as net.AddressInfo;
  proxy = await startTcpProxy({ target: { host: "127.0.0.1", port: address.port } });
});

afterAll(async () => {
  await proxy.close();
  await new Promise((resolve) => echo.close(resolve));
});

function connect(): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(proxy.port, "127.0.0.1", () => resolve(socket));
    socket.once("error", reject);
  });
}

function roundTrip(socket: net.Socket, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    socket.once("data", (data) => resolve(data.toString()));
    socket.once("error", reject);
    socket.write(text);
  });
}

const closed = (socket: net.Socket) =>
  new Promise<void>((resolve) => (socket.destroyed ? resolve() : socket.once("close", () => resolve())));

describe("tcp proxy", () => {
  it("forwards both ways", async () => {
    const socket = await connect();
    expect(await roundTrip(socket, "ping")).toBe("ping");
    socket.destroy();
  });

  it("cut closes open connections and refuses new ones; restore listens on the same port again", async () => {
    const port = proxy.port;
    const open = await connect();
    await proxy.cut();
    await closed(open);
    expect(proxy.isCut).toBe(true);
    await expect(connect()).rejects.toMatchObject({ code: "ECONNREFUSED" });

    await proxy.restore();
    expect(proxy.port).toBe(port);
    const again = await connect();
    expect(await roundTrip(again, "back")).toBe("back");
    again.destroy();
  });

  it("cutWhen cuts when a client sends the pattern, without forwarding it", async () => {
    const socket = await connect();
    expect(await roundTrip(socket, "harmless")).toBe("harmless");
    const cut = proxy.cutWhen("DROP-ME");
    const echoed: Buffer[] = [];
    socket.on("data", (d: Buffer) => echoed.push(d));
    socket.on("error", () => {});
    socket.write("xx DROP-");
    socket.write("ME yy");
    await cut;
    await closed(socket);
    expect(Buffer.concat(echoed).toString()).not.toContain("ME yy");
    await expect(connect()).rejects.toMatchObject({ code: "ECONNREFUSED" });
    await proxy.restore();
  });

  it("cutWhenAnswered cuts when the target answers the pattern: the request arrived, its answer never does", async () => {
    const socket = await connect();
    const cut = proxy.cutWhenAnswered("DONE");
    const heard: Buffer[] = [];
    socket.on("data", (d: Buffer) => heard.push(d));
    socket.on("error", () => {});
    const before = proxy.bytesToTarget;
    socket.write("work DONE");
    await cut;
    await closed(socket);
    expect(proxy.bytesToTarget - before).toBe("work DONE".length);
    expect(Buffer.concat(heard).toString()).toBe("");
    await proxy.restore();
  });

  it("blackholeWhen stops forwarding when a client sends the pattern, without forwarding it; restore forwards again", async () => {
    const socket = await connect();
    expect(await roundTrip(socket, "harmless")).toBe("harmless");
    const held = proxy.blackholeWhen("HOLD-ME");
    const echoed: Buffer[] = [];
    socket.on("data", (d: Buffer) => echoed.push(d));
    const sent = proxy.bytesToTarget;
    socket.write("xx HOLD-");
    socket.write("ME yy");
    await held;
    expect(proxy.isBlackholed).toBe(true);
    expect(proxy.isCut).toBe(false);
    // At most the bytes before the chunk with the pattern's end went through.
    expect(proxy.bytesToTarget - sent).toBeLessThanOrEqual("xx HOLD-".length);
    expect(Buffer.concat(echoed).toString()).not.toContain("ME yy");
    expect(socket.destroyed).toBe(false); // the client is left waiting, not disconnected

    await proxy.restore();
    expect(proxy.isBlackholed).toBe(false);
    const again = await connect();
    expect(await roundTrip(again, "back")).toBe("back");
    again.destroy();
    socket.destroy();
  });

  it("holdConnectionsWhen hangs only the connections that send the pattern, each one, until restore closes them", async () => {
    proxy.holdConnectionsWhen("STUCK");
    const other = await connect();
    const first = await connect();
    const second = await connect();
    const echoed: Buffer[] = [];
    first.on("data", (d: Buffer) => echoed.push(d));
    second.on("data", (d: Buffer) => echoed.push(d));
    first.write("a STU");
    first.write("CK b");
    second.write("STUCK too");
    // A connection that never sends it goes on working meanwhile, as do new ones.
    expect(await roundTrip(other, "fine")).toBe("fine");
    expect(await roundTrip(await connect(), "new")).toBe("new");
    // A held connection sends nothing more either way.
    first.write(" later");
    expect(await roundTrip(other, "still")).toBe("still");
    expect(Buffer.concat(echoed).toString()).not.toMatch(/CK b|too|later/);
    expect(first.destroyed || second.destroyed).toBe(false);

    await proxy.restore();
    await Promise.all([closed(first), closed(second)]);
    expect(await roundTrip(other, "after")).toBe("after");
    other.destroy();
  });
});
