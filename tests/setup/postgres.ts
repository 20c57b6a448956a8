import type { TestProject } from "vitest/node";
import { migrateAndSeed } from "@/db/migrate";
import { createScratchDatabase, type ScratchDatabase } from "../infra/scratch-db";

declare module "vitest" {
  export interface ProvidedContext {
    databaseUrl: string;
  }
}

/**
 * API tests run against a real PostgreSQL server. CI passes DATABASE_URL pointing at a fresh
 * database; otherwise one is created here on the local server (TEST_POSTGRES_URL) and dropped afterwards.
 */
export default async function setup(project: TestProject) {
  let url = process.env.DATABASE_URL;
  let scratch: ScratchDatabase | undefined;
  if (!url) {
    scratch = await createScratchDatabase("tih_test");
    url = scratch.url;
  }
  await migrateAndSeed(url);
  project.provide("databaseUrl", url);
  return async () => {
    await scratch?.drop();
  };
}
