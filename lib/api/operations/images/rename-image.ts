import { defineOperation, jsonResponse } from "../../operation";
import { idParams, imageSchema, renameImageSchema } from "../../schemas";

export const renameImageOperation = defineOperation({
  id: "renameImage",
  method: "patch",
  path: "/api/v1/images/{id}",
  auth: "user",
  tag: "Images",
  summary: "Rename an image",
  description:
    "Changes the image's `name` (what lists, pages and downloaded files are called); nothing else changes. Renaming to the same name again is harmless.",
  params: { schema: idParams, notFound: "image" },
  body: { type: "application/json", schema: renameImageSchema },
  responses: {
    200: jsonResponse("The renamed image.", imageSchema),
    400: "The body is not valid JSON.",
    404: "No such image of yours.",
    415: "The body is not `application/json`.",
    422: "A bad `name` (1–200 characters, no control characters).",
  },
});
