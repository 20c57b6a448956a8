import { z } from "zod";
import { defineOperation, jsonResponse } from "../../operation";
import { idParams, imageSchema } from "../../schemas";

export const completeUploadOperation = defineOperation({
  id: "completeUpload",
  method: "post",
  path: "/api/v1/uploads/{id}/complete",
  auth: "user",
  tag: "Uploads",
  summary: "Complete a direct upload",
  description:
    "After the file was sent to the upload's `url`: it is validated exactly as a multipart upload is (type from its bytes, pixel limit, a decode to its end, your quota) and becomes an image with the upload's id, thumbnails made. A refused file gets the same status as a multipart upload, and it is deleted. Calling it again answers the same image: the work is done once.",
  params: { schema: idParams, notFound: "upload" },
  responses: {
    201: jsonResponse("Created: the image.", imageSchema, {
      Location: z.url().meta({ description: "The image's URL (`/api/v1/images/{id}`)." }),
    }),
    403: "Over your plan's storage quota (`type` ends in `quota-exceeded`); the file was deleted.",
    404: "No such upload of yours (or it was refused or removed after expiring).",
    409: "No file has been sent to `url` yet (send it, then call again), or another request is completing this upload.",
    410: "The upload expired (15 minutes after `expires_at`) before it was completed; its file was deleted.",
    413: "The file is larger than your plan's largest upload; it was deleted.",
    415: "The file is not PNG or JPEG (detected from its bytes); it was deleted.",
    422: "The file is empty, undecodable or truncated, over MAX_IMAGE_PIXELS, or not the size announced; it was deleted.",
  },
});
