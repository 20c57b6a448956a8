"use client";

import { useState, useTransition } from "react";
import { z } from "zod";
import { CopyButton } from "@/components/copy-button";
import { useActionForm } from "@/components/forms/use-action-form";
import { tokenNameSchema } from "@/lib/accounts/schemas";
import { createTokenAction, revokeTokenAction } from "@/lib/actions/tokens";
import {
  CardCell,
  cardRow,
  cardTable,
  cardTableBody,
  cardTableHead,
  cardTableWrapper,
  cardTitleCell,
  dangerButton,
  focusRing,
  HeaderRow,
  primaryButton,
  smallInputClass,
} from "@/components/admin/ui";

type TokenRow = { id: string; name: string; prefix: string; createdAt: string; lastUsedAt: string | null };
const formSchema = z.object({ name: tokenNameSchema });
const COLUMNS = ["Name", "Prefix", "Created", "Last used", "Actions"] as const;

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
      <p className="text-sm text-muted">
        Integrations send <code>Authorization: Bearer &lt;token&gt;</code> to the{" "}
        <a className={`rounded text-accent underline hover:text-accent hover:decoration-2 ${focusRing}`} href="/docs">
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
            className={`${smallInputClass} max-w-full font-normal`}
            placeholder="e.g. backup script"
          />
        </label>
        <button type="submit" disabled={form.formState.isSubmitting} className={primaryButton}>
          Create token
        </button>
      </form>
      {nameError && (
        <p role="alert" className="text-sm text-danger">
          {nameError}
        </p>
      )}
      {(formError || revokeError) && (
        <p role="alert" className="text-sm text-danger">
          {formError || revokeError}
        </p>
      )}
      {created && (
        <div
          className="flex flex-col gap-1 rounded border border-warning-line bg-warning-subtle p-3 text-sm"
          data-testid="new-token"
        >
          <span className="font-medium">Your new token — copy it now, it will not be shown again:</span>
          <code className="break-all">{created}</code>
          <CopyButton text={created} label="Copy token" />
        </div>
      )}
      {tokens.length === 0 ? (
        <p className="text-sm text-muted">No tokens yet.</p>
      ) : (
        <div className={cardTableWrapper}>
          {/* A card per token under sm (see cardTable), so Revoke is never cut off on a phone. */}
          <table role="table" className={cardTable}>
            <caption className="sr-only">Your API tokens</caption>
            <thead role="rowgroup" className={cardTableHead}>
              <HeaderRow columns={COLUMNS} numeric="" />
            </thead>
            <tbody role="rowgroup" className={cardTableBody}>
              {tokens.map((t) => (
                <tr key={t.id} role="row" className={`${cardRow} bg-surface`}>
                  <th scope="row" role="rowheader" className={`${cardTitleCell} break-all`}>
                    {t.name}
                  </th>
                  <CardCell label="Prefix">
                    <code>{t.prefix}…</code>
                  </CardCell>
                  <CardCell label="Created">{when(t.createdAt)}</CardCell>
                  <CardCell label="Last used">{when(t.lastUsedAt)}</CardCell>
                  <CardCell label="Actions">
                    <button
                      type="button"
                      disabled={pending}
                      onClick={() => revoke(t.id)}
                      aria-label={`Revoke token ${t.name}`}
                      className={dangerButton}
                    >
                      Revoke
                    </button>
                  </CardCell>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
