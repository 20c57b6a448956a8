"use client";

import { useId, useState, useTransition } from "react";
import { deletePlanAction } from "@/lib/actions/plans";
import { formatSize } from "@/lib/plans/sizes";
import { type EditablePlan, PlanForm } from "./plan-form";
import { Badge, CardCell, cardRow, cardTitleCell, dangerButton, secondaryButton } from "./ui";

export type PlanRowData = EditablePlan & { userCount: number };

/** One plan: its row, and below it (when open) the edit form or why a delete was refused. */
const perUnit = (n: number, unit: string) => (n === 0 ? `unlimited ${unit}` : `${n} ${unit}`);

/** Largest upload, quota and rates in a few words: "10 MB per file · 1 GB quota · 600 requests/min · 100 uploads/h". */
function planLimitsText(plan: Omit<PlanRowData, "id" | "name" | "heights" | "isDefault" | "userCount">): string {
  return [
    `${formatSize(plan.maxUploadBytes)} per file`,
    plan.quotaBytes === null ? "unlimited storage" : `${formatSize(plan.quotaBytes)} storage`,
    perUnit(plan.requestsPerMinute, "requests/min"),
    perUnit(plan.uploadsPerHour, "uploads/h"),
  ].join(" · ");
}

export function PlanRow({
  plan,
  columns,
  globalMaxBytes,
}: {
  plan: PlanRowData;
  columns: number;
  globalMaxBytes: number;
}) {
  const id = useId();
  const [editing, setEditing] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [deleting, startDelete] = useTransition();

  const onDelete = () =>
    startDelete(async () => {
      setError(null);
      const result = await deletePlanAction(plan.id);
      if (!result.ok) setError(result.error);
    });

  return (
    <>
      <tr role="row" className={`${cardRow} bg-surface`}>
        <th scope="row" role="rowheader" className={cardTitleCell}>
          {plan.name}
          {plan.isDefault && (
            <span
              className="ml-2 rounded bg-info-subtle px-2 py-0.5 text-xs font-medium text-accent"
              title="New users get this plan; it cannot be renamed or deleted."
            >
              Default
            </span>
          )}
        </th>
        <CardCell label="Heights" className="tabular-nums">
          {plan.heights.map((h) => `${h} px`).join(", ")}
        </CardCell>
        <CardCell label="Original link">
          <Badge on={plan.originalLink} onText="On" offText="Off" />
        </CardCell>
        <CardCell label="Expiring links">
          <Badge on={plan.expiringLinks} onText="On" offText="Off" />
        </CardCell>
        <CardCell label="Limits" className="text-xs">
          {planLimitsText(plan)}
        </CardCell>
        <CardCell label="Users" className="text-right tabular-nums">
          {plan.userCount}
        </CardCell>
        <CardCell label="Actions">
          <div className="flex flex-wrap gap-2">
            <button
              type="button"
              aria-expanded={editing}
              aria-controls={`${id}-details`}
              aria-label={`Edit plan ${plan.name}`}
              className={secondaryButton}
              onClick={() => setEditing(!editing)}
            >
              Edit
            </button>
            <button
              type="button"
              disabled={deleting}
              aria-label={`Delete plan ${plan.name}`}
              className={dangerButton}
              onClick={onDelete}
            >
              {deleting ? "Deleting…" : "Delete"}
            </button>
          </div>
        </CardCell>
      </tr>
      {(editing || error) && (
        <tr id={`${id}-details`} role="row" className="bg-canvas max-sm:-mt-3 max-sm:block max-sm:rounded-b">
          <td role="cell" colSpan={columns} className="px-3 py-3 max-sm:block max-sm:px-0">
            {error && (
              <div className="mb-3 flex flex-wrap items-start justify-between gap-3 rounded bg-danger-subtle p-3 text-sm text-danger-strong">
                <p role="alert">
                  Cannot delete {plan.name}: {error}
                </p>
                <button
                  type="button"
                  aria-label={`Dismiss message about ${plan.name}`}
                  className={secondaryButton}
                  onClick={() => setError(null)}
                >
                  Dismiss
                </button>
              </div>
            )}
            {editing && (
              <PlanForm key={plan.id} plan={plan} globalMaxBytes={globalMaxBytes} onCancel={() => setEditing(false)} />
            )}
          </td>
        </tr>
      )}
    </>
  );
}
