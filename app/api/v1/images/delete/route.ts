import { deleteImagesOperation } from "@/lib/api/operations/images/delete-images";
import { json, methodNotAllowed, route } from "@/lib/http/api-route";
import { deleteImages } from "@/lib/images/delete-images";

export const POST = route(deleteImagesOperation, async ({ principal, body }) =>
  json({ results: await deleteImages(principal.userId, body.ids) }),
);

export const GET = methodNotAllowed(["POST"]);
export const PUT = GET;
export const PATCH = GET;
export const DELETE = GET;
