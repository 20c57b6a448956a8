"use client";

import { useEffect, useRef, useState, useSyncExternalStore, type ReactNode } from "react";
import { imageNameSchema, type ImageJson } from "@/lib/api/schemas";
import { formatBytes } from "@/lib/format";
import { formatMb } from "@/lib/plans/sizes";
import { apiFetch, failureIsKept, uploadDirect } from "@/components/api-client";
import { progressSummary, UploadQueue, type UploadItem } from "./upload-queue";

type Item = UploadItem<File, ImageJson>;
type Callbacks = { onUploaded: (image: ImageJson) => void; onRenamed: (image: ImageJson) => void };

/** The API's rules for a name (trimmed, 1–200 characters, no control characters), checked before asking. */
function validateName(name: string): { name: string } | { error: string } {
  const parsed = imageNameSchema.safeParse(name);
  return parsed.success ? { name: parsed.data } : { error: parsed.error.issues[0]?.message ?? "invalid name" };
}

/** One queue for the uploader's lifetime; it calls whatever callbacks the gallery passes last. */
function useUploadQueue(callbacks: Callbacks) {
  const latest = useRef(callbacks);
  useEffect(() => {
    latest.current = callbacks;
  });
  const [queue] = useState(
    () =>
      new UploadQueue<File, ImageJson>({
        send: (request, events) =>
          uploadDirect<ImageJson>(request.file, request.name, request.idempotencyKey, {
            ...events,
            contentType: request.contentType,
          }),
        rename: (image, name) =>
          apiFetch<ImageJson>(`/api/v1/images/${encodeURIComponent(image.id)}`, {
            method: "PATCH",
            headers: { "Content-Type": "application/json" },
            body: JSON.stringify({ name }),
          }),
        failureIsKept,
        validateName,
        onUploaded: (image) => latest.current.onUploaded(image),
        onRenamed: (image) => latest.current.onRenamed(image),
      }),
  );
  const items = useSyncExternalStore(queue.subscribe, queue.getItems, queue.getItems);
  return { queue, items };
}

/**
 * Drop or pick PNG and JPEG files and they go at once, three at a time, each with its own state,
 * progress, Cancel or Retry, and a name that can be edited before, during and after the upload.
 */
export function Uploader({
  onUploaded,
  onRenamed,
  maxUploadBytes,
}: Callbacks & {
  /** The plan's largest file, bytes: bigger ones fail here without a request. */
  maxUploadBytes: number;
}) {
  const { queue, items } = useUploadQueue({ onUploaded, onRenamed });
  const add = (list: FileList | null) => queue.add(Array.from(list ?? []), maxUploadBytes);
  const summary = progressSummary(items);
  const anyDone = items.some((i) => i.status.state === "done");

  return (
    <section aria-labelledby="upload-heading" className="rounded-lg border border-line bg-surface p-4">
      <h2 id="upload-heading" className="mb-3 text-lg font-semibold">
        Upload
      </h2>
      <DropZone onFiles={add} maxUploadBytes={maxUploadBytes} />

      {/* Polite, and only counts: progress percentages would flood a screen reader. */}
      <p role="status" aria-live="polite" className="mt-3 text-sm text-fg-soft empty:hidden">
        {summary}
      </p>

      {items.length > 0 && (
        <>
          <ul aria-label="Uploads" className="mt-3 flex flex-col gap-3">
            {items.map((item) => (
              <UploadRow key={item.id} item={item} queue={queue} />
            ))}
          </ul>
          {anyDone && (
            <button
              type="button"
              onClick={() => queue.clearFinished()}
              className="mt-3 rounded border border-line-strong px-3 py-1.5 text-sm font-medium text-fg hover:bg-canvas focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-500"
            >
              Clear finished
            </button>
          )}
        </>
      )}
    </section>
  );
}

function DropZone({ onFiles, maxUploadBytes }: { onFiles: (list: FileList | null) => void; maxUploadBytes: number }) {
  const [dragging, setDragging] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  return (
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
        onFiles(e.dataTransfer.files);
      }}
      className={`flex flex-col items-center gap-2 rounded-lg border-2 border-dashed p-6 text-center ${dragging ? "border-sky-500 bg-info-subtle" : "border-line-strong"}`}
    >
      <p className="text-sm text-muted">Drop PNG or JPEG images here (up to {formatMb(maxUploadBytes)} each), or</p>
      <button
        type="button"
        onClick={() => input.current?.click()}
        className="rounded bg-sky-700 px-3 py-1.5 text-sm font-medium text-white hover:bg-sky-800 focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-500"
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
          onFiles(e.target.files);
          e.target.value = "";
        }}
      />
    </div>
  );
}

const linkButton =
  "rounded px-1 text-sm font-medium text-accent underline hover:text-accent-strong focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-500";

function UploadRow({ item, queue }: { item: Item; queue: UploadQueue<File, ImageJson> }) {
  const { status, file } = item;
  const canCancel = status.state === "queued" || status.state === "uploading";
  return (
    <li data-testid="upload-item" className="rounded border border-line p-3">
      <div className="flex flex-wrap items-start gap-3">
        <NameField item={item} queue={queue} />
        <span className="pt-6 text-xs text-muted tabular-nums">{formatBytes(file.size)}</span>
        <div className="flex gap-2 pt-5">
          {canCancel && (
            <button
              type="button"
              onClick={() => queue.cancel(item.id)}
              aria-label={`Cancel ${file.name}`}
              className={linkButton}
            >
              Cancel
            </button>
          )}
          {status.state === "failed" && status.retryable && (
            <button
              type="button"
              onClick={() => queue.retry(item.id)}
              aria-label={`Retry ${file.name}`}
              className={linkButton}
            >
              Retry
            </button>
          )}
          {status.state === "failed" && (
            <button
              type="button"
              onClick={() => queue.remove(item.id)}
              aria-label={`Remove ${file.name}`}
              className={linkButton}
            >
              Remove
            </button>
          )}
        </div>
      </div>
      <StatusLine item={item} />
    </li>
  );
}

