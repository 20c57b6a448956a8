import { deleteImageOperation } from "@/lib/api/operations/images/delete-image";
import { getImageOperation } from "@/lib/api/operations/images/get-image";
import { renameImageOperation } from "@/lib/api/operations/images/rename-image";
import { json, methodNotAllowed, route } from "@/lib/http/api-route";
import { deleteImage } from "@/lib/images/delete-image";
import { getOwnedImage } from "@/lib/images/get-image";
import { imageJson } from "@/lib/images/image-json";
import { renameImage } from "@/lib/images/rename-image";

export const GET = route(getImageOperation, async ({ principal, params, baseUrl }) =>
  json(imageJson(await getOwnedImage(principal.userId, params.id), principal.plan, baseUrl)),
);

export const DELETE = route(deleteImageOperation, async ({ principal, params }) => {
  await deleteImage(principal.userId, params.id);
  return new Response(null, { status: 204 });
});

export const PATCH = route(renameImageOperation, async ({ principal, params, body, baseUrl }) =>
  json(imageJson(await renameImage(principal.userId, params.id, body.name), principal.plan, baseUrl)),
);

export const POST = methodNotAllowed(["GET", "PATCH", "DELETE"]);
export const PUT = POST;
