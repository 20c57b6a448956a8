/**
 * The s3rver helper's restart mode (used by the fault tests): started on a given port and data
 * directory, stopped, and started again there, it serves the same objects; a server started
 * without a directory removes its temporary one on stop.
 */
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { afterAll, describe, expect, it } from "vitest";
import { startS3Server, type S3TestServer } from "../infra/s3-server";

const started: S3TestServer[] = [];
let directory: string | undefined;

afterAll(async () => {
  await Promise.all(started.map((s) => s.stop()));
  if (directory) await rm(directory, { recursive: true, force: true });
});

function client(server: S3TestServer): S3Client {
  return new S3Client({
    region: "us-east-1",
    endpoint: server.endpoint,
    forcePathStyle: true,
    credentials: server.credentials,
  });
}

describe("s3rver helper", () => {
  it("restarts on the same port and data directory with its objects kept", async () => {
    directory = await mkdtemp(path.join(os.tmpdir(), "s3rver-restart-"));
    const first = await startS3Server({ bucket: "kept", directory });
    started.push(first);
    const s3 = client(first);
    await s3.send(new PutObjectCommand({ Bucket: "kept", Key: "a/b", Body: "hello" }));
    await first.stop();
    await expect(s3.send(new ListObjectsV2Command({ Bucket: "kept" }))).rejects.toMatchObject({ code: "ECONNREFUSED" });
    expect(existsSync(directory)).toBe(true);

    const second = await startS3Server({ bucket: "kept", directory, port: first.port });
    started.push(second);
    expect(second.endpoint).toBe(first.endpoint);
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: "kept" }));
    expect(listed.Contents?.map((o) => o.Key)).toEqual(["a/b"]);
    const got = await s3.send(new GetObjectCommand({ Bucket: "kept", Key: "a/b" }));
    expect(await got.Body?.transformToString()).toBe("hello");
    s3.destroy();
  });

  it("removes the temporary data directory it made", async () => {
    const server = await startS3Server();
    started.push(server);
    expect(existsSync(server.directory)).toBe(true);
    await server.stop();
    expect(existsSync(server.directory)).toBe(false);
  });
});
