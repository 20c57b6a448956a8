import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import path from "node:path";

/**
 * Who owns the embedded database's directory is decided by a lock file in it, not by who got the
 * TCP port first (a port can be taken for a moment by anyone's outgoing connection). The file is
 * created exclusively and names the owner's pid and port; one whose process is gone is stale and
 * taken over. Two processes taking over the same stale lock at once both think they won: the
 * port, bound right after and before the directory is opened, still lets only one of them on.
 */
export type DataDirLock = { release: () => void };

export type LockOwner = { pid: number; port: number };

const LOCK_FILE = "embedded-db.lock";

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
    return Number.isInteger(owner.pid) && Number.isInteger(owner.port) ? (owner as LockOwner) : null;
  } catch {
    return null; // unreadable or half-written: treated as stale
  }
}

/**
 * Takes the lock on `dataDir` for this process, or answers the live process that holds it.
 */
export function lockDataDir(dataDir: string, port: number): { lock: DataDirLock } | { heldBy: LockOwner } {
  mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, LOCK_FILE);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(file, "wx", 0o600);
      writeSync(fd, JSON.stringify({ pid: process.pid, port }));
      closeSync(fd);
      let released = false;
      return {
        lock: {
          release: () => {
            if (released) return;
            released = true;
            if (readOwner(file)?.pid === process.pid) rmSync(file, { force: true });
          },
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const owner = readOwner(file);
    if (owner && alive(owner.pid)) return { heldBy: owner }; // this process too: its server runs

    rmSync(file, { force: true }); // stale: its process is gone
  }
  throw new Error(`Could not take the lock ${file}: another process keeps replacing it.`);
}
