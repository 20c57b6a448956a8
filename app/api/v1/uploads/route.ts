import { createUploadOperation } from "@/lib/api/operations/uploads/create-upload";
import { json, methodNotAllowed, route } from "@/lib/http/api-route";
import { createUpload } from "@/lib/uploads/create-upload";

export const POST = route(createUploadOperation, async ({ principal, body, baseUrl }) => {
  const upload = await createUpload(
    principal,
    { name: body.name, bytes: body.bytes, contentType: body.content_type },
    baseUrl,
  );
  return json(
    {
      id: upload.id,
      url: upload.url,
      method: upload.method,
      headers: upload.headers,
      expires_at: upload.expiresAt.toISOString(),
    },
    { status: 201 },
  );
});

export const GET = methodNotAllowed(["POST"]);
export const PUT = GET;
export const PATCH = GET;
export const DELETE = GET;
