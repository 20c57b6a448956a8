import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, inject } from "vitest";
import { closeDb } from "@/db/client";

// Each test file gets its own media directory, so "nothing was stored" is checked exactly.
const dataDir = mkdtempSync(path.join(tmpdir(), "tih-api-"));
process.env.DATABASE_URL = inject("databaseUrl");
process.env.DATA_DIR = dataDir;
process.env.MEDIA_DIR = path.join(dataDir, "media");
process.env.AUTH_SECRET ??= "test-auth-secret-".padEnd(48, "x");
process.env.LINK_SIGNING_KEY ??= "test-link-key-".padEnd(48, "y");
process.env.STORAGE = "disk";
process.env.LOG_LEVEL ??= "silent";
// In-process thumbnail jobs retry with backoff (JOB_ATTEMPTS); short waits keep failing-job tests quick.
process.env.JOB_BACKOFF_MS ??= "20";
// WebP and AVIF are made on first request in these suites (fewer background encodes racing each
// test's checks of the store); tests/api/formats.test.ts runs the default, made by the queue.
process.env.EAGER_FORMATS ??= "none";

afterAll(async () => {
  await closeDb();
});
