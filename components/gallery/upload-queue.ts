import { BYTES_PER_MB, formatMb } from "@/lib/plans/sizes";

/**
 * The gallery's upload queue, free of React and of the network (both are handed in), so its rules
 * are tested on their own: files are checked before anything is sent, at most `concurrency` go at
 * once, a retry reuses the file's Idempotency-Key unless the server kept that key's failure, and a
 * name edited after the upload was created is applied by a rename once the image exists.
 */

/** What the queue needs of a file (a browser File, or a plain object in tests). */
export type FileLike = { readonly name: string; readonly size: number; readonly type: string };

/** What the queue needs of an image: its id to rename it, and its name to compare with the field. */
type ImageLike = { readonly id: string; readonly name: string };

type UploadStatus =
  | { readonly state: "queued" }
  | { readonly state: "uploading"; readonly progress: number }
  | { readonly state: "processing" }
  | { readonly state: "done" }
  /** `retryable` is false for a file refused before sending: trying again cannot change the answer. */
  | { readonly state: "failed"; readonly message: string; readonly retryable: boolean };

type RenameStatus =
  | { readonly state: "idle" }
  | { readonly state: "saving"; readonly name: string }
  | { readonly state: "saved" }
  | { readonly state: "failed"; readonly message: string };

export type UploadItem<F extends FileLike, I extends ImageLike> = {
  readonly id: string;
  readonly file: F;
  /** The type sent: the file's, or from its extension when the browser gave none. */
  readonly contentType: string | null;
  /** The name field as typed (the file's name to begin with). */
  readonly name: string;
  readonly status: UploadStatus;
  /** The Idempotency-Key and name of the last attempt, while a retry must repeat them exactly. */
  readonly attempt: { readonly key: string; readonly name: string } | null;
  readonly image: I | null;
  readonly rename: RenameStatus;
};

export type SendEvents = {
  onProgress: (fraction: number) => void;
  onProcessing: () => void;
  signal: AbortSignal;
};

type UploadQueueOptions<F extends FileLike, I extends ImageLike> = {
  send: (
    request: { file: F; name: string; contentType: string; idempotencyKey: string },
    events: SendEvents,
  ) => Promise<I>;
  rename: (image: I, name: string) => Promise<I>;
  /** Whether the server kept this failure for its key (then a retry needs a new key). */
  failureIsKept: (error: unknown) => boolean;
  /** The name as it would be sent, or why it cannot be (the API's own rules, checked first). */
  validateName: (name: string) => { name: string } | { error: string };
  onUploaded?: (image: I) => void;
  onRenamed?: (image: I) => void;
  /** Ids and Idempotency-Keys. */
  newId?: () => string;
  concurrency?: number;
};

const UPLOAD_CONCURRENCY = 3;

const EXTENSION_TYPES: Record<string, string> = { png: "image/png", jpg: "image/jpeg", jpeg: "image/jpeg" };
const ACCEPTED_TYPES = new Set(Object.values(EXTENSION_TYPES));

/** image/png or image/jpeg from the file's type, or from its extension when the type is empty; else null. */
export function contentTypeOf(file: FileLike): string | null {
  const type = file.type.trim().toLowerCase();
  if (type) return ACCEPTED_TYPES.has(type) ? type : null;
  const extension = /\.([^.]+)$/.exec(file.name)?.[1]?.toLowerCase() ?? "";
  return EXTENSION_TYPES[extension] ?? null;
}

/**
 * "12.4 MB is over your plan's 10 MB limit". The size is rounded up when plain rounding would
 * read as the limit itself (2 MB and 1 KB must not say "2 MB is over … 2 MB").
 */
export function overLimitMessage(bytes: number, limitBytes: number): string {
  let size = formatMb(bytes);
  if (size === formatMb(limitBytes)) size = `${Math.ceil((bytes / BYTES_PER_MB) * 100) / 100} MB`;
  return `${size} is over your plan's ${formatMb(limitBytes)} limit.`;
}

