import { listImagesQuerySchema, uploadFieldsSchema } from "@/lib/api/schemas";
import { env } from "@/lib/env";
import { apiRoute, json, methodNotAllowed } from "@/lib/http/api-route";
import { ApiError, parseOrThrow } from "@/lib/http/problem";
import { readUpload } from "@/lib/http/read-upload";
import { imageJson, imagePath } from "@/lib/images/image-json";
import { listImages } from "@/lib/images/list-images";
import { uploadImage } from "@/lib/images/upload-image";

export const GET = apiRoute(async ({ request, principal, baseUrl }) => {
  const query = parseOrThrow(listImagesQuerySchema, Object.fromEntries(new URL(request.url).searchParams));
  const page = await listImages(principal.userId, query);
  return json({ items: page.items.map((i) => imageJson(i, principal.plan, baseUrl)), next_cursor: page.nextCursor });
});

export const POST = apiRoute(async ({ request, principal, baseUrl }) => {
  const upload = await readUpload(request, env().MAX_UPLOAD_BYTES);
  const { name } = parseOrThrow(uploadFieldsSchema, { name: upload.name ?? undefined });
  if (!upload.file) throw new ApiError(422, "image: a file is required.", { image: ["a file is required"] });
  const image = await uploadImage(principal, { name, bytes: Buffer.from(await upload.file.arrayBuffer()) });
  return json(imageJson(image, principal.plan, baseUrl), { status: 201, headers: { Location: baseUrl + imagePath(image.id) } });
});

export const PUT = methodNotAllowed(["GET", "POST"]);
export const PATCH = PUT;
export const DELETE = PUT;
