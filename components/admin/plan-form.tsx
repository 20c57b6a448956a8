"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { useId, useState } from "react";
import { useForm } from "react-hook-form";
import type { z } from "zod";
import { createPlanAction, updatePlanAction } from "@/app/admin/plans/actions";
import { planFormSchema } from "@/lib/plans/schemas";
import { showActionErrors } from "./action-result";
import { Alert, checkboxClass, FieldError, inputClass, primaryButton, secondaryButton, Status } from "./ui";

type Input = z.input<typeof planFormSchema>;
type Output = z.output<typeof planFormSchema>;
const FIELDS = ["name", "heights", "originalLink", "expiringLinks"] as const;

export type EditablePlan = { id: string; name: string; heights: number[]; originalLink: boolean; expiringLinks: boolean; isDefault: boolean };

/**
 * Creates a plan, or edits one when `plan` is given. Heights are typed as text ("100, 300") and
 * parsed by planHeightsTextSchema, here and again on the server.
 */
export function PlanForm({ plan, onCancel }: { plan?: EditablePlan; onCancel?: () => void }) {
  const id = useId();
  const [serverError, setServerError] = useState<string | null>(null);
  const [status, setStatus] = useState("");
  const defaultValues: Input = plan
    ? { name: plan.name, heights: plan.heights.join(", "), originalLink: plan.originalLink, expiringLinks: plan.expiringLinks }
    : { name: "", heights: "", originalLink: false, expiringLinks: false };
  const {
    register,
    handleSubmit,
    reset,
    setError,
    getValues,
    formState: { errors, isSubmitting },
  } = useForm<Input, unknown, Output>({ resolver: zodResolver(planFormSchema), defaultValues });

  const onSubmit = handleSubmit(async (valid) => {
    setServerError(null);
    setStatus("");
    const result = plan ? await updatePlanAction(plan.id, getValues()) : await createPlanAction(getValues());
    if (result.ok) {
      if (!plan) reset(defaultValues);
      setStatus(plan ? `Saved plan ${valid.name}.` : `Created plan ${valid.name}.`);
      return;
    }
    setServerError(showActionErrors(result, FIELDS, setError));
  });

  const title = plan ? `Edit plan ${plan.name}` : "New plan";
  const errorId = (field: (typeof FIELDS)[number]) => `${id}-${field}-error`;

  return (
    <form onSubmit={onSubmit} noValidate aria-labelledby={`${id}-title`} className="flex flex-col gap-4 rounded border border-slate-200 bg-white p-4">
      <h2 id={`${id}-title`} className="text-lg font-semibold">
        {title}
      </h2>
      {plan?.isDefault && (
        <p className="text-sm text-slate-600">This is the default plan every new user gets: its name stays, its thumbnails and links can change.</p>
      )}
      <div className="grid gap-4 sm:grid-cols-2">
        <div className="flex flex-col gap-1">
          <label htmlFor={`${id}-name`} className="text-sm font-medium">
            Name
          </label>
          <input
            id={`${id}-name`}
            type="text"
            autoComplete="off"
            className={inputClass}
            aria-invalid={errors.name ? true : undefined}
            aria-describedby={errors.name ? errorId("name") : undefined}
            {...register("name")}
          />
          <FieldError id={errorId("name")} message={errors.name?.message} />
        </div>
        <div className="flex flex-col gap-1">
          <label htmlFor={`${id}-heights`} className="text-sm font-medium">
            Heights
          </label>
          <input
            id={`${id}-heights`}
            type="text"
            inputMode="numeric"
            autoComplete="off"
            placeholder="100, 300"
            className={inputClass}
            aria-invalid={errors.heights ? true : undefined}
            aria-describedby={[`${id}-heights-hint`, errors.heights ? errorId("heights") : ""].filter(Boolean).join(" ")}
            {...register("heights")}
          />
          <p id={`${id}-heights-hint`} className="text-xs text-slate-500">
            Thumbnail heights in pixels (1–4096), separated by commas, e.g. 100, 300.
          </p>
          <FieldError id={errorId("heights")} message={errors.heights?.message} />
        </div>
      </div>
      <div className="flex flex-wrap gap-x-6 gap-y-2">
        <div className="flex items-center gap-2">
          <input id={`${id}-original`} type="checkbox" className={checkboxClass} aria-describedby={`${id}-original-hint`} {...register("originalLink")} />
          <label htmlFor={`${id}-original`} className="text-sm font-medium">
            Original link
          </label>
          <span id={`${id}-original-hint`} className="text-xs text-slate-500">
            users can download the original file
          </span>
        </div>
        <div className="flex items-center gap-2">
          <input id={`${id}-expiring`} type="checkbox" className={checkboxClass} aria-describedby={`${id}-expiring-hint`} {...register("expiringLinks")} />
          <label htmlFor={`${id}-expiring`} className="text-sm font-medium">
            Expiring links
          </label>
          <span id={`${id}-expiring-hint`} className="text-xs text-slate-500">
            users can create temporary public links
          </span>
        </div>
      </div>
      <Alert>{serverError}</Alert>
      <div className="flex flex-wrap items-center gap-3">
        <button type="submit" disabled={isSubmitting} className={primaryButton}>
          {plan ? "Save plan" : "Create plan"}
        </button>
        {onCancel && (
          <button type="button" onClick={onCancel} className={`${secondaryButton} py-2`}>
            Cancel
          </button>
        )}
        <Status>{status}</Status>
      </div>
    </form>
  );
}
