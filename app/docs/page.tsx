import type { Metadata } from "next";
import Link from "next/link";
import { requirePrincipal } from "@/lib/auth/session";
import { ApiReference } from "@/components/api-reference";
import { MAX_ALIVE_SECONDS, MIN_ALIVE_SECONDS } from "@/lib/api/schemas";

export const metadata: Metadata = { title: "API docs · Tiered Image Hosting" };

const link =
  "rounded font-medium text-accent underline decoration-accent-soft underline-offset-2 hover:decoration-accent focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-500";
const code = "rounded bg-subtle px-1 py-0.5 font-mono text-[0.85em]";

export default async function DocsPage() {
  const { plan } = await requirePrincipal("/docs");
  const facts: [string, string][] = [
    ["Thumbnail heights", plan.heights.map((h) => `${h} px`).join(", ")],
    ["Original image", plan.originalLink ? "yes" : "no"],
    ["Expiring links", plan.expiringLinks ? `yes, ${MIN_ALIVE_SECONDS}–${MAX_ALIVE_SECONDS} s` : "no"],
  ];

  return (
    <div className="flex flex-col gap-6">
      <header className="flex flex-col gap-3">
        <h1 className="text-2xl font-semibold">API docs</h1>
        <section
          aria-labelledby="docs-plan"
          className="flex flex-col gap-3 rounded-lg border border-line bg-surface p-4 text-sm text-fg-soft shadow-sm"
        >
          <h2 id="docs-plan" className="text-base font-semibold text-fg">
            Your plan: {plan.name}
          </h2>
          <dl className="grid grid-cols-[max-content_1fr] gap-x-4 gap-y-1">
            {facts.map(([term, value]) => (
              <div key={term} className="contents">
                <dt className="text-muted">{term}</dt>
                <dd className="font-medium text-fg">{value}</dd>
              </div>
            ))}
          </dl>
          <p>
            Requests outside the plan answer 403. <em>Test Request</em> below sends real requests as you with this
            browser&apos;s session; to act as an integration, create a token on the{" "}
            <Link href="/account" className={link}>
              Account page
            </Link>{" "}
            and paste it as the Bearer token (it is not stored). Scripts send{" "}
            <code className={code}>Authorization: Bearer &lt;token&gt;</code>; the document itself is{" "}
            <a href="/api/v1/openapi.json" className={`${link} font-mono`}>
              /api/v1/openapi.json
            </a>
            .
          </p>
        </section>
      </header>
      <ApiReference />
    </div>
  );
}
