"use client";

import { useActionState, useEffect, useRef } from "react";

/** What a failed attempt leaves for the next render: the message, and the e-mail to show again (never the password). */
export type SignInState = { error: string | null; email: string; attempt: number };

const focusRing = "focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-600 focus-visible:ring-offset-1";
const inputClass = `rounded border border-field bg-surface px-3 py-2 font-normal text-fg ${focusRing}`;

/**
 * The sign-in form. A failure comes back as state, not as a redirect, so the e-mail stays in its field
 * (and out of the URL); React resets the form after each attempt, which empties the password.
 */
export function SignInForm({
  action,
  initial,
}: {
  action: (previous: SignInState, form: FormData) => Promise<SignInState>;
  initial: SignInState;
}) {
  const [state, formAction, pending] = useActionState(action, initial);
  const passwordRef = useRef<HTMLInputElement>(null);
  // After a failed attempt the e-mail is kept and the password emptied: the cursor goes to the password.
  useEffect(() => {
    if (state.attempt > 0 && state.error) passwordRef.current?.focus();
  }, [state.attempt, state.error]);
  return (
    <>
      {state.error && (
        // Keyed by attempt: the same message after another failure is a new alert, announced again.
        <p key={state.attempt} role="alert" className="rounded bg-danger-subtle p-3 text-sm text-danger-strong">
          {state.error}
        </p>
      )}
      <form action={formAction} className="flex flex-col gap-4">
        <label className="flex flex-col gap-1 text-sm font-medium">
          E-mail
          <input
            name="email"
            type="email"
            required
            autoComplete="email"
            defaultValue={state.email}
            className={inputClass}
          />
        </label>
        <label className="flex flex-col gap-1 text-sm font-medium">
          Password
          <input
            name="password"
            type="password"
            required
            autoComplete="current-password"
            ref={passwordRef}
            className={inputClass}
          />
        </label>
        <button
          type="submit"
          disabled={pending}
          aria-busy={pending || undefined}
          className={`rounded bg-sky-700 px-4 py-2 font-medium text-white hover:bg-sky-800 disabled:cursor-wait disabled:bg-slate-600 ${focusRing}`}
        >
          Sign in
        </button>
      </form>
    </>
  );
}
