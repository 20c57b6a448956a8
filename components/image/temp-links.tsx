"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { useState } from "react";
import { useForm } from "react-hook-form";
import { z } from "zod";
import {
  aliveDurationSchema,
  MAX_ALIVE_SECONDS,
  MIN_ALIVE_SECONDS,
  type TempLinkCreatedJson,
  type TempLinkJson,
} from "@/lib/api/schemas";
import { formatDuration } from "@/lib/format";
import { apiFetch } from "@/components/api-client";
import { CopyButton } from "@/components/copy-button";

const QUICK_CHOICES = [300, 3600, 28800];
// The form holds a number input's text; the API's own schema checks the value.
const formSchema = z.object({
  alive_duration: z.coerce.number<string>({ error: "Enter a number of seconds" }).pipe(aliveDurationSchema),
});

export function TempLinks({ imageId, initialLinks }: { imageId: string; initialLinks: TempLinkJson[] }) {
  const [links, setLinks] = useState(initialLinks);
  const [created, setCreated] = useState<TempLinkCreatedJson | null>(null);
  const [serverError, setServerError] = useState<string | null>(null);
  const form = useForm<z.input<typeof formSchema>, unknown, z.output<typeof formSchema>>({
    resolver: zodResolver(formSchema),
    defaultValues: { alive_duration: "3600" },
  });
  const fieldError = form.formState.errors.alive_duration?.message;

  async function refresh() {
    const page = await apiFetch<{ items: TempLinkJson[] }>(`/api/v1/temp-links?image_id=${imageId}`);
    setLinks(page.items);
  }

  async function create(values: z.output<typeof formSchema>) {
    setServerError(null);
    try {
      const link = await apiFetch<TempLinkCreatedJson>("/api/v1/temp-links", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ image_id: imageId, alive_duration: values.alive_duration }),
      });
      setCreated(link);
      await refresh();
    } catch (e) {
      setServerError((e as Error).message);
    }
  }

  async function revoke(id: string) {
    setServerError(null);
    try {
      await apiFetch(`/api/v1/temp-links/${id}`, { method: "DELETE" });
      setLinks((current) => current.filter((l) => l.id !== id));
      if (created && links.find((l) => l.id === id)?.url === created.url) setCreated(null);
    } catch (e) {
      setServerError((e as Error).message);
    }
  }

  return (
    <section aria-labelledby="links-heading" className="flex flex-col gap-3">
      <h2 id="links-heading" className="text-lg font-semibold">
        Expiring links
      </h2>
      <p className="text-sm text-muted">
        Anyone with an expiring link can open the original image until it expires. Revoke a link to stop it at once.
      </p>
      <form onSubmit={form.handleSubmit(create)} noValidate className="flex flex-wrap items-end gap-3">
        <label className="flex flex-col gap-1 text-sm font-medium">
          Expires after (seconds)
          <input
            type="number"
            inputMode="numeric"
            min={MIN_ALIVE_SECONDS}
            max={MAX_ALIVE_SECONDS}
            step={1}
            {...form.register("alive_duration")}
            aria-invalid={fieldError ? true : undefined}
            aria-describedby="alive-help"
            className="w-40 rounded border border-line-strong px-2 py-1 font-normal"
          />
        </label>
        <div role="group" aria-label="Quick choices" className="flex gap-2">
          {QUICK_CHOICES.map((seconds) => (
            <button
              key={seconds}
              type="button"
              onClick={() => form.setValue("alive_duration", String(seconds), { shouldValidate: true })}
              className="rounded border border-line-strong bg-surface px-2 py-1 text-sm hover:bg-subtle focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-500"
            >
              {formatDuration(seconds)}
            </button>
          ))}
        </div>
        <button
          type="submit"
          disabled={form.formState.isSubmitting}
          className="rounded bg-sky-700 px-3 py-1.5 text-sm font-medium text-white hover:bg-sky-800 disabled:opacity-50 focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-500"
        >
          Create link
        </button>
      </form>
      <p id="alive-help" className="text-xs text-muted">
        From {MIN_ALIVE_SECONDS} seconds (5 min) to {MAX_ALIVE_SECONDS} seconds (8 h 20 min).
      </p>
      {fieldError && (
        <p role="alert" className="text-sm text-danger">
          {fieldError}
        </p>
      )}
      {serverError && (
        <p role="alert" className="text-sm text-danger">
          {serverError}
        </p>
      )}
      <h3 className="text-base font-semibold">Live links</h3>
      {links.length === 0 ? (
        <p className="text-sm text-muted">No live links.</p>
      ) : (
        <ul className="flex flex-col gap-2" aria-label="Live links">
          {links.map((link) => {
            // The link just made is shown once, here, opened out: its page for people and the file itself.
            const fresh = created?.url === link.url;
            const until = new Date(link.expires_at).toLocaleString();
            return (
              <li
                key={link.id}
                data-testid={fresh ? "new-link" : undefined}
                className={`flex flex-wrap items-center gap-2 rounded border p-2 text-sm ${
                  fresh ? "border-success-line bg-success-subtle" : "border-line bg-surface"
                }`}
              >
                {fresh && (
                  <span className="rounded bg-emerald-800 px-1.5 py-0.5 text-xs font-semibold text-white">New</span>
                )}
                <a
                  href={link.page_url}
                  target="_blank"
                  rel="noreferrer"
                  className="min-w-0 flex-1 truncate text-accent underline"
                  title={link.page_url}
                  data-testid={fresh ? "new-link-page" : undefined}
                  aria-label={`Share page of the link until ${until}`}
                >
                  {link.page_url}
                </a>
                <span className="text-muted">
                  until <time dateTime={link.expires_at}>{until}</time>
                </span>
                <CopyButton text={link.page_url} label="Copy page link" />
                <CopyButton text={link.url} label="Copy file link" />
                <button
                  type="button"
                  onClick={() => revoke(link.id)}
                  className="rounded border border-danger px-2 py-1 text-xs text-danger hover:bg-danger-subtle focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-500"
                >
                  Revoke
                </button>
                {fresh && (
                  <code className="basis-full break-all text-xs text-fg-soft" data-testid="new-link-url">
                    {link.url}
                  </code>
                )}
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
