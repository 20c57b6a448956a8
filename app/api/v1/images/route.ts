import { listImagesOperation } from "@/lib/api/operations/images/list-images";
import { uploadImageOperation } from "@/lib/api/operations/images/upload-image";
import { json, methodNotAllowed, route } from "@/lib/http/api-route";
import { readUploadedFile } from "@/lib/http/uploaded-file";
import { imageJson, imagePath } from "@/lib/images/image-json";
import { listImages, listImagesByApiToken } from "@/lib/images/list-images";
import { uploadImage } from "@/lib/images/upload-image";

export const GET = route(
  listImagesOperation,
  // A Bearer request is authenticated by the page's own statement: one statement, not two.
  { bearerRead: (token, { query }) => listImagesByApiToken(token, query) },
  async ({ principal, query, baseUrl, bearerResult }) => {
    const page = bearerResult?.page ?? (await listImages(principal.userId, query));
    return json({ items: page.items.map((i) => imageJson(i, principal.plan, baseUrl)), next_cursor: page.nextCursor });
  },
);

export const POST = route(uploadImageOperation, async ({ principal, body, baseUrl }) => {
  const file = await readUploadedFile(body.image);
  const image = await uploadImage(principal, { name: body.name, bytes: file.bytes, sha256: file.sha256 });
  return json(imageJson(image, principal.plan, baseUrl), {
    status: 201,
    headers: { Location: baseUrl + imagePath(image.id) },
  });
});

export const PUT = methodNotAllowed(["GET", "POST"]);
export const PATCH = PUT;
export const DELETE = PUT;
