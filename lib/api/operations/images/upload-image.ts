import { z } from "zod";
import { defineOperation, jsonResponse } from "../../operation";
import { imageSchema, uploadFormSchema } from "../../schemas";

export const uploadImageOperation = defineOperation({
  id: "uploadImage",
  method: "post",
  path: "/api/v1/images",
  auth: "user",
  tag: "Images",
  summary: "Upload an image",
  description:
    "Stores the original byte for byte and renders a thumbnail for each height of your plan (EXIF orientation applied, metadata stripped, same format as the source).",
  body: { type: "multipart/form-data", schema: uploadFormSchema },
  rateLimit: "upload",
  idempotent: true,
  responses: {
    201: jsonResponse("Created.", imageSchema, {
      Location: z.url().meta({ description: "The new image's URL (`/api/v1/images/{id}`)." }),
    }),
    400: "The multipart body could not be parsed.",
    403: "Over your plan's storage quota (`type` ends in `quota-exceeded`; the detail names the quota and your usage); nothing was stored.",
    413: "The file is larger than your plan's largest upload (never above MAX_UPLOAD_BYTES): refused from Content-Length, or as soon as a chunked body passes the limit.",
    415: "The body is not multipart/form-data, or the file is not PNG or JPEG (detected from its bytes).",
    422: "A bad `name`; no file, more than one file, or an empty, undecodable or truncated one; or an image over MAX_IMAGE_PIXELS.",
  },
});
