"use client";

import { useId, useState, useTransition } from "react";
import { useActionForm } from "@/components/forms/use-action-form";
import { resetPasswordSchema } from "@/lib/accounts/schemas";
import type { ActionResult } from "@/lib/actions/result";
import { resetPasswordAction, setUserActiveAction, setUserPlanAction, setUserStaffAction } from "@/lib/actions/users";
import type { PlanOption } from "./create-user-form";
import { dangerButton, FieldError, secondaryButton, smallInputClass } from "./ui";

function InlineError({ message }: { message: string | null }) {
  if (!message) return null;
  return (
    <p role="alert" className="max-w-64 text-xs text-danger">
      {message}
    </p>
  );
}

/** Runs a server action in a transition; keeps its failure message for display. */
function useAction() {
  const [pending, startTransition] = useTransition();
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const run = (action: () => Promise<ActionResult>, success: string) =>
    startTransition(async () => {
      setError(null);
      setDone(null);
      const result = await action();
      if (result.ok) setDone(success);
      else setError(result.error);
    });
  return { pending, error, done, run };
}

/** Per-row plan change: pick a plan, then "Save plan". Effective on the user's next request. */
export function UserPlanControl({
  userId,
  email,
  planId,
  plans,
}: {
  userId: string;
  email: string;
  planId: string;
  plans: PlanOption[];
}) {
  const id = useId();
  const [selected, setSelected] = useState(planId);
  const { pending, error, done, run } = useAction();
  const changed = selected !== planId;
  return (
    <form
      className="flex flex-col gap-1"
      onSubmit={(event) => {
        event.preventDefault();
        const name = plans.find((p) => p.id === selected)?.name ?? "the new plan";
        run(() => setUserPlanAction(userId, selected), `Now on ${name}.`);
      }}
    >
      <div className="flex flex-wrap items-center gap-2">
        <label htmlFor={`${id}-plan`} className="sr-only">
          Plan for {email}
        </label>
        <select
          id={`${id}-plan`}
          value={selected}
          onChange={(e) => setSelected(e.target.value)}
          className={`${smallInputClass} max-w-full`}
        >
          {plans.map((plan) => (
            <option key={plan.id} value={plan.id}>
              {plan.name}
            </option>
          ))}
        </select>
        <button
          type="submit"
          disabled={pending}
          aria-label={`Save plan for ${email}`}
          className={`${secondaryButton} ${changed ? "border-fg font-semibold" : ""}`}
        >
          {pending ? "Saving…" : "Save plan"}
        </button>
      </div>
      <InlineError message={error} />
      <span role="status" className="text-xs text-success">
        {done && !changed ? done : ""}
      </span>
    </form>
  );
}

/** Activate / deactivate and staff on / off. A staff member never gets these for themselves. */
export function UserAccessControls({
  userId,
  email,
  isActive,
  isStaff,
  isSelf,
}: {
  userId: string;
  email: string;
  isActive: boolean;
  isStaff: boolean;
  isSelf: boolean;
}) {
  const { pending, error, run } = useAction();
  if (isSelf) {
    return <p className="max-w-48 text-xs text-muted">This is you: another staff member must change your access.</p>;
  }
  return (
    <div className="flex flex-col gap-1">
      <div className="flex flex-wrap gap-2">
        {isActive ? (
          <button
            type="button"
            disabled={pending}
            aria-label={`Deactivate ${email}`}
            className={dangerButton}
            onClick={() => run(() => setUserActiveAction(userId, false), "")}
          >
            Deactivate
          </button>
        ) : (
          <button
            type="button"
            disabled={pending}
            aria-label={`Activate ${email}`}
            className={secondaryButton}
            onClick={() => run(() => setUserActiveAction(userId, true), "")}
          >
            Activate
          </button>
        )}
        {isStaff ? (
          <button
            type="button"
            disabled={pending}
            aria-label={`Revoke staff from ${email}`}
            className={secondaryButton}
            onClick={() => run(() => setUserStaffAction(userId, false), "")}
          >
            Revoke staff
          </button>
        ) : (
          <button
            type="button"
            disabled={pending}
            aria-label={`Grant staff to ${email}`}
            className={secondaryButton}
            onClick={() => run(() => setUserStaffAction(userId, true), "")}
          >
            Grant staff
          </button>
        )}
      </div>
      <InlineError message={error} />
    </div>
  );
}

/** "Reset password" opens a small form for the new password. */
export function ResetPasswordControl({ userId, email }: { userId: string; email: string }) {
  const id = useId();
  const [open, setOpen] = useState(false);
  // Shown beside the button, after the form has closed; cleared when it opens again.
  const [status, setStatus] = useState("");
  const {
    form: {
      register,
      setFocus,
      formState: { errors, isSubmitting },
    },
    submit,
    formError,
  } = useActionForm({
    schema: resetPasswordSchema,
    defaultValues: { password: "" },
    action: (values) => resetPasswordAction(userId, values),
    onSuccess: () => {
      setOpen(false);
      setStatus("Password changed.");
    },
  });

  return (
    <div className="flex flex-col items-start gap-1">
      <button
        type="button"
        aria-expanded={open}
        aria-controls={`${id}-form`}
        aria-label={`Reset password for ${email}`}
        className={secondaryButton}
        onClick={() => {
          setStatus("");
          setOpen(!open);
          if (!open) setTimeout(() => setFocus("password"), 0);
        }}
      >
        Reset password
      </button>
      <span role="status" className="text-xs text-success">
        {status}
      </span>
      <form id={`${id}-form`} hidden={!open} onSubmit={submit} noValidate className="flex flex-col gap-1">
        <label htmlFor={`${id}-password`} className="text-xs font-medium">
          New password for {email}
        </label>
        <div className="flex flex-wrap gap-2">
          <input
            id={`${id}-password`}
            type="password"
            autoComplete="new-password"
            className={`${smallInputClass} w-40 max-w-full`}
            aria-invalid={errors.password ? true : undefined}
            aria-describedby={errors.password ? `${id}-password-error` : undefined}
            {...register("password")}
          />
          <button
            type="submit"
            disabled={isSubmitting}
            aria-label={`Set password for ${email}`}
            className={secondaryButton}
          >
            Set password
          </button>
        </div>
        <FieldError id={`${id}-password-error`} message={errors.password?.message} />
        <InlineError message={formError} />
      </form>
    </div>
  );
}
