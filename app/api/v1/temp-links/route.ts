import { createTempLinkOperation } from "@/lib/api/operations/temp-links/create-temp-link";
import { listTempLinksOperation } from "@/lib/api/operations/temp-links/list-temp-links";
import { json, methodNotAllowed, route } from "@/lib/http/api-route";
import { createTempLink, listTempLinks, tempLinkJson } from "@/lib/links/temp-links";

export const POST = route(createTempLinkOperation, async ({ principal, body, baseUrl }) => {
  const link = await createTempLink(principal, { imageId: body.image_id, aliveSeconds: body.alive_duration });
  const { url, page_url, expires_at, image_id } = tempLinkJson(link, baseUrl);
  return json({ url, page_url, expires_at, image_id, alive_duration: body.alive_duration }, { status: 201 });
});

export const GET = route(listTempLinksOperation, async ({ principal, query, baseUrl }) => {
  const links = await listTempLinks(principal, query.image_id);
  return json({ items: links.map((l) => tempLinkJson(l, baseUrl)) });
});

export const PUT = methodNotAllowed(["GET", "POST"]);
export const PATCH = PUT;
export const DELETE = PUT;
