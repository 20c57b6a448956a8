"use client";

/** Browser-side calls to the JSON API with the session cookie; errors carry the server's message. */
class ApiProblem extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly errors?: Record<string, string[]>,
  ) {
    super(message);
  }
}

function problemMessage(status: number, body: unknown): ApiProblem {
  const problem = body as { detail?: string; errors?: Record<string, string[]> } | null;
  const detail =
    problem?.detail ??
    (status === 0 ? "Network error: the server could not be reached." : `Request failed (${status}).`);
  return new ApiProblem(status, detail, problem?.errors);
}

export async function apiFetch<T>(path: string, init: RequestInit = {}): Promise<T> {
  const res = await fetch(path, { ...init, credentials: "same-origin" }).catch((error: unknown) => {
    // A request the caller cancelled is not a network failure: its AbortError goes on as it is.
    if (init.signal?.aborted) throw error;
    throw problemMessage(0, null);
  });
  if (res.status === 204) return undefined as T;
  const body: unknown = await res.json().catch(() => null);
  if (!res.ok) throw problemMessage(res.status, body);
  return body as T;
}

/**
 * Whether the server kept this failure for its Idempotency-Key (lib/http/idempotency.ts): a retry
 * with the same key would only hear it again, so a retry needs a new key. Network errors, 409, 429
 * and 5xx are not kept: retrying them with the same key is what makes the retry safe.
 */
export const failureIsKept = (error: unknown) =>
  error instanceof ApiProblem && error.status >= 400 && error.status < 500 && ![409, 429].includes(error.status);

/** What POST /api/v1/uploads answers (lib/api/schemas uploadSchema). */
type Upload = { id: string; url: string; method: string; headers: Record<string, string> };

/** Headers a browser sets itself and refuses to be given. */
const BROWSER_SET = new Set(["content-length", "host"]);

/** What a cancelled upload rejects with (as fetch does for an aborted signal). */
const aborted = () => new DOMException("The upload was cancelled.", "AbortError");

/** A PUT of the file with progress events (fetch has none for request bodies); `signal` aborts it. */
function putWithProgress(
  upload: Upload,
  file: Blob,
  onProgress: (fraction: number) => void,
  signal?: AbortSignal,
): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(aborted());
    const xhr = new XMLHttpRequest();
    const abort = () => xhr.abort();
    signal?.addEventListener("abort", abort, { once: true });
    const settle = () => signal?.removeEventListener("abort", abort);
    xhr.open(upload.method, upload.url);
    for (const [name, value] of Object.entries(upload.headers))
      if (!BROWSER_SET.has(name.toLowerCase())) xhr.setRequestHeader(name, value);
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(e.loaded / e.total);
    };
    xhr.onload = () => {
      settle();
      if (xhr.status >= 200 && xhr.status < 300) return resolve();
      // The app answers problem+json; a bucket answers XML, which says nothing a person can use.
      let body: unknown = null;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        // not JSON: the generic message below
      }
      reject(problemMessage(xhr.status, body));
    };
    xhr.onerror = () => {
      settle();
      reject(problemMessage(0, null));
    };
    xhr.onabort = () => {
      settle();
      reject(aborted());
    };
    xhr.send(file);
  });
}

/**
 * A direct upload (POST /api/v1/uploads, the file PUT straight to storage, then /complete): the
 * bytes go to the bucket, not through the app. `onProgress` follows the file's bytes; `onProcessing`
 * is called once they are all sent, while the server validates the file and makes its thumbnails.
 * `signal` cancels it up to the end of the PUT (an AbortError); once `complete` is asked, the image
 * is being made and is no longer cancelled. `contentType` stands in for a file whose type the
 * browser left empty.
 */
export async function uploadDirect<T>(
  file: File,
  name: string,
  idempotencyKey: string,
  events: {
    onProgress: (fraction: number) => void;
    onProcessing: () => void;
    signal?: AbortSignal;
    contentType?: string;
  },
): Promise<T> {
  const { signal } = events;
  const upload = await apiFetch<Upload>("/api/v1/uploads", {
    method: "POST",
    headers: { "Content-Type": "application/json", "Idempotency-Key": idempotencyKey },
    body: JSON.stringify({ name, bytes: file.size, content_type: events.contentType || file.type }),
    signal,
  });
  await putWithProgress(upload, file, events.onProgress, signal);
  if (signal?.aborted) throw aborted();
  events.onProcessing();
  return apiFetch<T>(`/api/v1/uploads/${upload.id}/complete`, { method: "POST" });
}
