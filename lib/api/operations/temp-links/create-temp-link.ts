import { defineOperation, jsonResponse } from "../../operation";
import { MAX_ALIVE_SECONDS, MIN_ALIVE_SECONDS, createTempLinkSchema, tempLinkCreatedSchema } from "../../schemas";

export const createTempLinkOperation = defineOperation({
  id: "createTempLink",
  method: "post",
  path: "/api/v1/temp-links",
  auth: "user",
  tag: "Expiring links",
  summary: "Create an expiring link",
  description:
    "A URL anyone can open, without authentication, to fetch the image's original until it expires or is revoked. Requires a plan with expiring links.",
  body: { type: "application/json", schema: createTempLinkSchema },
  idempotent: true,
  responses: {
    201: jsonResponse("Created.", tempLinkCreatedSchema),
    400: "The body is not valid JSON.",
    403: "Your current plan does not include expiring links.",
    404: "`image_id` names no image of yours.",
    415: "The body is not sent as application/json.",
    422: `\`image_id\` is not a UUID, or \`alive_duration\` is not a whole number from ${MIN_ALIVE_SECONDS} to ${MAX_ALIVE_SECONDS}.`,
  },
});
