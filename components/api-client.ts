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
  const res = await fetch(path, { ...init, credentials: "same-origin" });
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

/** multipart upload with progress events (fetch has none for request bodies). */
export function uploadWithProgress<T>(
  path: string,
  form: FormData,
  onProgress: (fraction: number) => void,
  headers: Record<string, string> = {},
): Promise<T> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", path);
    for (const [name, value] of Object.entries(headers)) xhr.setRequestHeader(name, value);
    xhr.responseType = "json";
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(e.loaded / e.total);
    };
    xhr.onload = () =>
      xhr.status >= 200 && xhr.status < 300
        ? resolve(xhr.response as T)
        : reject(problemMessage(xhr.status, xhr.response));
    xhr.onerror = () => reject(problemMessage(0, null));
    xhr.send(form);
  });
}
