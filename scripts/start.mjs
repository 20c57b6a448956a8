/**
 * `npm start`: the production server, `next start`, run in this very process (plain JavaScript,
 * no TypeScript loader), so nothing waits beside it but npm. The server does the start-up work
 * itself (instrumentation.ts): it checks the environment, migrates, and on the embedded default
 * runs the database. The first time, there is no production build yet: `next build` runs first.
 * Arguments are next start's (`npm start -- --port 4000`).
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

process.chdir(path.join(path.dirname(fileURLToPath(import.meta.url)), ".."));
const require = createRequire(import.meta.url);
const next = require.resolve("next/dist/bin/next");

if (!existsSync(".next/BUILD_ID")) {
  console.log("No production build found: running next build first.");
  const build = spawnSync(process.execPath, [next, "build"], { stdio: "inherit" });
  if (build.status !== 0) process.exit(build.status ?? 1);
}

// Next's own command line, as `next start …` would have it, then its CLI in this process.
process.argv = [process.argv[0] ?? process.execPath, next, "start", ...process.argv.slice(2)];
require(next);
