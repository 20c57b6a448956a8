import { linkSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";

/**
 * Who owns the embedded database's directory is decided by a lock file in it, not by who got the
 * TCP port first (a port can be taken for a moment by anyone's outgoing connection). The file is
 * created exclusively and names the owner's pid and port; one whose process is gone is stale and
 * taken over. The owner marks it ready once its database is migrated: the other processes wait
 * for that before they connect. Two processes taking over the same stale lock at the same instant
 * both think they won; PostgreSQL's own postmaster.pid still lets only one server run on the
 * directory, and the other process fails with an error (started again, it finds the winner).
 */
export type DataDirLock = { markReady: () => void; release: () => void };

export type LockOwner = { pid: number; port: number; ready: boolean };

const LOCK_FILE = "embedded-db.lock";

/** Lock files this process holds: one naming this pid but not in here is a previous run's (pids are reused across container restarts). */
const held = new Set<string>();

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM"; // exists, owned by another user
  }
}

function readOwner(file: string): LockOwner | null {
  try {
    const owner = JSON.parse(readFileSync(file, "utf8")) as Partial<LockOwner>;
    if (!Number.isInteger(owner.pid) || !Number.isInteger(owner.port)) return null;
    return { pid: owner.pid as number, port: owner.port as number, ready: owner.ready === true };
  } catch {
    return null; // unreadable or half-written: treated as stale
  }
}

function liveOwner(file: string): LockOwner | null {
  const owner = readOwner(file);
  if (!owner || !alive(owner.pid)) return null;
  return owner.pid !== process.pid || held.has(file) ? owner : null;
}

/** The live process holding the lock on `dataDir`, if any. */
export function dataDirOwner(dataDir: string): LockOwner | null {
  return liveOwner(path.resolve(dataDir, LOCK_FILE));
}

/**
 * Takes the lock on `dataDir` for this process, or answers the live process that holds it.
 */
export function lockDataDir(dataDir: string, port: number): { lock: DataDirLock } | { heldBy: LockOwner } {
  mkdirSync(dataDir, { recursive: true });
  const file = path.resolve(dataDir, LOCK_FILE);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      // Created with its content at once (a hard link of a finished file fails if the lock exists):
      // a file created empty and written after could be read in between, taken for a stale
      // half-written lock and removed, and two processes would both own the directory.
      const temp = `${file}.${process.pid}.${attempt}.tmp`;
      writeFileSync(temp, JSON.stringify({ pid: process.pid, port }), { mode: 0o600 });
      try {
        linkSync(temp, file);
      } finally {
        rmSync(temp, { force: true });
      }
      held.add(file);
      const ours = () => held.has(file) && readOwner(file)?.pid === process.pid;
      return {
        lock: {
          markReady: () => {
            if (!ours()) return;
            // Replaced whole (rename), so a reader sees the old content or the new, never half of it.
            const temp = `${file}.${process.pid}.tmp`;
            writeFileSync(temp, JSON.stringify({ pid: process.pid, port, ready: true }), { mode: 0o600 });
            renameSync(temp, file);
          },
          release: () => {
            if (ours()) rmSync(file, { force: true });
            held.delete(file);
          },
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const owner = liveOwner(file);
    if (owner) return { heldBy: owner }; // this process too: its server runs

    rmSync(file, { force: true }); // stale: its process is gone
  }
  throw new Error(`Could not take the lock ${file}: another process keeps replacing it.`);
}

/** Releases this process's lock on `dataDir`, if it holds one (for an exit handler, which has no DataDirLock at hand). */
export function releaseHeldLock(dataDir: string): void {
  const file = path.resolve(dataDir, LOCK_FILE);
  if (held.has(file) && readOwner(file)?.pid === process.pid) rmSync(file, { force: true });
  held.delete(file);
}
