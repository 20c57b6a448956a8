import { defineOperation, jsonResponse } from "../../operation";
import { imageListSchema, listImagesQuerySchema } from "../../schemas";

export const listImagesOperation = defineOperation({
  id: "listImages",
  method: "get",
  path: "/api/v1/images",
  auth: "user",
  tag: "Images",
  summary: "List your images",
  description:
    "Newest first (or `sort=oldest`, `sort=name`), keyset-paginated: pass a page's `next_cursor` as `cursor` for the next page (stable while uploads happen); `next_cursor` is null on the last page. `q` keeps the images whose name contains it, ignoring case; still at most 2 statements per page, whatever the sort or search.",
  query: listImagesQuerySchema,
  responses: {
    200: jsonResponse("A page of images.", imageListSchema),
    422: "`limit` is not a whole number from 1 to 100, `sort` is not newest, oldest or name, `q` is over 100 characters, or `cursor` is not one this API returned for this `sort`.",
  },
});
