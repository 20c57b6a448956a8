import { deleteImageOperation } from "@/lib/api/operations/images/delete-image";
import { getImageOperation } from "@/lib/api/operations/images/get-image";
import { json, methodNotAllowed, route } from "@/lib/http/api-route";
import { deleteImage } from "@/lib/images/delete-image";
import { getOwnedImage } from "@/lib/images/get-image";
import { imageJson } from "@/lib/images/image-json";

export const GET = route(getImageOperation, async ({ principal, params, baseUrl }) =>
  json(imageJson(await getOwnedImage(principal.userId, params.id), principal.plan, baseUrl)),
);

export const DELETE = route(deleteImageOperation, async ({ principal, params }) => {
  await deleteImage(principal.userId, params.id);
  return new Response(null, { status: 204 });
});

export const POST = methodNotAllowed(["GET", "DELETE"]);
export const PUT = POST;
export const PATCH = POST;
