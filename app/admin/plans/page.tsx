import type { Metadata } from "next";
import { requireStaff } from "@/lib/auth/session";
import { PlanForm } from "@/components/admin/plan-form";
import { PlanRow } from "@/components/admin/plan-row";
import { cardTable, cardTableBody, cardTableHead, cardTableWrapper, HeaderRow } from "@/components/admin/ui";
import { listPlansWithUserCounts } from "@/lib/admin/manage-plans";
import { env } from "@/lib/env";

export const metadata: Metadata = { title: "Plans · Tiered Image Hosting" };

const COLUMNS = ["Name", "Heights", "Original link", "Expiring links", "Limits", "Users", "Actions"] as const;

export default async function PlansPage() {
  const actor = await requireStaff("/admin/plans");
  const plans = await listPlansWithUserCounts(actor);
  const globalMaxBytes = env().MAX_UPLOAD_BYTES;
  return (
    <div className="flex flex-col gap-6">
      <div className="flex flex-col gap-1">
        <h1 className="text-2xl font-semibold">Plans</h1>
        <p className="text-sm text-muted">
          Changes apply to every user on the plan at once, existing images included: a new thumbnail height is produced
          on its first request.
        </p>
      </div>

      <div className={cardTableWrapper}>
        {/* A card per plan under sm (see cardTable); the full table scrolls sideways above it. */}
        <table role="table" className={`${cardTable} sm:min-w-[56rem]`}>
          <caption className="sr-only">Plans and how many users are on each</caption>
          <thead role="rowgroup" className={cardTableHead}>
            <HeaderRow columns={COLUMNS} numeric="Users" />
          </thead>
          <tbody role="rowgroup" className={cardTableBody}>
            {plans.map((plan) => (
              <PlanRow
                key={plan.id}
                columns={COLUMNS.length}
                globalMaxBytes={globalMaxBytes}
                plan={{
                  id: plan.id,
                  name: plan.name,
                  heights: plan.heights,
                  originalLink: plan.originalLink,
                  expiringLinks: plan.expiringLinks,
                  maxUploadBytes: plan.maxUploadBytes,
                  quotaBytes: plan.quotaBytes,
                  requestsPerMinute: plan.requestsPerMinute,
                  uploadsPerHour: plan.uploadsPerHour,
                  isDefault: plan.isDefault,
                  userCount: plan.userCount,
                }}
              />
            ))}
          </tbody>
        </table>
      </div>
      <p className="text-sm text-muted">A plan can be deleted once nobody is on it; the default plan stays.</p>

      <PlanForm globalMaxBytes={globalMaxBytes} />
    </div>
  );
}
