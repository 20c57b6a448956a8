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
    // Server actions are the framework's edge: they revalidate pages (next/cache) and check the
    // session with app/_server/session.ts (which needs the NextAuth instance in app/auth.ts).
    files: ["lib/actions/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            { regex: "^next(/(?!cache$).*)?$", message: "Server actions use next/cache only." },
            { group: ["next-auth", "next-auth/*"] },
            { regex: "^@/app/(?!_server/session$)", message: "Server actions use app/_server/session.ts only." },
          ],
        },
      ],
    },
  },
  {
    files: ["**/*.mjs", "scripts/**/*.ts", "tests/infra/**/*.ts", "bench/**/*.ts"],
    languageOptions: { globals: { process: "readonly", console: "readonly" } },
  },
);
