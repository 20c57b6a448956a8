import { defineOperation, jsonResponse } from "../../operation";
import { createUploadSchema, uploadSchema } from "../../schemas";

export const createUploadOperation = defineOperation({
  id: "createUpload",
  method: "post",
  path: "/api/v1/uploads",
  auth: "user",
  tag: "Uploads",
  summary: "Start a direct upload",
  description:
    "For a file you are about to send: answers a URL to PUT exactly `bytes` bytes of `content_type` to, valid for 15 minutes. On S3 storage it is a presigned URL of the bucket (the bytes never pass through the app); on disk storage it is a signed URL of the app itself: the same two calls either way. Then call `POST /api/v1/uploads/{id}/complete`. Counts against your plan's uploads per hour, as a multipart upload does.",
  body: { type: "application/json", schema: createUploadSchema },
  rateLimit: "upload",
  idempotent: true,
  responses: {
    201: jsonResponse("Created: send the file to `url`.", uploadSchema),
    400: "The body is not valid JSON.",
    403: "The file would exceed your plan's storage quota (`type` ends in `quota-exceeded`).",
    413: "`bytes` is larger than your plan's largest upload (never above MAX_UPLOAD_BYTES).",
    415: "`content_type` is not `image/png` or `image/jpeg`.",
    422: "A bad `name` or `bytes`.",
  },
});
