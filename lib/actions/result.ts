import type { FieldErrors } from "@/lib/errors";

/**
 * What every server action in lib/actions answers, and what the forms read
 * (components/forms/use-action-form.ts): on failure a message for the user and, when the service
 * gave them, messages keyed by field path ("heights.0"). A success may carry data (`T`), such as
 * a new API token.
 */
export type ActionSuccess<T extends object = Record<never, never>> = { ok: true } & T;
export type ActionFailure = { ok: false; error: string; fieldErrors?: FieldErrors };
export type ActionResult<T extends object = Record<never, never>> = ActionSuccess<T> | ActionFailure;
