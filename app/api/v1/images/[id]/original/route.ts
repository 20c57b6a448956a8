import { apiRoute, methodNotAllowed } from "@/lib/http/api-route";
import { mediaResponse } from "@/lib/http/media-response";
import { originalMediaFor } from "@/lib/images/media";

export const GET = apiRoute<{ id: string }>(async ({ request, principal, params }) =>
  mediaResponse(request, await originalMediaFor(principal, params.id)),
);

export const POST = methodNotAllowed(["GET"]);
export const PUT = POST;
export const PATCH = POST;
export const DELETE = POST;
