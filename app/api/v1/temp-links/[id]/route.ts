import { revokeTempLinkOperation } from "@/lib/api/operations/temp-links/revoke-temp-link";
import { methodNotAllowed, route } from "@/lib/http/api-route";
import { revokeTempLink } from "@/lib/links/temp-links";

export const DELETE = route(revokeTempLinkOperation, async ({ principal, params }) => {
  await revokeTempLink(principal, params.id);
  return new Response(null, { status: 204 });
});

export const GET = methodNotAllowed(["DELETE"]);
export const POST = GET;
export const PUT = GET;
export const PATCH = GET;
