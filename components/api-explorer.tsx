"use client";

import { type FormEvent, useEffect, useId, useRef, useState } from "react";

/**
 * "Try it" for one operation of the API docs page: sends the request from the browser with the
 * signed-in session cookie (same-origin fetch; the browser adds the Origin header that
 * cookie-authenticated changes need) and shows status, the interesting headers and the body.
 */

export type TryItParameter = {
  name: string;
  in: "path" | "query" | "header";
  required: boolean;
  /** A short type/constraint hint shown under the input. */
  hint?: string;
  placeholder?: string;
};

export type TryItField = { name: string; file: boolean; required: boolean; hint?: string; accept?: string };

export type TryItBody = { kind: "json"; example: string } | { kind: "multipart"; fields: TryItField[] };

export type ApiExplorerProps = {
  method: string;
  path: string;
  parameters: TryItParameter[];
  body?: TryItBody;
};

const HEADERS_OF_INTEREST = [
  "content-type",
  "content-length",
  "location",
  "etag",
  "cache-control",
  "allow",
  "www-authenticate",
  "retry-after",
  "content-disposition",
  "x-content-type-options",
];

type ResultBody =
  | { kind: "none" }
  | { kind: "json"; text: string }
  | { kind: "text"; text: string }
  | { kind: "image"; objectUrl: string; type: string; size: number };

type Result =
  | { ok: true; status: number; statusText: string; ms: number; url: string; headers: [string, string][]; body: ResultBody }
  | { ok: false; error: string };

const inputClass =
  "w-full rounded border border-slate-300 bg-white px-2 py-1.5 font-mono text-sm focus:border-sky-500 focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-500";

function statusClass(status: number): string {
  if (status < 300) return "bg-emerald-100 text-emerald-900";
  if (status < 400) return "bg-sky-100 text-sky-900";
  if (status < 500) return "bg-amber-100 text-amber-900";
  return "bg-rose-100 text-rose-900";
}

