/** @type {import('next').NextConfig} */
const nextConfig = {
  // sharp and the database drivers are native/Node-only; keep them out of the bundle.
  serverExternalPackages: ["sharp", "postgres", "@electric-sql/pglite", "@aws-sdk/client-s3"],
  poweredByHeader: false,
};

export default nextConfig;
