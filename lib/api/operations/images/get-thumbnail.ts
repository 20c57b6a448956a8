import { defineOperation, ifNoneMatch, mediaResponses } from "../../operation";
import { thumbnailParams, thumbnailQuerySchema } from "../../schemas";

export const getThumbnailOperation = defineOperation({
  id: "getThumbnail",
  method: "get",
  path: "/api/v1/images/{id}/thumbnails/{height}",
  auth: "user",
  tag: "Media",
  summary: "Get a thumbnail",
  description:
    "The thumbnail at one of your plan's heights. Never upscaled: an image shorter than the height is served at its own size. Encoded as AVIF when `Accept` names `image/avif`, else WebP when it names `image/webp`, else in the source format (q-values honoured, `q=0` excludes; a wildcard alone gets the source format); `?format=` forces one. `Vary: Accept`, an ETag per encoding, cached privately for a year (`immutable`).",
  params: { schema: thumbnailParams, notFound: "thumbnail" },
  query: thumbnailQuerySchema,
  headers: ifNoneMatch,
  responses: {
    ...mediaResponses("private, max-age=31536000, immutable"),
    403: "The height is not one of your current plan's heights.",
    404: "No such image of yours, or the height is not a number.",
    422: "`download` is given but is not `1`, or `format` is not one of avif, webp, jpeg, png.",
  },
});
