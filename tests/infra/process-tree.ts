/**
 * A process and its descendants as /proc shows them right now (Linux only): what the embedded
 * `npm start` test checks runs beside the server, and what the bench sums memory and CPU time over.
 * A process that exits while the tree is read is left out, with its descendants.
 */
import { readdirSync, readFileSync } from "node:fs";

export type TreeProcess = {
  pid: number;
  /** Its command line, arguments joined by spaces ("" for a zombie). */
  name: string;
};

/** The command line of `pid`, arguments joined by spaces; null once it is gone. */
export function commandLine(pid: number): string | null {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ").trim();
  } catch {
    return null;
  }
}

/** `root` and its descendants, parents before their children. */
export function processTree(root: number): TreeProcess[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      // After the command name (which may hold spaces and parentheses): state ppid …
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // exited while we looked
    }
  }
  const tree: TreeProcess[] = [];
  const visit = (pid: number) => {
    const name = commandLine(pid);
    if (name === null) return;
    tree.push({ pid, name });
    for (const child of children.get(pid) ?? []) visit(child);
  };
  visit(root);
  return tree;
}
