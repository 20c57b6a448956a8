import { defineOperation, jsonResponse } from "../../operation";
import { listTempLinksQuerySchema, tempLinkListSchema } from "../../schemas";

export const listTempLinksOperation = defineOperation({
  id: "listTempLinks",
  method: "get",
  path: "/api/v1/temp-links",
  auth: "user",
  tag: "Expiring links",
  summary: "List your live expiring links",
  description: "Links not yet expired nor revoked, newest first; all of them or one image's.",
  query: listTempLinksQuerySchema,
  responses: {
    200: jsonResponse("Your live links.", tempLinkListSchema),
    404: "`image_id` names no image of yours.",
    422: "`image_id` is not a UUID.",
  },
});
