import { defineOperation, ifNoneMatch, mediaResponses } from "../../operation";
import { linkTokenParams, mediaQuerySchema } from "../../schemas";

export const openTempLinkOperation = defineOperation({
  id: "openTempLink",
  method: "get",
  path: "/l/{token}",
  auth: "public",
  tag: "Expiring links",
  summary: "Open an expiring link (public)",
  description:
    "The `url` of an expiring link: no authentication, the original's bytes until `expires_at`. Never cached (`no-store`), so a revoked link stops serving at once.",
  params: { schema: linkTokenParams, notFound: "link" },
  query: mediaQuerySchema,
  headers: ifNoneMatch,
  responses: {
    ...mediaResponses("private, no-store"),
    404: "The token is tampered with or unknown.",
    410: "Gone: the link expired or was revoked, or its owner's plan no longer includes expiring links or the owner was deactivated.",
    422: "`download` is given but is not `1`.",
  },
});
