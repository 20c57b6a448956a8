import { createTempLinkSchema, listTempLinksQuerySchema } from "@/lib/api/schemas";
import { apiRoute, json, methodNotAllowed } from "@/lib/http/api-route";
import { parseOrThrow } from "@/lib/http/problem";
import { readJson } from "@/lib/http/read-json";
import { createTempLink, listTempLinks, tempLinkJson } from "@/lib/links/temp-links";

export const POST = apiRoute(async ({ request, principal, baseUrl }) => {
  const body = parseOrThrow(createTempLinkSchema, await readJson(request));
  const link = await createTempLink(principal, { imageId: body.image_id, aliveSeconds: body.alive_duration });
  const { url, expires_at, image_id } = tempLinkJson(link, baseUrl);
  return json({ url, expires_at, image_id, alive_duration: body.alive_duration }, { status: 201 });
});

export const GET = apiRoute(async ({ request, principal, baseUrl }) => {
  const query = parseOrThrow(listTempLinksQuerySchema, Object.fromEntries(new URL(request.url).searchParams));
  const links = await listTempLinks(principal, query.image_id);
  return json({ items: links.map((l) => tempLinkJson(l, baseUrl)) });
});

export const PUT = methodNotAllowed(["GET", "POST"]);
export const PATCH = PUT;
export const DELETE = PUT;
