import { completeUploadOperation } from "@/lib/api/operations/uploads/complete-upload";
import { json, methodNotAllowed, route } from "@/lib/http/api-route";
import { imageJson, imagePath } from "@/lib/images/image-json";
import { completeUpload } from "@/lib/uploads/complete-upload";

export const POST = route(completeUploadOperation, async ({ principal, params, baseUrl }) => {
  const image = await completeUpload(principal, params.id);
  return json(imageJson(image, principal.plan, baseUrl), {
    status: 201,
    headers: { Location: baseUrl + imagePath(image.id) },
  });
});

export const GET = methodNotAllowed(["POST"]);
export const PUT = GET;
export const PATCH = GET;
export const DELETE = GET;
