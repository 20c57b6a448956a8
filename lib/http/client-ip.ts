import { randomBytes } from "node:crypto";
import { type IncomingMessage, Server } from "node:http";
import { isIP } from "node:net";
import { env } from "@/lib/env";

/**
 * The client's address and the proxy headers, under TRUST_PROXY.
 *
 * Next's server hands route handlers a Request built from the headers alone (no socket), and
 * fills in X-Forwarded-For from the socket only when the request did not bring one
 * (`x-forwarded-for ??= socket.remoteAddress`, likewise X-Forwarded-Host/-Proto). So without a
 * proxy a client could choose its own X-Forwarded-For, and with it its rate-limit key.
 * guardForwardedHeaders (installed at server start by instrumentation.ts) closes that: without
 * TRUST_PROXY it replaces X-Forwarded-For with the socket address, and drops X-Forwarded-Host,
 * -Proto and -Port (Next then sets them from Host and the socket), before Next sees the request.
 */
const GUARD = Symbol.for("tih.forwardedHeadersGuard");
type Guarded = { [GUARD]?: string };
/** Where the guard records the socket address, behind this process's nonce (a client cannot forge it). */
const PEER_HEADER = "x-tih-peer";

export function guardForwardedHeaders(trustProxy: boolean): void {
  const global = globalThis as Guarded;
  if (trustProxy || global[GUARD]) return;
  const nonce = randomBytes(16).toString("hex");
  const emit = Server.prototype.emit;
  Server.prototype.emit = function (this: Server, event: string | symbol, ...args: unknown[]) {
    if (event === "request" || event === "checkContinue") {
      const req = args[0] as IncomingMessage;
      const h = req.headers;
      const address = req.socket.remoteAddress ?? "";
      delete h["x-forwarded-host"];
      delete h["x-forwarded-proto"];
      delete h["x-forwarded-port"];
      h["x-forwarded-for"] = address;
      h[PEER_HEADER] = `${nonce} ${address}`;
    }
    return Reflect.apply(emit, this, [event, ...args]) as boolean;
  } as typeof emit;
  global[GUARD] = nonce;
}

/** Answers for every caller we cannot tell apart (they share their limits). */
const UNKNOWN = "unknown";

function normalize(address: string | undefined): string {
  const value = address?.trim().replace(/^\[(.*)\]$/, "$1") ?? "";
  if (!isIP(value)) return UNKNOWN;
  return value.replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/, "$1");
}

/**
 * The client's IP: the first X-Forwarded-For hop with TRUST_PROXY=true (the proxy must set the
 * header, not append to a client's), else the socket address as guardForwardedHeaders recorded
 * it. A header this process did not guard is never believed without TRUST_PROXY.
 */
export function clientIp(headers: Headers): string {
  const forwarded = headers.get("x-forwarded-for");
  if (env().TRUST_PROXY) return normalize(forwarded?.split(",")[0]);
  // A request that came in before the guard was installed (or without it) has no valid record.
  const [nonce, address] = headers.get(PEER_HEADER)?.split(" ") ?? [];
  const guard = (globalThis as Guarded)[GUARD];
  return guard && nonce === guard ? normalize(address) : UNKNOWN;
}
