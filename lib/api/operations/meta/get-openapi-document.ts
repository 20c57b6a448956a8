import { z } from "zod";
import { defineOperation } from "../../operation";

export const getOpenApiDocumentOperation = defineOperation({
  id: "getOpenApiDocument",
  method: "get",
  path: "/api/v1/openapi.json",
  auth: "public",
  tag: "Meta",
  summary: "This OpenAPI document",
  description:
    "The OpenAPI 3.1 description of this API (public: it holds nothing private, and clients need it before they have a token).",
  responses: {
    200: {
      description: "The document.",
      headers: z.object({ "Cache-Control": z.literal("public, max-age=300") }),
      content: {
        "application/json": {
          schema: z.looseObject({ openapi: z.string() }).meta({ description: "An OpenAPI 3.1 document." }),
        },
      },
    },
  },
});
