import { ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { startS3Server } from "./s3-server";
import { createS3Storage } from "../../lib/storage/s3";
const s = await startS3Server();
const st = createS3Storage({ bucket: s.bucket, region: "us-east-1", endpoint: s.endpoint, forcePathStyle: true, credentials: s.credentials });
const keys = Array.from({ length: 1003 }, (_, i) => `p/k${String(i).padStart(4, "0")}`);
for (let i = 0; i < keys.length; i += 50) await Promise.all(keys.slice(i, i + 50).map((k) => st.put(k, new Uint8Array(1), "x")));
const c = new S3Client({ region: "us-east-1", endpoint: s.endpoint, forcePathStyle: true, credentials: s.credentials });
const a = await c.send(new ListObjectsV2Command({ Bucket: s.bucket, Prefix: "p/" }));
console.log(a.KeyCount, a.IsTruncated, a.NextContinuationToken);
try { const b = await c.send(new ListObjectsV2Command({ Bucket: s.bucket, Prefix: "p/", ContinuationToken: a.NextContinuationToken })); console.log(b.KeyCount, b.Contents?.[0]?.Key); } catch (e) { console.log("ERR", e); }
await s.stop();
