import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { closeDb, connect } from "@/db/client";
import { isUnavailable } from "@/lib/db-errors";
import { env, resetEnvForTests } from "@/lib/env";
import { getStorage, setStorage } from "@/lib/storage";
import { startS3Server, type S3TestServer } from "../infra/s3-server";
import { startTcpProxy, type TcpProxy } from "../infra/tcp-proxy";
import { rgbPng } from "../support/fixtures";
import { api, expectNothingStored, expectProblem, makeUser, snapshot, uploadForm } from "./harness";

/**
 * A dependency that accepts connections and never answers (a blackholing proxy, not a refused
 * port): the request answers 503 once the dependency's timeout has passed, and stores nothing.
 */
const saved = { ...process.env };
const TIMEOUT_MS = 500;

afterAll(() => {
  process.env = saved;
  resetEnvForTests();
});

async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const start = performance.now();
  const value = await fn();
  return { value, ms: Math.round(performance.now() - start) };
}

describe("S3 that hangs", () => {
  let s3: S3TestServer;
  let proxy: TcpProxy;

  beforeAll(async () => {
    s3 = await startS3Server();
    const target = new URL(s3.endpoint);
    proxy = await startTcpProxy({ target: { host: target.hostname, port: Number(target.port) } });
    Object.assign(process.env, {
      STORAGE: "s3",
      S3_ENDPOINT: `http://127.0.0.1:${proxy.port}`,
      S3_BUCKET: s3.bucket,
      S3_FORCE_PATH_STYLE: "true",
      S3_REGION: "us-east-1",
      S3_TIMEOUT_MS: String(TIMEOUT_MS),
      AWS_ACCESS_KEY_ID: s3.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: s3.credentials.secretAccessKey,
    });
    resetEnvForTests();
    setStorage(undefined);
  });

  afterAll(async () => {
    setStorage(undefined);
    await proxy?.close();
    await s3?.stop();
  });

  it("an upload answers 503 (problem+json, Retry-After) after S3_TIMEOUT_MS, with no row and no object", async () => {
    const user = await makeUser("Premium");
    const png = await rgbPng();
    // The path works through the proxy while it forwards.
    expect((await api.upload(user.token, uploadForm("before", png))).status).toBe(201);
    const before = await snapshot(user);

    proxy.blackhole();
    const { value: res, ms } = await timed(() => api.upload(user.token, uploadForm("hung", png)));
    console.log(`S3 blackholed (S3_TIMEOUT_MS=${TIMEOUT_MS}): upload answered ${res.status} after ${ms} ms`);
    await expectProblem(res, 503);
    expect(res.headers.get("retry-after")).toBe("5");
    expect(proxy.accepted).toBeGreaterThan(0);

    await proxy.restore();
    await expectNothingStored(user, before);
    expect((await api.upload(user.token, uploadForm("after", png))).status).toBe(201);
  });

  it("a storage call that gets no answer fails as unavailable", async () => {
    proxy.blackhole();
    try {
      const { value: error, ms } = await timed(() =>
        getStorage()
          .check()
          .then(
            () => null,
            (e: unknown) => e,
          ),
      );
      console.log(`S3 blackholed: HeadBucket failed after ${ms} ms`);
      expect(error).toBeInstanceOf(Error);
      expect(isUnavailable(error)).toBe(true);
    } finally {
      await proxy.restore();
    }
  });
});

describe("PostgreSQL that hangs", () => {
  let proxy: TcpProxy;
  let directUrl: string;

  beforeAll(async () => {
    directUrl = env().databaseUrl;
    const target = new URL(directUrl);
    proxy = await startTcpProxy({ target: { host: target.hostname, port: Number(target.port || 5432) } });
    const viaProxy = new URL(directUrl);
    viaProxy.host = `127.0.0.1:${proxy.port}`;
    await closeDb();
    Object.assign(process.env, {
      STORAGE: "disk",
      DATABASE_URL: viaProxy.toString(),
      PG_CONNECT_TIMEOUT_MS: String(TIMEOUT_MS),
    });
    resetEnvForTests();
    setStorage(undefined);
  });

  afterEach(async () => {
    await proxy.restore();
  });

  afterAll(async () => {
    await closeDb();
    await proxy?.close();
  });

  it("a list request answers 503 (problem+json, Retry-After) after the connect timeout", async () => {
    const user = await makeUser("Premium"); // through the proxy, while it forwards
    expect((await api.list(user.token)).status).toBe(200);
    await closeDb(); // the next request connects anew, to a database that accepts and never answers

    proxy.blackhole();
    const { value: res, ms } = await timed(() => api.list(user.token));
    console.log(
      `PostgreSQL blackholed (PG_CONNECT_TIMEOUT_MS=${TIMEOUT_MS}): list answered ${res.status} after ${ms} ms`,
    );
    await expectProblem(res, 503);
    expect(res.headers.get("retry-after")).toBe("5");

    await proxy.restore();
    await closeDb();
    expect((await api.list(user.token)).status).toBe(200);
  });

  it("a statement over the statement timeout fails as unavailable", async () => {
    const { sql } = connect(directUrl, { max: 1, statementTimeoutMs: 100 });
    try {
      const error = await sql`select pg_sleep(5)`.then(
        () => null,
        (e: unknown) => e,
      );
      expect((error as { code?: string }).code).toBe("57014");
      expect(isUnavailable(error)).toBe(true);
    } finally {
      await sql.end({ timeout: 1 });
    }
  });
});
