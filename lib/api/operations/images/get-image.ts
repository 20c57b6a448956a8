import { defineOperation, jsonResponse } from "../../operation";
import { idParams, imageSchema } from "../../schemas";

export const getImageOperation = defineOperation({
  id: "getImage",
  method: "get",
  path: "/api/v1/images/{id}",
  auth: "user",
  tag: "Images",
  summary: "Get one image",
  description: "The image as your current plan shows it.",
  params: { schema: idParams, notFound: "image" },
  responses: { 200: jsonResponse("The image.", imageSchema), 404: "No such image of yours." },
});
