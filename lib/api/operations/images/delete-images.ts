import { defineOperation, jsonResponse } from "../../operation";
import { deleteImagesResultSchema, deleteImagesSchema, MAX_BULK_IDS } from "../../schemas";

export const deleteImagesOperation = defineOperation({
  id: "deleteImages",
  method: "post",
  path: "/api/v1/images/delete",
  auth: "user",
  tag: "Images",
  summary: "Delete several images",
  description: `Deletes up to ${MAX_BULK_IDS} of your images at once, each as DELETE /api/v1/images/{id} does (original, thumbnails and expiring links go too, and its bytes leave your quota; an image is deleted whole or not at all). Answers a result per id: \`deleted\`, \`not_found\`, or \`failed\` if the storage could not be reached for it. Sending the same ids again is harmless: the deleted ones are then \`not_found\`.`,
  body: { type: "application/json", schema: deleteImagesSchema },
  responses: {
    200: jsonResponse("Done: one result per id.", deleteImagesResultSchema),
    400: "The body is not valid JSON.",
    415: "The body is not `application/json`.",
    422: `\`ids\` is not a list of 1 to ${MAX_BULK_IDS} distinct UUIDs.`,
  },
});
