"use client";

import { useId } from "react";
import type { z } from "zod";
import { useActionForm } from "@/components/forms/use-action-form";
import { createPlanAction, updatePlanAction } from "@/lib/actions/plans";
import { PREMIUM_LIMITS } from "@/lib/plans/builtin";
import type { Entitlements } from "@/lib/plans/entitlements";
import { planFormSchemaFor } from "@/lib/plans/schemas";
import { bytesToMbText, formatSize } from "@/lib/plans/sizes";
import { Alert, checkboxClass, FieldError, inputClass, primaryButton, secondaryButton, Status } from "./ui";

type Input = z.input<ReturnType<typeof planFormSchemaFor>>;

export type EditablePlan = Entitlements & { id: string; name: string; isDefault: boolean };

type LimitField = "maxUploadMb" | "quotaMb" | "requestsPerMinute" | "uploadsPerHour";

/**
 * Creates a plan, or edits one when `plan` is given. Heights are typed as text ("100, 300") and
 * parsed by planHeightsTextSchema, sizes in MB, here and again on the server. `globalMaxBytes`
 * is the server's MAX_UPLOAD_BYTES: no plan's largest upload may exceed it.
 */
export function PlanForm({
  plan,
  globalMaxBytes,
  onCancel,
}: {
  plan?: EditablePlan;
  globalMaxBytes: number;
  onCancel?: () => void;
}) {
  const id = useId();
  const limits = plan ?? { ...PREMIUM_LIMITS, maxUploadBytes: Math.min(PREMIUM_LIMITS.maxUploadBytes, globalMaxBytes) };
  const limitValues = {
    maxUploadMb: bytesToMbText(limits.maxUploadBytes),
    quotaMb: limits.quotaBytes === null ? "" : bytesToMbText(limits.quotaBytes),
    requestsPerMinute: String(limits.requestsPerMinute),
    uploadsPerHour: String(limits.uploadsPerHour),
  };
  const {
    form: {
      register,
      formState: { errors, isSubmitting },
    },
    submit,
    formError,
    status,
  } = useActionForm({
    schema: planFormSchemaFor(globalMaxBytes),
    defaultValues: plan
      ? {
          name: plan.name,
          heights: plan.heights.join(", "),
          originalLink: plan.originalLink,
          expiringLinks: plan.expiringLinks,
          ...limitValues,
        }
      : { name: "", heights: "", originalLink: false, expiringLinks: false, ...limitValues },
    action: (values) => (plan ? updatePlanAction(plan.id, values) : createPlanAction(values)),
    // An edit keeps what was saved in its fields; a new plan's form starts over.
    resetOnSuccess: !plan,
    onSuccess: (_, saved) => (plan ? `Saved plan ${saved.name}.` : `Created plan ${saved.name}.`),
  });

  const title = plan ? `Edit plan ${plan.name}` : "New plan";
  const errorId = (field: keyof Input) => `${id}-${field}-error`;

  const limitField = (field: LimitField, label: string, hint: string, placeholder: string) => (
    <div className="flex flex-col gap-1">
      <label htmlFor={`${id}-${field}`} className="text-sm font-medium">
        {label}
      </label>
      <input
        id={`${id}-${field}`}
        type="text"
        inputMode="decimal"
        autoComplete="off"
        placeholder={placeholder}
        className={inputClass}
        aria-invalid={errors[field] ? true : undefined}
        aria-describedby={[`${id}-${field}-hint`, errors[field] ? errorId(field) : ""].filter(Boolean).join(" ")}
        {...register(field)}
      />
      <p id={`${id}-${field}-hint`} className="text-xs text-muted">
        {hint}
      </p>
      <FieldError id={errorId(field)} message={errors[field]?.message} />
    </div>
  );

  return (
    <form
      onSubmit={submit}
      noValidate
      aria-labelledby={`${id}-title`}
      className="flex flex-col gap-4 rounded border border-line bg-surface p-4"
    >
      <h2 id={`${id}-title`} className="text-lg font-semibold">
        {title}
      </h2>
      {plan?.isDefault && (
        <p className="text-sm text-muted">
          This is the default plan every new user gets: its name stays, its thumbnails and links can change.
        </p>
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
            aria-describedby={[`${id}-heights-hint`, errors.heights ? errorId("heights") : ""]
              .filter(Boolean)
              .join(" ")}
            {...register("heights")}
          />
          <p id={`${id}-heights-hint`} className="text-xs text-muted">
            Thumbnail heights in pixels (1–4096), separated by commas, e.g. 100, 300.
          </p>
          <FieldError id={errorId("heights")} message={errors.heights?.message} />
        </div>
      </div>
      <fieldset className="grid min-w-0 gap-4 sm:grid-cols-2">
        <legend className="mb-2 text-sm font-semibold">Limits</legend>
        {limitField(
          "maxUploadMb",
          "Largest upload (MB)",
          `Per file, 1 MB = 1024 × 1024 bytes; at most ${formatSize(globalMaxBytes)}, the server-wide MAX_UPLOAD_BYTES.`,
          "25",
        )}
        {limitField(
          "quotaMb",
          "Storage quota (MB)",
          "Originals a user may keep; leave empty for unlimited.",
          "unlimited",
        )}
        {limitField("requestsPerMinute", "Requests per minute", "API requests per user; 0 for unlimited.", "600")}
        {limitField("uploadsPerHour", "Uploads per hour", "Per user; 0 for unlimited.", "1000")}
      </fieldset>
      <div className="flex flex-wrap gap-x-6 gap-y-2">
        <div className="flex flex-wrap items-center gap-x-2">
          <input
            id={`${id}-original`}
            type="checkbox"
            className={checkboxClass}
            aria-describedby={`${id}-original-hint`}
            {...register("originalLink")}
          />
          <label htmlFor={`${id}-original`} className="text-sm font-medium">
            Original link
          </label>
          <span id={`${id}-original-hint`} className="text-xs text-muted">
            users can download the original file
          </span>
        </div>
        <div className="flex flex-wrap items-center gap-x-2">
          <input
            id={`${id}-expiring`}
            type="checkbox"
            className={checkboxClass}
            aria-describedby={`${id}-expiring-hint`}
            {...register("expiringLinks")}
          />
          <label htmlFor={`${id}-expiring`} className="text-sm font-medium">
            Expiring links
          </label>
          <span id={`${id}-expiring-hint`} className="text-xs text-muted">
            users can create temporary public links
          </span>
        </div>
      </div>
      <Alert>{formError}</Alert>
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
