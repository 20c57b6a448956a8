import { requirePrincipal } from "@/lib/auth/session";
import { ApiTokens } from "@/components/account/api-tokens";
import { listApiTokens } from "@/lib/accounts/api-tokens";

export default async function AccountPage() {
  const principal = await requirePrincipal("/account");
  const tokens = await listApiTokens(principal.userId);
  const { plan } = principal;
  return (
    <div className="flex flex-col gap-8">
      <section aria-labelledby="plan-heading" className="flex flex-col gap-2">
        <h1 className="text-2xl font-semibold">Account</h1>
        <p className="text-sm text-slate-600">{principal.email}</p>
        <h2 id="plan-heading" className="mt-4 text-lg font-semibold">
          Plan: {plan.name}
        </h2>
        <ul className="list-inside list-disc text-sm">
          <li>Thumbnails: {plan.heights.map((h) => `${h} px`).join(", ")} high</li>
          <li>{plan.originalLink ? "Link to the original image" : "No link to the original image"}</li>
          <li>{plan.expiringLinks ? "Expiring links anyone can open (5 min to 8 h 20 min)" : "No expiring links"}</li>
        </ul>
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
