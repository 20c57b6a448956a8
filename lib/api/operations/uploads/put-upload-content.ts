import { defineOperation, noContent } from "../../operation";
import { idParams, uploadContentQuery } from "../../schemas";

export const putUploadContentOperation = defineOperation({
  id: "putUploadContent",
  method: "put",
  path: "/api/v1/uploads/{id}/content",
  auth: "public",
  tag: "Uploads",
  summary: "Send a direct upload's file (disk storage)",
  description:
    "The `url` of an upload on disk storage: no authentication, the signature is the credential. Held to what S3 holds a presigned PUT to: the signed `Content-Type` and `Content-Length`, until `expires_at`. On S3 storage uploads go to the bucket and this answers 404.",
  params: { schema: idParams, notFound: "upload" },
  query: uploadContentQuery,
  rawBody: { types: ["image/png", "image/jpeg"], description: "The file's bytes, exactly `bytes` of them." },
  responses: {
    204: noContent,
    400: "The body is not the `Content-Length` bytes it announced.",
    403: "The signature does not match, the URL expired, or `Content-Type` or `Content-Length` is not the signed one.",
    404: "S3 storage: uploads go straight to the bucket.",
    409: "The upload is being completed right now: its file can no longer be replaced.",
    422: "`expires` or `signature` is missing or malformed.",
  },
});
