import { getAccountOperation } from "@/lib/api/operations/account/get-account";
import { json, methodNotAllowed, route } from "@/lib/http/api-route";
import { env } from "@/lib/env";
import { uploadLimit } from "@/lib/plans/entitlements";
import { usageOf } from "@/lib/plans/quota";
import type { AccountJson } from "@/lib/api/schemas";

export const GET = route(getAccountOperation, async ({ principal }) => {
  const { plan } = principal;
  const usage = await usageOf(principal.userId);
  const body: AccountJson = {
    email: principal.email,
    plan: {
      name: plan.name,
      heights: plan.heights,
      original: plan.originalLink,
      expiring_links: plan.expiringLinks,
      max_upload_bytes: uploadLimit(plan, env().MAX_UPLOAD_BYTES),
      quota_bytes: plan.quotaBytes,
      requests_per_minute: plan.requestsPerMinute,
      uploads_per_hour: plan.uploadsPerHour,
    },
    usage: { images: usage.images, bytes: usage.bytes, quota_bytes: usage.quotaBytes },
  };
  return json(body);
});

export const POST = methodNotAllowed(["GET"]);
export const PUT = POST;
export const PATCH = POST;
export const DELETE = POST;
