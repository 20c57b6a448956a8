/** @type {import('next').NextConfig} */
const nextConfig = {
  // The Docker image builds with NEXT_OUTPUT=standalone (a self-contained .next/standalone/server.js).
  // Elsewhere the default output stays, so `next start` (npm start, the tests) runs without warnings.
  output: process.env.NEXT_OUTPUT === "standalone" ? "standalone" : undefined,
  // sharp and the database drivers are native/Node-only; keep them out of the bundle.
  serverExternalPackages: ["sharp", "postgres", "@electric-sql/pglite", "@aws-sdk/client-s3"],
  poweredByHeader: false,
  // Server action arguments include passwords (sign-in, admin resets): never log them.
  logging: { serverFunctions: false },
  experimental: {
    // proxy.ts buffers each request body it sees, by default only its first 10 MB: a larger upload
    // reached the route cut short ("could not be parsed"). Room for the largest upload plus the
    // multipart framing; lib/http/read-upload.ts refuses anything bigger with a 413 itself.
    proxyClientMaxBodySize: Number(process.env.MAX_UPLOAD_BYTES || 25 * 1024 * 1024) + 1024 * 1024,
  },
};

export default nextConfig;
