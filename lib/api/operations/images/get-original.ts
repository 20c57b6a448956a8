import { defineOperation, ifNoneMatch, mediaResponses } from "../../operation";
import { idParams, mediaQuerySchema } from "../../schemas";

export const getOriginalOperation = defineOperation({
  id: "getOriginal",
  method: "get",
  path: "/api/v1/images/{id}/original",
  auth: "user",
  tag: "Media",
  summary: "Get the original",
  description:
    "The original bytes exactly as uploaded, if your plan includes the original. Revalidate (If-None-Match) before reuse.",
  params: { schema: idParams, notFound: "image" },
  query: mediaQuerySchema,
  headers: ifNoneMatch,
  responses: {
    ...mediaResponses("private, no-cache"),
    403: "Your current plan does not include the original.",
    404: "No such image of yours.",
    422: "`download` is given but is not `1`.",
  },
});
