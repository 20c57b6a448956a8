import { spawn } from "node:child_process";
import { accessSync, constants } from "node:fs";
import path from "node:path";

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? (sorted[mid] ?? NaN) : ((sorted[mid - 1] ?? NaN) + (sorted[mid] ?? NaN)) / 2;
}

export async function timeMs(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

/** Runs a command to completion with no shell and output discarded; rejects unless it exits 0. */
export function runCommand(command: string, args: readonly string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: "ignore" });
    child.on("error", reject);
    child.on("exit", (code, signal) =>
      code === 0 ? resolve() : reject(new Error(`${command} ${args.join(" ")} exited with ${signal ?? code}`)),
    );
  });
}

export function onPath(command: string): boolean {
  return (process.env.PATH ?? "").split(path.delimiter).some((dir) => {
    try {
      accessSync(path.join(dir, command), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** One result line: label, value, target and whether the target is met. */
export function verdict(
  label: string,
  value: number,
  target: { op: "≤" | "≥"; value: number; unit: string },
  digits = 2,
): string {
  const met = target.op === "≤" ? value <= target.value : value >= target.value;
  const shown = `${value.toFixed(digits)}${target.unit}`;
  return `  ${label.padEnd(52)} ${shown.padStart(10)}   target ${target.op} ${target.value}${target.unit}   ${met ? "PASS" : "MISS"}`;
}

export const info = (label: string, value: string) => `  ${label.padEnd(52)} ${value}`;

/** A figure that could not be measured: a MISS against its target, with the reason on the next line. */
export function failed(label: string, target: { op: "≤" | "≥"; value: number; unit: string }, error: unknown): string {
  const lines = (error instanceof Error ? error.message : String(error)).trim().split("\n");
  // The first line says what failed; a server's output ends with why.
  const reason = (lines.length > 14 ? [...lines.slice(0, 2), "…", ...lines.slice(-10)] : lines).join("\n    ");
  return `  ${label.padEnd(52)} ${"failed".padStart(10)}   target ${target.op} ${target.value}${target.unit}   MISS\n    ${reason}`;
}

/** The value, or what was thrown: for a figure whose failure is reported rather than fatal. */
export async function attempt<T>(run: () => Promise<T>): Promise<{ value: T } | { error: unknown }> {
  try {
    return { value: await run() };
  } catch (error) {
    return { error };
  }
}

export const ms = (value: number) => `${value.toFixed(1)} ms`;
export const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;
