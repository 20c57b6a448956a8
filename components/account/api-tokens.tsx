"use client";

import { useState, useTransition } from "react";
import { z } from "zod";
import { CopyButton } from "@/components/copy-button";
import { useActionForm } from "@/components/forms/use-action-form";
import { tokenNameSchema } from "@/lib/accounts/schemas";
import { createTokenAction, revokeTokenAction } from "@/lib/actions/tokens";

type TokenRow = { id: string; name: string; prefix: string; createdAt: string; lastUsedAt: string | null };
const formSchema = z.object({ name: tokenNameSchema });

const when = (iso: string | null) => (iso ? <time dateTime={iso}>{new Date(iso).toLocaleString()}</time> : "never");

export function ApiTokens({ tokens }: { tokens: TokenRow[] }) {
  const [created, setCreated] = useState<string | null>(null);
  const [revokeError, setRevokeError] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();
  const { form, submit, formError } = useActionForm({
    schema: formSchema,
    defaultValues: { name: "" },
    action: ({ name }) => createTokenAction(name),
    onSuccess: ({ token }) => {
      setCreated(token);
      setRevokeError(null);
    },
  });

  function revoke(id: string) {
    startTransition(async () => {
      setRevokeError(null);
      const result = await revokeTokenAction(id);
      if (!result.ok) setRevokeError(result.error);
    });
  }

  const nameError = form.formState.errors.name?.message;
  return (
    <section aria-labelledby="tokens-heading" className="flex flex-col gap-3">
      <h2 id="tokens-heading" className="text-lg font-semibold">
        API tokens
      </h2>
      <p className="text-sm text-slate-600">
        Integrations send <code>Authorization: Bearer &lt;token&gt;</code> to the{" "}
        <a className="text-sky-700 underline" href="/docs">
          JSON API
        </a>
        . A token acts as you; it is shown once.
      </p>
      <form onSubmit={submit} noValidate className="flex flex-wrap items-end gap-3">
        <label className="flex flex-col gap-1 text-sm font-medium">
          Token name
          <input
            {...form.register("name")}
            aria-invalid={nameError ? true : undefined}
            className="rounded border border-slate-300 px-2 py-1 font-normal"
            placeholder="e.g. backup script"
          />
        </label>
        <button
          type="submit"
          disabled={form.formState.isSubmitting}
          className="rounded bg-sky-700 px-3 py-1.5 text-sm font-medium text-white hover:bg-sky-600 disabled:opacity-50 focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-500"
        >
          Create token
        </button>
      </form>
      {nameError && (
        <p role="alert" className="text-sm text-red-700">
          {nameError}
        </p>
      )}
      {(formError || revokeError) && (
        <p role="alert" className="text-sm text-red-700">
          {formError || revokeError}
        </p>
      )}
      {created && (
        <div
          className="flex flex-col gap-1 rounded border border-amber-200 bg-amber-50 p-3 text-sm"
          data-testid="new-token"
        >
          <span className="font-medium">Your new token — copy it now, it will not be shown again:</span>
          <code className="break-all">{created}</code>
          <CopyButton text={created} label="Copy token" />
        </div>
      )}
      {tokens.length === 0 ? (
        <p className="text-sm text-slate-600">No tokens yet.</p>
      ) : (
        <div className="overflow-x-auto">
          <table className="min-w-full text-left text-sm">
            <thead className="border-b border-slate-200 text-slate-600">
              <tr>
                <th scope="col" className="py-2 pr-4 font-medium">
                  Name
                </th>
                <th scope="col" className="py-2 pr-4 font-medium">
                  Prefix
                </th>
                <th scope="col" className="py-2 pr-4 font-medium">
                  Created
                </th>
                <th scope="col" className="py-2 pr-4 font-medium">
                  Last used
                </th>
                <th scope="col" className="py-2 font-medium">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {tokens.map((t) => (
                <tr key={t.id} className="border-b border-slate-100">
                  <td className="py-2 pr-4">{t.name}</td>
                  <td className="py-2 pr-4">
                    <code>{t.prefix}…</code>
                  </td>
                  <td className="py-2 pr-4">{when(t.createdAt)}</td>
                  <td className="py-2 pr-4">{when(t.lastUsedAt)}</td>
                  <td className="py-2">
                    <button
                      type="button"
                      disabled={pending}
                      onClick={() => revoke(t.id)}
                      aria-label={`Revoke token ${t.name}`}
                      className="rounded border border-red-300 px-2 py-1 text-xs text-red-700 hover:bg-red-50"
                    >
                      Revoke
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
