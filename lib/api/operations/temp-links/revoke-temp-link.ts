import { defineOperation, noContent } from "../../operation";
import { idParams } from "../../schemas";

export const revokeTempLinkOperation = defineOperation({
  id: "revokeTempLink",
  method: "delete",
  path: "/api/v1/temp-links/{id}",
  auth: "user",
  tag: "Expiring links",
  summary: "Revoke an expiring link",
  description: "The link answers 410 from then on. Revoking an already revoked link of yours is 204 again.",
  params: { schema: idParams, notFound: "link" },
  responses: { 204: noContent, 404: "No such link of yours." },
});
