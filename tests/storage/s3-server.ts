// Moved to scripts/s3-server.ts (the native stack uses it too); kept so existing imports work.
export { startS3Server, type S3ServerOptions, type S3TestServer } from "../../scripts/s3-server";
