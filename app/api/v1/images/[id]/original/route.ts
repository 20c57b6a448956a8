import { getOriginalOperation } from "@/lib/api/operations/images/get-original";
import { methodNotAllowed, route } from "@/lib/http/api-route";
import { mediaResponse } from "@/lib/http/media-response";
import { originalMediaFor } from "@/lib/images/media";

export const GET = route(getOriginalOperation, async ({ request, principal, params, query }) =>
  mediaResponse(request, await originalMediaFor(principal, params.id), { download: query.download === "1" }),
);

export const POST = methodNotAllowed(["GET"]);
export const PUT = POST;
export const PATCH = POST;
export const DELETE = POST;
