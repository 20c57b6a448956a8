import { getOpenApiDocumentOperation } from "@/lib/api/operations/meta/get-openapi-document";
import { json, methodNotAllowed, route } from "@/lib/http/api-route";
import { openApiDocument } from "@/lib/openapi";

export const GET = route(getOpenApiDocumentOperation, async ({ baseUrl }) =>
  json(openApiDocument(baseUrl), { headers: { "Cache-Control": "public, max-age=300" } }),
);

export const POST = methodNotAllowed(["GET"]);
export const PUT = POST;
export const PATCH = POST;
export const DELETE = POST;
