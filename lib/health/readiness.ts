import { sql } from "drizzle-orm";
import { getDb } from "@/db/client";
import { checkQueue } from "@/lib/queue/thumbnail-jobs";
import { getStorage } from "@/lib/storage";

export type Readiness = { ready: boolean; checks: Record<"database" | "storage" | "queue", { ok: boolean; error?: string }> };

const TIMEOUT_MS = 3000;

async function probe(check: () => Promise<unknown>): Promise<{ ok: boolean; error?: string }> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${TIMEOUT_MS} ms`)), TIMEOUT_MS);
      }),
    ]);
    return { ok: true };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message || error.name : String(error) };
  } finally {
    clearTimeout(timer);
  }
}

/** Whether this process can serve uploads: database, storage and queue each answer. */
export async function readiness(): Promise<Readiness> {
  const [database, storage, queue] = await Promise.all([
    probe(() => getDb().execute(sql`select 1`)),
    probe(() => getStorage().check()),
    probe(() => checkQueue()),
  ]);
  return { ready: database.ok && storage.ok && queue.ok, checks: { database, storage, queue } };
}
