import { openTempLinkOperation } from "@/lib/api/operations/temp-links/open-temp-link";
import { methodNotAllowed, route } from "@/lib/http/api-route";
import { mediaResponse } from "@/lib/http/media-response";
import { openTempLink } from "@/lib/links/temp-links";

// Anyone holding the link may fetch it until it expires; it must not outlive revocation in a cache.
export const GET = route(openTempLinkOperation, async ({ request, params, query }) =>
  mediaResponse(request, (await openTempLink(params.token)).file, {
    cacheControl: "private, no-store",
    download: query.download === "1",
  }),
);

export const POST = methodNotAllowed(["GET"]);
export const PUT = POST;
export const PATCH = POST;
export const DELETE = POST;
