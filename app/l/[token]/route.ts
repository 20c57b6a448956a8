import { methodNotAllowed, publicRoute } from "@/lib/http/api-route";
import { mediaResponse } from "@/lib/http/media-response";
import { openTempLink } from "@/lib/links/temp-links";

// Anyone holding the link may fetch it until it expires; it must not outlive revocation in a cache.
export const GET = publicRoute<{ token: string }>(async (request, { token }) =>
  mediaResponse(request, (await openTempLink(token)).file, "private, no-store"),
);

export const POST = methodNotAllowed(["GET"]);
export const PUT = POST;
export const PATCH = POST;
export const DELETE = POST;
