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

/** multipart upload with progress events (fetch has none for request bodies). */
export function uploadWithProgress<T>(
  path: string,
  form: FormData,
  onProgress: (fraction: number) => void,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", path);
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
