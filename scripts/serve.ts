/**
 * `npm start` / `npm run dev`: validates the environment, starts the embedded database when no
 * DATABASE_URL is set, migrates and seeds, then runs Next.js. On the embedded default nothing
 * else needs to be installed or running.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { count, eq } from "drizzle-orm";
import { users } from "@/db/schema";
import { assertServingEnv, EnvError } from "@/lib/env";
import { loadEnvOrExit, prepareDatabase } from "./db";

const mode = process.argv[2] === "dev" ? "dev" : "start";
const port = process.env.PORT ?? "3000";

function run(command: string, args: string[]): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: "inherit", env: process.env });
    const forward = (signal: NodeJS.Signals) => child.kill(signal);
    process.on("SIGINT", forward);
    process.on("SIGTERM", forward);
    child.on("exit", (code, signal) => {
      process.off("SIGINT", forward);
      process.off("SIGTERM", forward);
      resolve(code ?? (signal ? 1 : 0));
    });
  });
}

async function main(): Promise<number> {
  const e = loadEnvOrExit();
  try {
    assertServingEnv(e); // the server checks too (instrumentation.ts); this fails before any build or migration
  } catch (error) {
    if (!(error instanceof EnvError)) throw error;
    console.error(error.message);
    return 1;
  }
  const database = await prepareDatabase(e);
  if (e.embedded)
    console.log(`Embedded PostgreSQL in ${e.DATA_DIR}/postgres, served on 127.0.0.1:${e.EMBEDDED_DB_PORT}.`);
  const [staff] = await database.db.select({ n: count() }).from(users).where(eq(users.isStaff, true));
  if (!staff?.n) {
    console.log(
      "No staff user yet. Create one (works while the app runs):\n  npm run admin -- create-user --email you@example.com --password 'a long password' --staff",
    );
  }

  const next = "node_modules/.bin/next";
  if (mode === "start" && !existsSync(".next/BUILD_ID")) {
    console.log("No production build found: running next build first.");
    const built = await run(next, ["build"]);
    if (built !== 0) {
      await database.close();
      return built;
    }
  }
  // The app keeps its own pool; this process only holds the embedded server, if any.
  const code = await run(next, [mode, "--port", port]);
  await database.close();
  return code;
}

process.exitCode = await main();
