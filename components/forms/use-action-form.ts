import { zodResolver } from "@hookform/resolvers/zod";
import { type BaseSyntheticEvent, useState } from "react";
import { type DefaultValues, type FieldValues, type Path, useForm, type UseFormReturn } from "react-hook-form";
import type { z } from "zod";
import type { ActionFailure, ActionResult, ActionSuccess } from "@/lib/actions/result";

type ActionFormOptions<TInput extends FieldValues, TOutput extends FieldValues, TData extends object> = {
  /** Validates in the browser; the action parses the same values with the same schema on the server. */
  schema: z.ZodType<TOutput, TInput>;
  /** Every field of the form: its keys are the fields server field errors can land on. */
  defaultValues: NoInfer<TInput>;
  /** Gets the values as typed (not the schema's output), once they pass the schema. */
  action: (values: NoInfer<TInput>) => Promise<ActionResult<TData>>;
  /** After a success, with the schema's output; a returned string becomes `status`. */
  onSuccess?: (result: ActionSuccess<TData>, values: NoInfer<TOutput>) => string | void;
  /** Back to `defaultValues` after a success (the default), or keep what was typed (an edit form). */
  resetOnSuccess?: boolean;
};

type ActionForm<TInput extends FieldValues, TOutput extends FieldValues> = {
  form: UseFormReturn<TInput, unknown, TOutput>;
  /** The form's onSubmit. */
  submit: (event?: BaseSyntheticEvent) => Promise<void>;
  /** The failure message for the form as a whole ("" when there is none). */
  formError: string;
  /** What `onSuccess` returned for the last success ("" once another submission starts). */
  status: string;
};

/**
 * Puts each server field error ("heights.0" belongs to "heights") on its field, and answers the
 * message for the form as a whole: the action's own message when no field took an error (it is
 * written for the user and names what went wrong), otherwise only the errors of fields the form
 * does not have, so a message shown beside its field is not repeated above the button.
 */
function showFailure<TInput extends FieldValues>(
  result: ActionFailure,
  fields: readonly string[],
  setError: UseFormReturn<TInput>["setError"],
): string {
  const byField = new Map<string, string[]>();
  const rest: string[] = [];
  for (const [path, messages] of Object.entries(result.fieldErrors ?? {})) {
    const field = path.split(".")[0] ?? path;
    if (fields.includes(field)) byField.set(field, [...(byField.get(field) ?? []), ...messages]);
    else rest.push(...messages);
  }
  for (const [field, messages] of byField) {
    setError(field as Path<TInput>, { type: "server", message: messages.filter(Boolean).join("; ") });
  }
  return byField.size ? rest.join(" ") : result.error;
}

/**
 * One form that runs one server action: react-hook-form with the schema's resolver; on submit
 * (values valid) the action; then either `onSuccess` or the server's errors on their fields and in
 * `formError`.
 */
export function useActionForm<
  TInput extends FieldValues,
  TOutput extends FieldValues,
  TData extends object = Record<never, never>,
>({
  schema,
  defaultValues,
  action,
  onSuccess,
  resetOnSuccess = true,
}: ActionFormOptions<TInput, TOutput, TData>): ActionForm<TInput, TOutput> {
  const [formError, setFormError] = useState("");
  const [status, setStatus] = useState("");
  const form = useForm<TInput, unknown, TOutput>({
    resolver: zodResolver(schema),
    defaultValues: defaultValues as DefaultValues<TInput>,
  });

  const submit = form.handleSubmit(async (values) => {
    setFormError("");
    setStatus("");
    // The raw values go to the server, which parses them with the same schema.
    const result = await action(form.getValues());
    if (result.ok) {
      if (resetOnSuccess) form.reset(defaultValues);
      setStatus(onSuccess?.(result, values) ?? "");
      return;
    }
    setFormError(showFailure(result, Object.keys(defaultValues), form.setError));
  });

  return { form, submit, formError, status };
}
