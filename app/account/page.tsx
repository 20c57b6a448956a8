import { requirePrincipal } from "@/lib/auth/session";
import { ApiTokens } from "@/components/account/api-tokens";
import { listApiTokens } from "@/lib/accounts/api-tokens";
import { UsageBar } from "@/components/gallery/usage-bar";
import { env } from "@/lib/env";
import { uploadLimit } from "@/lib/plans/entitlements";
import { usageOf } from "@/lib/plans/quota";
import { formatSize } from "@/lib/plans/sizes";

const perUnit = (n: number, what: string) => (n === 0 ? `No limit on ${what}` : `Up to ${n} ${what}`);

export default async function AccountPage() {
  const principal = await requirePrincipal("/account");
  const [tokens, usage] = await Promise.all([listApiTokens(principal.userId), usageOf(principal.userId)]);
  const { plan } = principal;
  return (
    <div className="flex flex-col gap-8">
      <section aria-labelledby="plan-heading" className="flex flex-col gap-2">
        <h1 className="text-2xl font-semibold">Account</h1>
        <p className="text-sm break-all text-muted">{principal.email}</p>
        <h2 id="plan-heading" className="mt-4 text-lg font-semibold">
          Plan: {plan.name}
        </h2>
        <ul className="list-inside list-disc text-sm">
          <li>Thumbnails: {plan.heights.map((h) => `${h} px`).join(", ")} high</li>
          <li>{plan.originalLink ? "Link to the original image" : "No link to the original image"}</li>
          <li>{plan.expiringLinks ? "Expiring links anyone can open (5 min to 8 h 20 min)" : "No expiring links"}</li>
          <li>Files up to {formatSize(uploadLimit(plan, env().MAX_UPLOAD_BYTES))} each</li>
          <li>
            {plan.quotaBytes === null ? "Unlimited storage" : `${formatSize(plan.quotaBytes)} of storage for originals`}
          </li>
          <li>{perUnit(plan.requestsPerMinute, "API requests per minute")}</li>
          <li>{perUnit(plan.uploadsPerHour, "uploads per hour")}</li>
        </ul>
      </section>
      <section aria-labelledby="usage-heading" className="flex flex-col gap-2">
        <h2 id="usage-heading" className="text-lg font-semibold">
          Storage
        </h2>
        <UsageBar bytes={usage.bytes} quotaBytes={usage.quotaBytes} label="Storage used" />
        <p className="text-sm text-muted">
          {usage.images} {usage.images === 1 ? "image" : "images"}; deleting an image frees its space at once.
        </p>
      </section>
      <ApiTokens
        tokens={tokens.map((t) => ({
          id: t.id,
          name: t.name,
          prefix: t.prefix,
          createdAt: t.createdAt.toISOString(),
          lastUsedAt: t.lastUsedAt?.toISOString() ?? null,
        }))}
      />
    </div>
  );
}
