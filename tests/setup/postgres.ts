import postgres from "postgres";
import type { TestProject } from "vitest/node";
import { migrateAndSeed } from "@/db/migrate";

declare module "vitest" {
  export interface ProvidedContext {
    databaseUrl: string;
  }
}

/**
 * API tests run against a real PostgreSQL server. CI passes DATABASE_URL pointing at a fresh
 * database; otherwise one is created here on the local server and dropped afterwards.
 */
export default async function setup(project: TestProject) {
  let url = process.env.DATABASE_URL;
  let drop: (() => Promise<void>) | undefined;
  if (!url) {
    const server = process.env.TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
    const name = `tih_test_${Date.now()}_${process.pid}`;
    const admin = postgres(server, { max: 1, onnotice: () => {} });
    await admin.unsafe(`create database ${name}`);
    const u = new URL(server);
    u.pathname = `/${name}`;
    url = u.toString();
    drop = async () => {
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    };
  }
  await migrateAndSeed(url);
  project.provide("databaseUrl", url);
  return async () => {
    await drop?.();
  };
}
