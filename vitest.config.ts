import path from "node:path";
import { defineConfig } from "vitest/config";

const alias = { "@": path.resolve(import.meta.dirname) };

export default defineConfig({
  resolve: { alias },
  test: {
    projects: [
      {
        resolve: { alias },
        test: {
          // No database or server: domain logic beside the code, and checks of the repository itself.
          name: "unit",
          include: [
            "lib/**/*.test.ts",
            "components/**/*.test.ts",
            "tests/support/**/*.test.ts",
            "tests/infra/docker-context.test.ts",
          ],
          environment: "node",
        },
      },
      {
        resolve: { alias },
        test: {
          name: "api",
          include: ["tests/api/**/*.test.ts", "tests/cli/**/*.test.ts", "tests/queue/**/*.test.ts"],
          globalSetup: ["tests/setup/postgres.ts"],
          setupFiles: ["tests/setup/api-env.ts"],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        resolve: { alias },
        test: {
          name: "storage",
          include: ["tests/storage/**/*.test.ts"],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        resolve: { alias },
        test: {
          name: "embedded",
          include: ["tests/embedded/**/*.test.ts"],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          // Each file starts PostgreSQL servers (initdb, SIGKILLed owners): one file at a time, so the
          // timing-sensitive cross-process tests do not share two cores with another file's servers.
          fileParallelism: false,
        },
      },
      {
        resolve: { alias },
        test: {
          // The native production topology (tests/infra/stack): needs a production build, PostgreSQL
          // and Redis. One stack per file, files one at a time, after the other projects (CPU).
          name: "stack",
          include: ["tests/stack/**/*.test.ts"],
          env: { LOG_LEVEL: "silent" },
          testTimeout: 180_000,
          hookTimeout: 300_000,
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