/** The name: sent as typed while the upload is not yet created; after that, Enter or leaving the field renames. */
function NameField({ item, queue }: { item: Item; queue: UploadQueue<File, ImageJson> }) {
  const checked = validateName(item.name);
  const invalid = "error" in checked ? checked.error : null;
  const { rename } = item;
  const hintId = `${item.id}-name-hint`;
  return (
    <div className="flex min-w-48 flex-1 flex-col gap-1">
      <label className="flex flex-col gap-1 text-sm font-medium">
        Name for {item.file.name}
        <input
          value={item.name}
          onChange={(e) => queue.setName(item.id, e.target.value)}
          onKeyDown={(e) => {
            if (e.key !== "Enter") return;
            e.preventDefault();
            queue.commitName(item.id);
          }}
          onBlur={() => queue.commitName(item.id)}
          aria-invalid={invalid || rename.state === "failed" ? true : undefined}
          aria-describedby={hintId}
          className="rounded border border-field bg-surface px-2 py-1 font-normal focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-500"
        />
      </label>
      <p id={hintId} className="min-h-5 text-xs">
        {invalid ? (
          <Labelled icon={<ErrorIcon />} className="text-danger">
            {invalid}
          </Labelled>
        ) : rename.state === "saving" ? (
          <Labelled icon={<SpinnerIcon />} className="text-fg-soft">
            Saving…
          </Labelled>
        ) : rename.state === "saved" ? (
          <Labelled icon={<CheckIcon />} className="text-success">
            Saved
          </Labelled>
        ) : rename.state === "failed" ? (
          <Labelled icon={<ErrorIcon />} className="text-danger">
            Name not saved: {rename.message}
          </Labelled>
        ) : null}
      </p>
    </div>
  );
}

function StatusLine({ item }: { item: Item }) {
  const { status, file } = item;
  switch (status.state) {
    case "queued":
      return (
        <Labelled icon={<ClockIcon />} className="mt-2 text-sm text-fg-soft">
          Queued
        </Labelled>
      );
    case "uploading": {
      const percent = Math.round(status.progress * 100);
      return (
        <div className="mt-2 flex flex-col gap-1">
          <Labelled icon={<UploadIcon />} className="text-sm text-fg-soft">
            Uploading {percent}%
          </Labelled>
          <ProgressBar label={`Upload progress for ${file.name}`} percent={percent} />
        </div>
      );
    }
    case "processing":
      return (
        <div className="mt-2 flex flex-col gap-1">
          <Labelled icon={<SpinnerIcon />} className="text-sm text-fg-soft">
            Processing…
          </Labelled>
          <ProgressBar label={`Upload progress for ${file.name}`} percent={100} text="Sent; processing" />
        </div>
      );
    case "done":
      return (
        <Labelled icon={<CheckIcon />} className="mt-2 text-sm font-medium text-success">
          Done
        </Labelled>
      );
    case "failed":
      return (
        <p role="alert" className="mt-2 flex items-start gap-1.5 text-sm text-danger">
          <ErrorIcon />
          <span>
            <span className="font-medium">Failed</span> · {file.name}: {status.message}
          </span>
        </p>
      );
  }
}

/** A track and a fill that differ in more than hue (light grey against dark blue), with its own name. */
function ProgressBar({ label, percent, text }: { label: string; percent: number; text?: string }) {
  return (
    <div
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={percent}
      aria-valuetext={text ?? `${percent}%`}
      className="h-2 w-full overflow-hidden rounded-full bg-subtle-strong"
    >
      <div className="h-full rounded-full bg-sky-700 transition-[width]" style={{ width: `${percent}%` }} />
    </div>
  );
}

function Labelled({ icon, className, children }: { icon: ReactNode; className: string; children: ReactNode }) {
  return (
    <span className={`flex items-center gap-1.5 ${className}`}>
      {icon}
      <span>{children}</span>
    </span>
  );
}

/** 16 px stroke icons in the text's colour; decorative, since the words beside them say the same. */
function Icon({ children, className = "" }: { children: ReactNode; className?: string }) {
  return (
    <svg
      aria-hidden="true"
      focusable="false"
      viewBox="0 0 24 24"
      width="16"
      height="16"
      fill="none"
      stroke="currentColor"
      strokeWidth="2"
      strokeLinecap="round"
      strokeLinejoin="round"
      className={`shrink-0 ${className}`}
    >
      {children}
    </svg>
  );
}

const ClockIcon = () => (
  <Icon>
    <circle cx="12" cy="12" r="9" />
    <path d="M12 7v5l3 2" />
  </Icon>
);
const UploadIcon = () => (
  <Icon>
    <path d="M12 16V4M7 9l5-5 5 5M5 20h14" />
  </Icon>
);
const SpinnerIcon = () => (
  <Icon className="motion-safe:animate-spin">
    <path d="M12 3a9 9 0 1 0 9 9" />
  </Icon>
);
const CheckIcon = () => (
  <Icon>
    <circle cx="12" cy="12" r="9" />
    <path d="m8 12 3 3 5-6" />
  </Icon>
);
const ErrorIcon = () => (
  <Icon className="mt-0.5">
    <circle cx="12" cy="12" r="9" />
    <path d="M12 7v6M12 17h.01" />
  </Icon>
);
