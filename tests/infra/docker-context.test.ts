/**
 * What the runtime image gets from the build context: the Dockerfile's final stage copies the
 * context (`COPY . .`), filtered by .dockerignore. Derived here with Docker's own matching rules
 * (@balena/dockerignore, a port of moby's) over the repository's files, so the tests, their
 * infrastructure, the browser specs, the benchmark and CI stay out, and what users run stays in.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import ignore from "@balena/dockerignore";
import { beforeAll, describe, expect, it } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "../..");

type Instruction = { keyword: string; args: string };
type Stage = { name: string | undefined; instructions: Instruction[] };

/** Dockerfile → stages of instructions (continuation lines joined, comments dropped). */
function parseDockerfile(text: string): Stage[] {
  const logical: string[] = [];
  let pending = "";
  for (const raw of text.split(/\r?\n/)) {
    if (/^\s*#/.test(raw)) continue; // comments, also between continuation lines
    const line = raw.trimEnd();
    if (line.endsWith("\\")) {
      pending += `${line.slice(0, -1)} `;
      continue;
    }
    const joined = (pending + line).trim();
    pending = "";
    if (joined) logical.push(joined);
  }
  if (pending.trim()) logical.push(pending.trim());

  const stages: Stage[] = [];
  for (const line of logical) {
    const [, keyword = "", args = ""] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
    const instruction = { keyword: keyword.toUpperCase(), args };
    if (instruction.keyword === "FROM") {
      stages.push({ name: /\sAS\s+(\S+)\s*$/i.exec(args)?.[1], instructions: [] });
    } else {
      stages.at(-1)?.instructions.push(instruction);
    }
  }
  return stages;
}

/** Sources a COPY/ADD takes from the build context (none with --from=: those come from another stage or image). */
function contextSources(instruction: Instruction): string[] {
  if (instruction.keyword !== "COPY" && instruction.keyword !== "ADD") return [];
  const words = instruction.args.trim().startsWith("[")
    ? (JSON.parse(instruction.args) as string[])
    : instruction.args.split(/\s+/);
  const flags = words.filter((w) => w.startsWith("--"));
  if (flags.some((f) => f.startsWith("--from"))) return [];
  const operands = words.filter((w) => !w.startsWith("--"));
  return operands.slice(0, -1); // the last one is the destination
}

/** Whether context path `file` is under COPY source `source` ("." is the whole context). */
function copiedBy(source: string, file: string): boolean {
  const s = path.posix.normalize(source.replace(/^\.\//, "")).replace(/\/$/, "");
  if (/[*?[]/.test(s)) throw new Error(`COPY source with a wildcard (${source}): teach this test to expand it`);
  return s === "." || file === s || file.startsWith(`${s}/`);
}

/** The files of the build context: tracked and untracked-but-not-ignored files that exist in the working tree. */
function contextFiles(): string[] {
  const out = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], {
    cwd: ROOT,
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  return [...new Set(out.split("\0").filter(Boolean))]
    .filter((f) => existsSync(path.join(ROOT, f)) && statSync(path.join(ROOT, f)).isFile())
    .sort();
}

const readRepo = (file: string) => readFileSync(path.join(ROOT, file), "utf8");

/** Docker on Linux matches case-sensitively. */
const dockerignore = () => ignore({ ignorecase: false }).add(readRepo(".dockerignore"));

describe("Docker build context", () => {
  let context: string[];
  let runtime: string[];
  let build: string[];

  beforeAll(() => {
    const stages = parseDockerfile(readRepo("Dockerfile"));
    context = contextFiles();
    const ig = dockerignore();
    /** The context files a stage's COPY/ADD instructions bring in. */
    const filesOf = (stage: Stage | undefined, what: string) => {
      if (!stage) throw new Error(`no ${what} stage in the Dockerfile`);
      const sources = stage.instructions.flatMap(contextSources);
      expect(sources, `the ${what} stage copies the build context (COPY . .)`).toContain(".");
      return context.filter((file) => sources.some((s) => copiedBy(s, file)) && !ig.ignores(file));
    };
    const final = stages.at(-1);
    expect(final?.name, "the image `docker build` makes is the last stage, runtime").toBe("runtime");
    runtime = filesOf(final, "runtime");
    build = filesOf(
      stages.find((s) => s.name === "build"),
      "build",
    );
  });

  it("sees the repository (tests, specs, benchmark, CI among the files considered)", () => {
    for (const dir of ["tests/", "e2e/", "bench/", ".ci/", "scripts/", "db/migrations/"]) {
      expect(
        context.some((f) => f.startsWith(dir)),
        dir,
      ).toBe(true);
    }
    expect(context.some((f) => f.endsWith(".test.ts") && !f.startsWith("tests/"))).toBe(true);
  });

  it("keeps tests, their infrastructure, e2e specs, the benchmark and CI out of the runtime image", () => {
    const leaked = runtime.filter((f) => /^(tests|e2e|bench|\.ci)\//.test(f) || /\.(test|spec)\.tsx?$/.test(f));
    expect(leaked).toEqual([]);
    expect(runtime.filter((f) => /(^|\/)(playwright|vitest)\.config\./.test(f))).toEqual([]);
  });

  it("keeps .env files out (compose passes .env at run time), whether or not git tracks them", () => {
    expect(runtime.filter((f) => /(^|\/)\.env(\.|$)/.test(f) && f !== ".env.example")).toEqual([]);
    const ig = dockerignore();
    for (const file of [".env", ".env.local", ".env.production"]) expect(ig.ignores(file), file).toBe(true);
  });

  it("ships what users run: the scripts, the migrations, package.json and tsconfig.json (the @/ alias for tsx)", () => {
    for (const file of [
      "scripts/start.mjs",
      "scripts/worker.ts",
      "scripts/admin.ts",
      "scripts/migrate.ts",
      "scripts/db.ts",
      "package.json",
      "tsconfig.json",
    ]) {
      expect(runtime, file).toContain(file);
    }
    const migrations = runtime.filter((f) => f.startsWith("db/migrations/"));
    expect(migrations.filter((f) => f.endsWith(".sql")).length).toBeGreaterThan(0);
    expect(migrations).toContain("db/migrations/meta/_journal.json");
    expect(migrations).toEqual(context.filter((f) => f.startsWith("db/migrations/")));
  });

  it("still gives the build stage what next build needs", () => {
    for (const file of ["next.config.mjs", "postcss.config.mjs", "tsconfig.json", "package.json", "package-lock.json"])
      expect(build, file).toContain(file);
    for (const dir of ["app/", "lib/", "components/", "db/"])
      expect(
        build.some((f) => f.startsWith(dir)),
        dir,
      ).toBe(true);
  });
});
