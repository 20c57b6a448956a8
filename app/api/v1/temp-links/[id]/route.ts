import { apiRoute, methodNotAllowed } from "@/lib/http/api-route";
import { revokeTempLink } from "@/lib/links/temp-links";

export const DELETE = apiRoute<{ id: string }>(async ({ principal, params }) => {
  await revokeTempLink(principal, params.id);
  return new Response(null, { status: 204 });
});

export const GET = methodNotAllowed(["DELETE"]);
export const POST = GET;
export const PUT = GET;
export const PATCH = GET;