/** Why the file cannot be sent at all (its type, its size), or null. Checked before any request. */
export function preSendProblem(file: FileLike, maxUploadBytes: number): string | null {
  if (!contentTypeOf(file)) return "Only PNG and JPEG images can be uploaded.";
  if (file.size > maxUploadBytes) return overLimitMessage(file.size, maxUploadBytes);
  if (file.size === 0) return "The file is empty.";
  return null;
}

/** The live region's sentence, e.g. "3 of 5 uploaded, 1 failed"; null with nothing listed. */
export function progressSummary(items: readonly UploadItem<FileLike, ImageLike>[]): string | null {
  if (items.length === 0) return null;
  const done = items.filter((i) => i.status.state === "done").length;
  const failed = items.filter((i) => i.status.state === "failed").length;
  return `${done} of ${items.length} uploaded${failed ? `, ${failed} failed` : ""}`;
}

const messageOf = (error: unknown, fallback: string) =>
  error instanceof Error && error.message ? error.message : fallback;

export class UploadQueue<F extends FileLike, I extends ImageLike> {
  private items: readonly UploadItem<F, I>[] = [];
  private readonly listeners = new Set<() => void>();
  /** One per upload on its way; aborting it cancels the upload. */
  private readonly running = new Map<string, AbortController>();
  /** The latest rename asked for each item: an earlier one answering late is ignored. */
  private readonly renameTurn = new Map<string, number>();
  private readonly newId: () => string;
  private readonly concurrency: number;

  constructor(private readonly options: UploadQueueOptions<F, I>) {
    this.newId = options.newId ?? (() => crypto.randomUUID());
    this.concurrency = options.concurrency ?? UPLOAD_CONCURRENCY;
  }

  /** The items, oldest first: a new array after each change (React's useSyncExternalStore compares it). */
  readonly getItems = (): readonly UploadItem<F, I>[] => this.items;

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** Lists the files and starts them: refused ones fail at once and never reach `send`. */
  add(files: readonly F[], maxUploadBytes: number): void {
    const added = files.map((file): UploadItem<F, I> => {
      const problem = preSendProblem(file, maxUploadBytes);
      return {
        id: this.newId(),
        file,
        contentType: contentTypeOf(file),
        name: file.name,
        status: problem ? { state: "failed", message: problem, retryable: false } : { state: "queued" },
        attempt: null,
        image: null,
        rename: { state: "idle" },
      };
    });
    if (added.length === 0) return;
    this.items = [...this.items, ...added];
    this.pump();
    this.emit();
  }

  /** A queued or uploading file is dropped from the list; an upload on its way is aborted. */
  cancel(id: string): void {
    const item = this.find(id);
    if (!item || (item.status.state !== "queued" && item.status.state !== "uploading")) return;
    this.running.get(id)?.abort();
    this.running.delete(id);
    this.items = this.items.filter((i) => i.id !== id);
    this.pump();
    this.emit();
  }

  /** A failed file goes back in the queue. */
  retry(id: string): void {
    const item = this.find(id);
    if (item?.status.state !== "failed" || !item.status.retryable) return;
    this.set(id, { status: { state: "queued" } });
    this.pump();
    this.emit();
  }

  /** Takes a failed file off the list. */
  remove(id: string): void {
    if (this.find(id)?.status.state !== "failed") return;
    this.items = this.items.filter((i) => i.id !== id);
    this.emit();
  }

  /** Takes every uploaded file off the list. */
  clearFinished(): void {
    this.items = this.items.filter((i) => i.status.state !== "done");
    this.emit();
  }

  /** The name field changed: a file not yet created will be sent under it. */
  setName(id: string, name: string): void {
    const item = this.find(id);
    if (!item) return;
    this.set(id, { name, rename: item.rename.state === "saving" ? item.rename : { state: "idle" } });
    this.emit();
  }

  /** Enter or leaving the field: an uploaded image is renamed to what it says (one still on its way, once done). */
  commitName(id: string): void {
    const item = this.find(id);
    if (item?.status.state === "done") this.renameIfEdited(item);
  }

