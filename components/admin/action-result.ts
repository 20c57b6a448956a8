import type { FieldErrors } from "@/lib/errors";

/** What every server action answers (app/_server/actions.ts): the forms show `error` and each field's messages. */
export type ActionResult = { ok: true } | { ok: false; error: string; fieldErrors?: FieldErrors };

/**
 * Client side: server field errors keyed by path ("heights.0") grouped by their form field
 * ("heights"); messages for fields the form does not have are returned under `rest`.
 */
export function splitFieldErrors<F extends string>(
  fieldErrors: FieldErrors | undefined,
  fields: readonly F[],
): { byField: Partial<Record<F, string>>; rest: string[] } {
  const byField: Partial<Record<F, string>> = {};
  const rest: string[] = [];
  for (const [path, messages] of Object.entries(fieldErrors ?? {})) {
    const field = path.split(".")[0] as F;
    if (fields.includes(field)) byField[field] = [byField[field], ...messages].filter(Boolean).join("; ");
    else rest.push(...messages);
  }
  return { byField, rest };
}

/**
 * Client side, after a failed action: puts each server field error on its form field and returns
 * the message for the form as a whole (the action's error and any error of no known field).
 */
export function showActionErrors<F extends string>(
  result: { error: string; fieldErrors?: FieldErrors },
  fields: readonly F[],
  setError: (field: F, error: { type: string; message: string }) => void,
): string {
  const { byField, rest } = splitFieldErrors(result.fieldErrors, fields);
  for (const field of fields) {
    const message = byField[field];
    if (message) setError(field, { type: "server", message });
  }
  return [result.error, ...rest].join(" ");
}
