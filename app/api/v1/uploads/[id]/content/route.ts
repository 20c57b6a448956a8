import { putUploadContentOperation } from "@/lib/api/operations/uploads/put-upload-content";
import { methodNotAllowed, route } from "@/lib/http/api-route";
import { receiveUpload } from "@/lib/uploads/receive-upload";

export const PUT = route(putUploadContentOperation, async ({ params, query, request }) => {
  await receiveUpload(params.id, {
    expires: query.expires,
    signature: query.signature,
    contentType: request.headers.get("content-type"),
    contentLength: request.headers.get("content-length"),
    body: request.body,
  });
  return new Response(null, { status: 204 });
});

export const GET = methodNotAllowed(["PUT"]);
export const POST = GET;
export const PATCH = GET;
export const DELETE = GET;
