"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { useRef, useState } from "react";
import { useFieldArray, useForm } from "react-hook-form";
import { z } from "zod";
import { imageNameSchema, type ImageJson } from "@/lib/api/schemas";
import { formatBytes } from "@/lib/format";
import { failureIsKept, uploadDirect } from "@/components/api-client";

type Status = { state: "ready" | "uploading" | "processing" | "error"; progress: number; error?: string };
const queueSchema = z.object({ files: z.array(z.object({ key: z.string(), name: imageNameSchema })) });
type Queue = z.input<typeof queueSchema>;

/**
 * Drag-and-drop or pick several files; each gets an editable name (the file name by default), its
 * own progress bar and its own error. A failed file stays in the list; the others go on.
 */
export function Uploader({ onUploaded }: { onUploaded: (image: ImageJson) => void }) {
  const files = useRef(new Map<string, File>());
  // One Idempotency-Key per file and name sent: a retry after a lost answer cannot store it twice.
  const idempotency = useRef(new Map<string, { name: string; key: string }>());
  const [status, setStatus] = useState<Record<string, Status>>({});
  const [dragging, setDragging] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  const form = useForm<Queue>({ resolver: zodResolver(queueSchema), defaultValues: { files: [] } });
  const queue = useFieldArray({ control: form.control, name: "files", keyName: "fieldId" });

  function add(list: FileList | null) {
    for (const file of Array.from(list ?? [])) {
      const key = crypto.randomUUID();
      files.current.set(key, file);
      queue.append({ key, name: file.name });
      setStatus((s) => ({ ...s, [key]: { state: "ready", progress: 0 } }));
    }
  }

  /** The file's key for this name: the same for every retry, a new one once the name changes. */
  function idempotencyKey(key: string, name: string): string {
    const sent = idempotency.current.get(key);
    if (sent?.name === name) return sent.key;
    const fresh = { name, key: crypto.randomUUID() };
    idempotency.current.set(key, fresh);
    return fresh.key;
  }

  function remove(index: number, key: string) {
    files.current.delete(key);
    idempotency.current.delete(key);
    queue.remove(index);
    setStatus(({ [key]: _removed, ...rest }) => rest);
  }

  async function send(values: z.output<typeof queueSchema>) {
    await Promise.all(
      values.files.map(async ({ key, name }) => {
        const file = files.current.get(key);
        if (!file || status[key]?.state === "uploading" || status[key]?.state === "processing") return;
        const set = (next: Status) => setStatus((s) => ({ ...s, [key]: next }));
        set({ state: "uploading", progress: 0 });
        try {
          // Straight to storage (the bucket on S3): the app validates it once it is there.
          const image = await uploadDirect<ImageJson>(file, name, idempotencyKey(key, name), {
            onProgress: (progress) => set({ state: "uploading", progress }),
            onProcessing: () => set({ state: "processing", progress: 1 }),
          });
          onUploaded(image);
          files.current.delete(key);
          idempotency.current.delete(key);
          setStatus(({ [key]: _done, ...rest }) => rest);
          const index = form.getValues("files").findIndex((f) => f.key === key);
          if (index >= 0) queue.remove(index);
        } catch (e) {
          // A refusal the server kept would be replayed to a retry: the next try is a new request.
          if (failureIsKept(e)) idempotency.current.delete(key);
          set({ state: "error", progress: 0, error: (e as Error).message });
        }
      }),
    );
  }

  const busy = Object.values(status).some((s) => s.state === "uploading" || s.state === "processing");

  return (
    <section aria-labelledby="upload-heading" className="rounded-lg border border-slate-200 bg-white p-4">
      <h2 id="upload-heading" className="mb-3 text-lg font-semibold">
        Upload
      </h2>
      <div
        data-testid="dropzone"
        onDragOver={(e) => {
          e.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={(e) => {
          e.preventDefault();
          setDragging(false);
          add(e.dataTransfer.files);
        }}
        className={`flex flex-col items-center gap-2 rounded-lg border-2 border-dashed p-6 text-center ${dragging ? "border-sky-500 bg-sky-50" : "border-slate-300"}`}
      >
        <p className="text-sm text-slate-600">Drop PNG or JPEG images here, or</p>
        <button
          type="button"
          onClick={() => input.current?.click()}
          className="rounded bg-slate-900 px-3 py-1.5 text-sm font-medium text-white hover:bg-slate-700 focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-500"
        >
          Choose files
        </button>
        <input
          ref={input}
          type="file"
          accept="image/png,image/jpeg"
          multiple
          aria-label="Choose image files"
          className="sr-only"
          onChange={(e) => {
            add(e.target.files);
            e.target.value = "";
          }}
        />
      </div>

      {queue.fields.length > 0 && (
        <form onSubmit={form.handleSubmit(send)} className="mt-4 flex flex-col gap-3">
          <ul className="flex flex-col gap-3">
            {queue.fields.map((field, index) => {
              const s = status[field.key] ?? { state: "ready", progress: 0 };
              const file = files.current.get(field.key);
              const nameError = form.formState.errors.files?.[index]?.name?.message;
              return (
                <li key={field.fieldId} className="rounded border border-slate-200 p-3" data-testid="upload-item">
                  <div className="flex flex-wrap items-end gap-3">
                    <label className="flex min-w-48 flex-1 flex-col gap-1 text-sm font-medium">
                      Name for {file?.name ?? "file"}
                      <input
                        {...form.register(`files.${index}.name`)}
                        aria-invalid={nameError ? true : undefined}
                        className="rounded border border-slate-300 px-2 py-1 font-normal"
                        disabled={s.state === "uploading" || s.state === "processing"}
                      />
                    </label>
                    <span className="text-xs text-slate-500">{file ? formatBytes(file.size) : ""}</span>
                    <button
                      type="button"
                      onClick={() => remove(index, field.key)}
                      disabled={s.state === "uploading" || s.state === "processing"}
                      className="text-sm text-slate-600 underline"
                      aria-label={`Remove ${file?.name ?? "file"}`}
                    >
                      Remove
                    </button>
                  </div>
                  {nameError && <p className="mt-1 text-sm text-red-700">{nameError}</p>}
                  <progress
                    className="mt-2 h-2 w-full"
                    max={1}
                    value={s.progress}
                    aria-label={`Upload progress for ${file?.name ?? "file"}`}
                  />
                  {s.state === "processing" && (
                    <p className="mt-1 text-sm text-slate-600" role="status">
                      Processing {file?.name}…
                    </p>
                  )}
                  {s.state === "error" && (
                    <p role="alert" className="mt-1 text-sm text-red-700">
                      {file?.name}: {s.error}
                    </p>
                  )}
                </li>
              );
            })}
          </ul>
          <button
            type="submit"
            disabled={busy}
            className="self-start rounded bg-sky-700 px-4 py-2 text-sm font-medium text-white hover:bg-sky-600 disabled:opacity-50 focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-500"
          >
            {busy ? "Uploading…" : `Upload ${queue.fields.length === 1 ? "1 file" : `${queue.fields.length} files`}`}
          </button>
        </form>
      )}
    </section>
  );
}
