import { sql } from "drizzle-orm";
import { getDb } from "@/db/client";
import { checkQueue } from "@/lib/queue/thumbnail-jobs";
import { getStorage } from "@/lib/storage";
import { withTimeout } from "@/lib/timeout";

export type Readiness = {
  ready: boolean;
  checks: Record<"database" | "storage" | "queue", { ok: boolean; error?: string }>;
};

const TIMEOUT_MS = 3000;

async function probe(name: string, check: () => Promise<unknown>): Promise<{ ok: boolean; error?: string }> {
  try {
    await withTimeout(check(), TIMEOUT_MS, name);
    return { ok: true };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message || error.name : String(error) };
  }
}

/** Whether this process can serve uploads: database, storage and queue each answer. */
export async function readiness(): Promise<Readiness> {
  const [database, storage, queue] = await Promise.all([
    probe("database", () => getDb().execute(sql`select 1`)),
    probe("storage", () => getStorage().check()),
    probe("queue", () => checkQueue()),
  ]);
  return { ready: database.ok && storage.ok && queue.ok, checks: { database, storage, queue } };
}
