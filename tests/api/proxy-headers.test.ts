import { once } from "node:events";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { assertServingEnv, env, resetEnvForTests } from "@/lib/env";
import { clientIp, guardForwardedHeaders } from "@/lib/http/client-ip";
import * as imageRoute from "@/app/api/v1/images/route";
import * as imageItemRoute from "@/app/api/v1/images/[id]/route";
import { rgbaPng } from "../support/fixtures";
import { call, makeUser, uploadForm, type ImageBody } from "./harness";

const png = await rgbaPng();
const SPOOFED = { "x-forwarded-host": "evil.example", "x-forwarded-proto": "https" };

function setEnv(name: string, value: string | undefined) {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
  resetEnvForTests();
}

afterEach(() => setEnv("TRUST_PROXY", undefined));

async function uploadWith(headers: Record<string, string>) {
  const user = await makeUser();
  const res = await call(imageRoute.POST, {
    method: "POST",
    path: "/api/v1/images",
    token: user.token,
    body: uploadForm("proxy", png),
    headers,
  });
  expect(res.status).toBe(201);
  const image = (await res.json()) as ImageBody;
  const got = await call(imageItemRoute.GET, {
    path: `/api/v1/images/${image.id}`,
    token: user.token,
    headers,
    params: { id: image.id },
  });
  return {
    location: res.headers.get("location"),
    urls: ((await got.json()) as ImageBody).thumbnails.map((t) => t.url),
  };
}

describe("X-Forwarded-Host / -Proto", () => {
  it("are ignored without TRUST_PROXY: Location and URLs keep the Host", async () => {
    const { location, urls } = await uploadWith(SPOOFED);
    expect(location).toMatch(/^http:\/\/localhost:3000\/api\/v1\/images\//);
    expect(urls.length).toBeGreaterThan(0);
    for (const url of urls) expect(url).toMatch(/^http:\/\/localhost:3000\//);
  });

  it("are followed with TRUST_PROXY=true", async () => {
    setEnv("TRUST_PROXY", "true");
    const { location, urls } = await uploadWith(SPOOFED);
    expect(location).toMatch(/^https:\/\/evil\.example\/api\/v1\/images\//);
    for (const url of urls) expect(url).toMatch(/^https:\/\/evil\.example\//);
  });
});

describe("start-up check", () => {
  it("refuses PostgreSQL without PUBLIC_URL or TRUST_PROXY, naming both", () => {
    expect(env().embedded).toBe(false); // the api project runs on DATABASE_URL
    expect(() => assertServingEnv({ ...env(), PUBLIC_URL: undefined, TRUST_PROXY: false })).toThrow(
      /PUBLIC_URL or TRUST_PROXY/,
    );
    expect(() =>
      assertServingEnv({ ...env(), PUBLIC_URL: "https://images.example.com", TRUST_PROXY: false }),
    ).not.toThrow();
    expect(() => assertServingEnv({ ...env(), PUBLIC_URL: undefined, TRUST_PROXY: true })).not.toThrow();
    expect(() =>
      assertServingEnv({ ...env(), embedded: true, PUBLIC_URL: undefined, TRUST_PROXY: false }),
    ).not.toThrow();
  });
});

describe("client IP on a real HTTP server with the guard installed (as instrumentation.ts does)", () => {
  let server: Server;
  let seen: IncomingHttpHeaders[] = [];
  let port = 0;

  afterAll(async () => {
    server?.close();
  });

  async function send(headers: Record<string, string>) {
    await fetch(`http://127.0.0.1:${port}/`, { headers });
    const raw = seen.at(-1) as IncomingHttpHeaders;
    const h = new Headers();
    for (const [k, v] of Object.entries(raw)) if (typeof v === "string") h.set(k, v);
    return { raw, ip: clientIp(h) };
  }

  it("takes the socket address, never a client's X-Forwarded-For, without TRUST_PROXY", async () => {
    // Before the guard: nothing this process wrote, so the header is not believed at all.
    expect(clientIp(new Headers({ "x-forwarded-for": "6.6.6.6", "x-tih-peer": "forged 6.6.6.6" }))).toBe("unknown");
    guardForwardedHeaders(false);
    server = createServer((req, res) => {
      seen.push({ ...req.headers });
      res.end();
    });
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    port = (server.address() as AddressInfo).port;

    const spoofed = await send({
      "x-forwarded-for": "6.6.6.6",
      "x-forwarded-host": "evil.example",
      "x-tih-peer": "forged 6.6.6.6",
    });
    expect(spoofed.ip).toBe("127.0.0.1");
    expect(spoofed.raw["x-forwarded-for"]).toBe("127.0.0.1");
    expect(spoofed.raw["x-forwarded-host"]).toBeUndefined();
    expect((await send({})).ip).toBe("127.0.0.1");
  });

  it("takes the first X-Forwarded-For hop with TRUST_PROXY=true", async () => {
    setEnv("TRUST_PROXY", "true");
    expect(clientIp(new Headers({ "x-forwarded-for": "198.51.100.4, 10.0.0.2" }))).toBe("198.51.100.4");
    expect(clientIp(new Headers({ "x-forwarded-for": "not an ip" }))).toBe("unknown");
    seen = [];
  });
});
