import { spawn } from "node:child_process";
import path from "node:path";

const REPO_ROOT = path.resolve(import.meta.dirname, "../..");

export type AdminRun = { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string };

/**
 * Runs the management CLI as a real child process, the way `npm run admin -- …` does
 * (tsx loader, repo root as cwd). A run that does not finish within `timeoutMs` is killed, so a
 * hanging CLI fails the test instead of stalling the suite.
 */
export function runAdmin(args: string[], env: NodeJS.ProcessEnv = process.env, timeoutMs = 60_000): Promise<AdminRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", "scripts/admin.ts", ...args], {
      cwd: REPO_ROOT,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.once("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** The token `create-token` prints: alone on the last line of stdout. */
export function lastLine(stdout: string): string {
  const lines = stdout.trimEnd().split("\n");
  return lines.at(-1) ?? "";
}

/** A readable failure message when a run that should have succeeded did not. */
export const describeRun = (run: AdminRun) =>
  `exit ${run.code}${run.signal ? ` (${run.signal})` : ""}\nstdout:\n${run.stdout}\nstderr:\n${run.stderr}`;