export function ApiExplorer({ method, path, parameters, body }: ApiExplorerProps) {
  const uid = useId();
  const fieldId = (part: string) => `${uid}-${part}`;
  const [values, setValues] = useState<Record<string, string>>({});
  const [jsonBody, setJsonBody] = useState(body?.kind === "json" ? body.example : "");
  const [sending, setSending] = useState(false);
  const [result, setResult] = useState<Result | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const fileInputs = useRef(new Map<string, HTMLInputElement>());
  const objectUrl = useRef<string | null>(null);

  // Image previews hold an object URL: release the old one when replaced, and on leaving the page.
  useEffect(() => () => {
    if (objectUrl.current) URL.revokeObjectURL(objectUrl.current);
  }, []);

  const key = (p: TryItParameter) => `${p.in}:${p.name}`;
  const setValue = (name: string, value: string) => setValues((v) => ({ ...v, [name]: value }));

  async function send(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setProblem(null);
    const missing = parameters.find((p) => p.in === "path" && !(values[key(p)] ?? "").trim());
    if (missing) {
      setProblem(`Fill in the path parameter “${missing.name}”.`);
      document.getElementById(fieldId(key(missing)))?.focus();
      return;
    }
    if (method === "DELETE" && !window.confirm(`Send DELETE ${path}? This cannot be undone.`)) return;

    let url = path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent((values[`path:${name}`] ?? "").trim()));
    const query = new URLSearchParams();
    const headers = new Headers({ Accept: "application/json, application/problem+json, image/*" });
    for (const p of parameters) {
      const value = values[key(p)] ?? "";
      if (value === "") continue;
      if (p.in === "query") query.set(p.name, value);
      if (p.in === "header") headers.set(p.name, value);
    }
    const search = query.toString();
    if (search) url += `?${search}`;

    let requestBody: BodyInit | undefined;
    if (body?.kind === "json") {
      headers.set("Content-Type", "application/json");
      requestBody = jsonBody; // sent as typed, so invalid JSON can be tried too
    } else if (body?.kind === "multipart") {
      const form = new FormData();
      for (const field of body.fields) {
        if (field.file) {
          const file = fileInputs.current.get(field.name)?.files?.[0];
          if (file) form.append(field.name, file);
        } else {
          const value = values[`body:${field.name}`];
          if (value !== undefined) form.append(field.name, value);
        }
      }
      requestBody = form; // the browser writes the multipart Content-Type with its boundary
    }

    setSending(true);
    const started = performance.now();
    try {
      const response = await fetch(url, { method, headers, body: requestBody, credentials: "same-origin", cache: "no-store" });
      const ms = Math.round(performance.now() - started);
      const contentType = response.headers.get("content-type") ?? "";
      let resultBody: ResultBody;
      if (response.status === 204 || response.status === 304 || method === "HEAD") {
        resultBody = { kind: "none" };
      } else if (contentType.startsWith("image/")) {
        const blob = await response.blob();
        if (objectUrl.current) URL.revokeObjectURL(objectUrl.current);
        objectUrl.current = URL.createObjectURL(blob);
        resultBody = { kind: "image", objectUrl: objectUrl.current, type: blob.type || contentType, size: blob.size };
      } else {
        const text = await response.text();
        if (/\bjson\b/i.test(contentType)) {
          try {
            resultBody = { kind: "json", text: JSON.stringify(JSON.parse(text), null, 2) };
          } catch {
            resultBody = { kind: "text", text };
          }
        } else {
          resultBody = text === "" ? { kind: "none" } : { kind: "text", text };
        }
      }
      const shown = HEADERS_OF_INTEREST.flatMap((name): [string, string][] => {
        const value = response.headers.get(name);
        return value === null ? [] : [[name, value]];
      });
      setResult({ ok: true, status: response.status, statusText: response.statusText, ms, url, headers: shown, body: resultBody });
    } catch (error) {
      setResult({ ok: false, error: error instanceof Error ? error.message : String(error) });
    } finally {
      setSending(false);
    }
  }

  const destructive = method === "DELETE";

  return (
    <div className="flex flex-col gap-3">
      <form onSubmit={send} className="flex flex-col gap-3" noValidate>
        {parameters.map((p) => {
          const id = fieldId(key(p));
          return (
            <div key={key(p)} className="flex flex-col gap-1">
              <label htmlFor={id} className="text-sm font-medium">
                <span className="font-mono">{p.name}</span>{" "}
                <span className="font-normal text-slate-600">
                  ({p.in}
                  {p.required ? ", required" : ""})
                </span>
              </label>
              <input
                id={id}
                type="text"
                className={inputClass}
                value={values[key(p)] ?? ""}
                placeholder={p.placeholder}
                onChange={(e) => setValue(key(p), e.target.value)}
                aria-describedby={p.hint ? `${id}-hint` : undefined}
                autoComplete="off"
                spellCheck={false}
              />
              {p.hint && (
                <p id={`${id}-hint`} className="text-xs text-slate-600">
                  {p.hint}
                </p>
              )}
            </div>
          );
        })}

        {body?.kind === "json" && (
          <div className="flex flex-col gap-1">
            <label htmlFor={fieldId("json")} className="text-sm font-medium">
              JSON body <span className="font-normal text-slate-600">(application/json)</span>
            </label>
            <textarea
              id={fieldId("json")}
              className={`${inputClass} min-h-28`}
              rows={5}
              value={jsonBody}
              onChange={(e) => setJsonBody(e.target.value)}
              spellCheck={false}
            />
          </div>
        )}

        {body?.kind === "multipart" &&
          body.fields.map((field) => {
            const id = fieldId(`body:${field.name}`);
            return (
              <div key={field.name} className="flex flex-col gap-1">
                <label htmlFor={id} className="text-sm font-medium">
                  <span className="font-mono">{field.name}</span>{" "}
                  <span className="font-normal text-slate-600">
                    (form {field.file ? "file" : "field"}
                    {field.required ? ", required" : ""})
                  </span>
                </label>
                {field.file ? (
                  <input
                    id={id}
                    type="file"
                    accept={field.accept}
                    ref={(el) => {
                      if (el) fileInputs.current.set(field.name, el);
                      else fileInputs.current.delete(field.name);
                    }}
                    aria-describedby={field.hint ? `${id}-hint` : undefined}
                    className="text-sm file:mr-3 file:rounded file:border-0 file:bg-slate-200 file:px-3 file:py-1.5 file:text-sm file:font-medium hover:file:bg-slate-300 focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-500"
                  />
                ) : (
                  <input
                    id={id}
                    type="text"
                    className={inputClass}
                    value={values[`body:${field.name}`] ?? ""}
                    onChange={(e) => setValue(`body:${field.name}`, e.target.value)}
                    aria-describedby={field.hint ? `${id}-hint` : undefined}
                    autoComplete="off"
                  />
                )}
                {field.hint && (
                  <p id={`${id}-hint`} className="text-xs text-slate-600">
                    {field.hint}
                  </p>
                )}
              </div>
            );
          })}

        {problem && (
          <p role="alert" className="rounded bg-amber-50 p-2 text-sm text-amber-900">
            {problem}
          </p>
        )}

        <div>
          <button
            type="submit"
            disabled={sending}
            className={`rounded px-3 py-1.5 text-sm font-medium text-white focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-500 focus-visible:ring-offset-2 disabled:opacity-60 ${
              destructive ? "bg-rose-700 hover:bg-rose-600" : "bg-slate-900 hover:bg-slate-700"
            }`}
          >
            {sending ? "Sending…" : `Send ${method}`}
          </button>
        </div>
      </form>

      <div aria-live="polite" aria-busy={sending}>
        {result && !result.ok && (
          <p role="alert" className="rounded bg-rose-50 p-2 text-sm text-rose-900">
            The request failed before any answer: {result.error}
          </p>
        )}
        {result?.ok && (
          <div className="flex flex-col gap-2 rounded border border-slate-200 bg-slate-50 p-3 text-sm">
            <p className="flex flex-wrap items-center gap-2">
              <span className={`rounded px-2 py-0.5 font-mono font-semibold ${statusClass(result.status)}`}>
                {result.status} {result.statusText}
              </span>
              <span className="text-slate-600">
                in {result.ms} ms · <span className="break-all font-mono">{`${method} ${result.url}`}</span>
              </span>
            </p>
            {result.headers.length > 0 && (
              <dl className="grid grid-cols-[max-content_1fr] gap-x-3 gap-y-0.5 font-mono text-xs">
                {result.headers.map(([name, value]) => (
                  <div key={name} className="contents">
                    <dt className="text-slate-600">{name}</dt>
                    <dd className="break-all">{value}</dd>
                  </div>
                ))}
              </dl>
            )}
            {result.body.kind === "none" && <p className="text-slate-600">No body.</p>}
            {(result.body.kind === "json" || result.body.kind === "text") && (
              <pre
                tabIndex={0}
                aria-label="Response body"
                className="max-h-96 overflow-auto rounded bg-slate-900 p-3 font-mono text-xs text-slate-100 focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-500"
              >
                {result.body.text}
              </pre>
            )}
            {result.body.kind === "image" && (
              <figure className="flex flex-col gap-1">
                <img
                  src={result.body.objectUrl}
                  alt={`Response image (${result.body.type})`}
                  className="max-h-80 max-w-full self-start rounded border border-slate-200 bg-white object-contain"
                />
                <figcaption className="text-xs text-slate-600">
                  {result.body.type}, {result.body.size.toLocaleString()} bytes
                </figcaption>
              </figure>
            )}
          </div>
        )}
      </div>
    </div>
  );
}