  private renameIfEdited(item: UploadItem<F, I>): void {
    const image = item.image;
    if (!image) return;
    const checked = this.options.validateName(item.name);
    if ("error" in checked) {
      this.set(item.id, { rename: { state: "failed", message: checked.error } });
      this.emit();
      return;
    }
    if (item.rename.state === "saving" && item.rename.name === checked.name) return;
    if (item.rename.state !== "saving" && checked.name === image.name) return;
    const turn = (this.renameTurn.get(item.id) ?? 0) + 1;
    this.renameTurn.set(item.id, turn);
    this.set(item.id, { rename: { state: "saving", name: checked.name } });
    this.emit();
    const latest = () => this.renameTurn.get(item.id) === turn;
    this.options.rename(image, checked.name).then(
      (renamed) => {
        if (!latest()) return;
        this.options.onRenamed?.(renamed);
        if (!this.find(item.id)) return;
        this.set(item.id, { image: renamed, rename: { state: "saved" } });
        this.emit();
      },
      (error: unknown) => {
        if (!latest() || !this.find(item.id)) return;
        this.set(item.id, { rename: { state: "failed", message: messageOf(error, "The name was not saved.") } });
        this.emit();
      },
    );
  }

  /** Starts queued files, oldest first, while fewer than `concurrency` are on their way. */
  private pump(): void {
    for (const item of this.items) {
      if (this.running.size >= this.concurrency) return;
      if (item.status.state === "queued") this.start(item);
    }
  }

  private start(item: UploadItem<F, I>): void {
    // A retry after a failure the server did not keep repeats the attempt exactly (key and name):
    // if the first one made the image after all, the server answers that image, never a second.
    let attempt = item.attempt;
    if (!attempt) {
      const checked = this.options.validateName(item.name);
      if ("error" in checked) {
        this.set(item.id, { status: { state: "failed", message: `Name: ${checked.error}`, retryable: true } });
        return;
      }
      attempt = { key: this.newId(), name: checked.name };
    }
    const controller = new AbortController();
    this.running.set(item.id, controller);
    this.set(item.id, { attempt, status: { state: "uploading", progress: 0 } });
    // Events of a cancelled upload (or one that has moved on) change nothing.
    const current = () => this.running.get(item.id) === controller;
    const finish = () => {
      this.running.delete(item.id);
      this.pump();
    };
    const request = {
      file: item.file,
      name: attempt.name,
      contentType: item.contentType ?? "",
      idempotencyKey: attempt.key,
    };
    this.options
      .send(request, {
        signal: controller.signal,
        onProgress: (progress) => {
          if (!current() || this.find(item.id)?.status.state !== "uploading") return;
          this.set(item.id, { status: { state: "uploading", progress } });
          this.emit();
        },
        onProcessing: () => {
          if (!current()) return;
          this.set(item.id, { status: { state: "processing" } });
          this.emit();
        },
      })
      .then(
        (image) => {
          if (!current()) return;
          finish();
          this.set(item.id, { status: { state: "done" }, attempt: null, image });
          this.options.onUploaded?.(image);
          // A name edited while the file was on its way is applied now that there is an image.
          const done = this.find(item.id);
          if (done && done.name !== attempt.name) this.renameIfEdited(done);
          this.emit();
        },
        (error: unknown) => {
          if (!current()) return;
          finish();
          const kept = this.options.failureIsKept(error);
          this.set(item.id, {
            status: { state: "failed", message: messageOf(error, "The upload failed."), retryable: true },
            attempt: kept ? null : attempt,
          });
          this.emit();
        },
      );
  }

  private find(id: string): UploadItem<F, I> | undefined {
    return this.items.find((i) => i.id === id);
  }

  private set(id: string, change: Partial<UploadItem<F, I>>): void {
    this.items = this.items.map((i) => (i.id === id ? { ...i, ...change } : i));
  }

  private emit(): void {
    for (const listener of this.listeners) listener();
  }
}
