"use client";

import { useId } from "react";
import type { z } from "zod";
import { useActionForm } from "@/components/forms/use-action-form";
import { createUserAction } from "@/lib/actions/users";
import { adminCreateUserSchema } from "@/lib/accounts/schemas";
import { Alert, checkboxClass, FieldError, inputClass, primaryButton, Status } from "./ui";

type Input = z.input<typeof adminCreateUserSchema>;

export type PlanOption = { id: string; name: string };

export function CreateUserForm({ plans, defaultPlanId }: { plans: PlanOption[]; defaultPlanId: string }) {
  const id = useId();
  const {
    form: {
      register,
      formState: { errors, isSubmitting },
    },
    submit,
    formError,
    status,
  } = useActionForm({
    schema: adminCreateUserSchema,
    defaultValues: { email: "", password: "", planId: defaultPlanId, isStaff: false },
    action: createUserAction,
    onSuccess: (_, user) => `Created user ${user.email}.`,
  });

  const describedBy = (field: keyof Input) => (errors[field] ? `${id}-${field}-error` : undefined);

  return (
    <form
      onSubmit={submit}
      noValidate
      aria-labelledby={`${id}-title`}
      className="flex flex-col gap-4 rounded border border-line bg-surface p-4"
    >
      <h2 id={`${id}-title`} className="text-lg font-semibold">
        New user
      </h2>
      <div className="grid gap-4 sm:grid-cols-2 lg:grid-cols-4">
        <div className="flex flex-col gap-1">
          <label htmlFor={`${id}-email`} className="text-sm font-medium">
            E-mail
          </label>
          <input
            id={`${id}-email`}
            type="email"
            autoComplete="off"
            className={inputClass}
            aria-invalid={errors.email ? true : undefined}
            aria-describedby={describedBy("email")}
            {...register("email")}
          />
          <FieldError id={`${id}-email-error`} message={errors.email?.message} />
        </div>
        <div className="flex flex-col gap-1">
          <label htmlFor={`${id}-password`} className="text-sm font-medium">
            Password
          </label>
          <input
            id={`${id}-password`}
            type="password"
            autoComplete="new-password"
            className={inputClass}
            aria-invalid={errors.password ? true : undefined}
            aria-describedby={[`${id}-password-hint`, describedBy("password")].filter(Boolean).join(" ")}
            {...register("password")}
          />
          <p id={`${id}-password-hint`} className="text-xs text-muted">
            At least 8 characters.
          </p>
          <FieldError id={`${id}-password-error`} message={errors.password?.message} />
        </div>
        <div className="flex flex-col gap-1">
          <label htmlFor={`${id}-plan`} className="text-sm font-medium">
            Plan
          </label>
          <select
            id={`${id}-plan`}
            className={inputClass}
            aria-invalid={errors.planId ? true : undefined}
            aria-describedby={describedBy("planId")}
            {...register("planId")}
          >
            {plans.map((plan) => (
              <option key={plan.id} value={plan.id}>
                {plan.name}
              </option>
            ))}
          </select>
          <FieldError id={`${id}-planId-error`} message={errors.planId?.message} />
        </div>
        <div className="flex flex-col justify-center gap-1">
          <div className="flex items-center gap-2">
            <input
              id={`${id}-staff`}
              type="checkbox"
              className={checkboxClass}
              aria-describedby={`${id}-staff-hint`}
              {...register("isStaff")}
            />
            <label htmlFor={`${id}-staff`} className="text-sm font-medium">
              Staff
            </label>
          </div>
          <p id={`${id}-staff-hint`} className="text-xs text-muted">
            Staff can manage users and plans.
          </p>
          <FieldError id={`${id}-isStaff-error`} message={errors.isStaff?.message} />
        </div>
      </div>
      <Alert>{formError}</Alert>
      <div className="flex flex-wrap items-center gap-4">
        <button type="submit" disabled={isSubmitting} className={primaryButton}>
          {isSubmitting ? "Creating…" : "Create user"}
        </button>
        <Status>{status}</Status>
      </div>
    </form>
  );
}
