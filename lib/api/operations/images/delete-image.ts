import { defineOperation, noContent } from "../../operation";
import { idParams } from "../../schemas";

export const deleteImageOperation = defineOperation({
  id: "deleteImage",
  method: "delete",
  path: "/api/v1/images/{id}",
  auth: "user",
  tag: "Images",
  summary: "Delete an image",
  description: "Deletes the image, its original, its thumbnails and its expiring links.",
  params: { schema: idParams, notFound: "image" },
  responses: { 204: noContent, 404: "No such image of yours." },
});
