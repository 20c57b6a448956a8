/** @type {import('next').NextConfig} */
const nextConfig = {
  // sharp and the database drivers are native/Node-only; keep them out of the bundle.
  serverExternalPackages: ["sharp", "postgres", "@electric-sql/pglite", "@aws-sdk/client-s3"],
  poweredByHeader: false,
  // Server action arguments include passwords (sign-in, admin resets): never log them.
  logging: { serverFunctions: false },
};

export default nextConfig;
