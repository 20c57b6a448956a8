import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["node_modules/", ".next/", "data/", "db/migrations/", "next-env.d.ts", "test-results/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": "error",
    },
  },
  {
    // Domain modules stay framework-free.
    files: ["lib/**/*.ts", "db/**/*.ts"],
    rules: {
      "no-restricted-imports": ["error", { patterns: ["next", "next/*", "next-auth", "next-auth/*", "@/app/*"] }],
    },
  },
  {
    // The framework's edge inside lib: server actions revalidate pages (next/cache), and the
    // session helpers wrap the NextAuth instance. Still nothing from app/.
    files: ["lib/actions/**/*.ts", "lib/auth/**/*.ts"],
    rules: { "no-restricted-imports": ["error", { patterns: ["@/app/*"] }] },
  },
  {
    files: ["**/*.mjs", "scripts/**/*.ts", "tests/infra/**/*.ts", "bench/**/*.ts"],
    languageOptions: { globals: { process: "readonly", console: "readonly" } },
  },
);
