import { getThumbnailOperation } from "@/lib/api/operations/images/get-thumbnail";
import { methodNotAllowed, route } from "@/lib/http/api-route";
import { mediaResponse } from "@/lib/http/media-response";
import { thumbnailMedia } from "@/lib/images/media";

export const GET = route(getThumbnailOperation, async ({ request, principal, params, query }) =>
  mediaResponse(
    request,
    await thumbnailMedia(principal, params.id, params.height, {
      format: query.format,
      accept: request.headers.get("accept"),
    }),
    {
      download: query.download === "1",
    },
  ),
);

export const POST = methodNotAllowed(["GET"]);
export const PUT = POST;
export const PATCH = POST;
export const DELETE = POST;
