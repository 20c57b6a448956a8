"use client";

import { useRef, useState } from "react";
import type { ImageJson, TempLinkCreatedJson } from "@/lib/api/schemas";
import { apiFetch } from "@/components/api-client";
import { CopyButton } from "@/components/copy-button";
import { useModal } from "@/components/use-modal";

type DeleteResult = { id: string; status: "deleted" | "not_found" | "failed"; detail?: string };

/** The API's largest batch (lib/api/schemas MAX_BULK_IDS). */
const BATCH = 100;
const LINK_CHOICES = [
  { seconds: 300, label: "5 minutes" },
  { seconds: 3600, label: "1 hour" },
  { seconds: 28800, label: "8 hours" },
];

const primary =
  "rounded bg-sky-700 px-3 py-1.5 text-sm font-medium text-white hover:bg-sky-800 focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-500 focus-visible:ring-offset-2 disabled:opacity-60";
const danger =
  "rounded bg-red-700 px-3 py-1.5 text-sm font-medium text-white hover:bg-red-800 focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-500 focus-visible:ring-offset-2 disabled:opacity-60";
const secondary =
  "rounded border border-field bg-surface px-3 py-1.5 text-sm font-medium text-fg hover:bg-subtle focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-500";

/** A modal dialog box: the page behind is inert, focus moves to its first control, Esc cancels. */
function Dialog({ label, onCancel, children }: { label: string; onCancel: () => void; children: React.ReactNode }) {
  const box = useRef<HTMLDialogElement>(null);
  useModal(box, onCancel, (dialog) => dialog.querySelector<HTMLElement>("button, select, a"));
  return (
    <dialog
      ref={box}
      role="alertdialog"
      aria-label={label}
      className="m-auto w-[calc(100%-2rem)] max-w-md flex-col gap-4 rounded-lg bg-surface p-5 text-fg shadow-xl open:flex backdrop:bg-black/50"
    >
      {children}
    </dialog>
  );
}

const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? "" : "s"}`;

/**
 * What select mode does with the selection: delete it (after a confirmation naming the count),
 * or make an expiring link for each image when the plan allows, their pages listed to copy.
 */
export function BulkActions({
  selected,
  expiringLinks,
  onDeleted,
  onDone,
}: {
  selected: ImageJson[];
  expiringLinks: boolean;
  /** The ids deleted (the others stay selected, with the reason shown). */
  onDeleted: (ids: string[]) => void;
  onDone: () => void;
}) {
  const [dialog, setDialog] = useState<"delete" | "links" | null>(null);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  const [alive, setAlive] = useState(3600);
  const [links, setLinks] = useState<{ name: string; url: string }[] | null>(null);
  const count = selected.length;

  async function remove() {
    setBusy(true);
    setMessage(null);
    const deleted: string[] = [];
    const failed: DeleteResult[] = [];
    try {
      for (let i = 0; i < count; i += BATCH) {
        const ids = selected.slice(i, i + BATCH).map((image) => image.id);
        const { results } = await apiFetch<{ results: DeleteResult[] }>("/api/v1/images/delete", {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ ids }),
        });
        for (const r of results) {
          // Not found: already gone (another tab, a retry): it leaves the grid too.
          if (r.status === "failed") failed.push(r);
          else deleted.push(r.id);
        }
      }
    } catch (e) {
      failed.push({ id: "", status: "failed", detail: (e as Error).message });
    } finally {
      setBusy(false);
    }
    onDeleted(deleted);
    if (failed.length) setMessage(`${plural(failed.length, "image")} could not be deleted: ${failed[0]?.detail ?? ""}`);
    else {
      setDialog(null);
      onDone();
    }
  }

  async function makeLinks() {
    setBusy(true);
    setMessage(null);
    const made: { name: string; url: string }[] = [];
    try {
      for (const image of selected) {
        const link = await apiFetch<TempLinkCreatedJson>("/api/v1/temp-links", {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ image_id: image.id, alive_duration: alive }),
        });
        made.push({ name: image.name, url: link.page_url });
      }
    } catch (e) {
      setMessage((e as Error).message);
    } finally {
      setBusy(false);
      setLinks(made);
    }
  }

  const close = () => {
    setDialog(null);
    setLinks(null);
    setMessage(null);
  };

  return (
    <>
      <button type="button" className={danger} disabled={count === 0} onClick={() => setDialog("delete")}>
        Delete…
      </button>
      {expiringLinks && (
        <button type="button" className={secondary} disabled={count === 0} onClick={() => setDialog("links")}>
          Create links…
        </button>
      )}
      {dialog === "delete" && (
        <Dialog label={`Delete ${plural(count, "image")}?`} onCancel={close}>
          <h2 className="text-lg font-semibold">Delete {plural(count, "image")}?</h2>
          <p className="text-sm text-fg-soft">
            Their originals, thumbnails and expiring links are deleted too. This cannot be undone.
          </p>
          {message && (
            <p role="alert" className="text-sm text-danger">
              {message}
            </p>
          )}
          <div className="flex justify-end gap-2">
            <button type="button" className={secondary} onClick={close}>
              Cancel
            </button>
            <button type="button" className={danger} disabled={busy} onClick={remove}>
              {busy ? "Deleting…" : `Delete ${plural(count, "image")}`}
            </button>
          </div>
        </Dialog>
      )}
      {dialog === "links" && (
        <Dialog label={`Expiring links for ${plural(count, "image")}`} onCancel={close}>
          <h2 className="text-lg font-semibold">Expiring links for {plural(count, "image")}</h2>
          {links === null ? (
            <label className="flex flex-col gap-1 text-sm font-medium">
              Each link works for
              <select
                value={alive}
                onChange={(e) => setAlive(Number(e.target.value))}
                className="rounded border border-field bg-surface px-2 py-1 font-normal"
              >
                {LINK_CHOICES.map((c) => (
                  <option key={c.seconds} value={c.seconds}>
                    {c.label}
                  </option>
                ))}
              </select>
            </label>
          ) : (
            <ul aria-label="New links" className="flex max-h-64 flex-col gap-1 overflow-auto text-sm">
              {links.map((l) => (
                <li key={l.url} className="flex flex-col">
                  <span className="font-medium">{l.name}</span>
                  <a href={l.url} target="_blank" rel="noreferrer" className="break-all text-accent underline">
                    {l.url}
                  </a>
                </li>
              ))}
            </ul>
          )}
          {message && (
            <p role="alert" className="text-sm text-danger">
              {message}
            </p>
          )}
          <div className="flex justify-end gap-2">
            {links === null ? (
              <>
                <button type="button" className={secondary} onClick={close}>
                  Cancel
                </button>
                <button type="button" className={primary} disabled={busy} onClick={makeLinks}>
                  {busy ? "Creating…" : `Create ${plural(count, "link")}`}
                </button>
              </>
            ) : (
              <>
                {links.length > 0 && <CopyButton text={links.map((l) => l.url).join("\n")} label="Copy all links" />}
                <button type="button" className={primary} onClick={close}>
                  Done
                </button>
              </>
            )}
          </div>
        </Dialog>
      )}
    </>
  );
}
