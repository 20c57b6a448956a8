import { baseUrlOf, json, methodNotAllowed, publicRoute } from "@/lib/http/api-route";
import { openApiDocument } from "@/lib/openapi/document";

// Public: the description of the API holds nothing private, and clients need it before they have a token.
export const GET = publicRoute<Record<string, never>>(async (request) =>
  json(openApiDocument(baseUrlOf(request)), { headers: { "Cache-Control": "public, max-age=300" } }),
);

export const POST = methodNotAllowed(["GET"]);
export const PUT = POST;
export const PATCH = POST;
export const DELETE = POST;
