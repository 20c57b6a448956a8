import { defineOperation, jsonResponse } from "../../operation";
import { accountSchema } from "../../schemas";

export const getAccountOperation = defineOperation({
  id: "getAccount",
  method: "get",
  path: "/api/v1/account",
  auth: "user",
  tag: "Account",
  summary: "Your account, plan limits and usage",
  description:
    "Your e-mail, what your current plan allows (thumbnails, links, upload size, storage quota, rate limits) and how much of the quota your images use.",
  responses: { 200: jsonResponse("Your account.", accountSchema) },
});
