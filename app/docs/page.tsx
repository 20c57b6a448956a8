import type { Metadata } from "next";
import Link from "next/link";
import type { ReactNode } from "react";
import { requirePrincipal } from "@/app/_server/session";
import { ApiExplorer, type TryItBody, type TryItParameter } from "@/components/api-explorer";
import {
  HTTP_METHODS,
  type HttpMethod,
  type JsonSchema,
  type OpenApiDocument,
  type OperationObject,
  openApiDocument,
  refName,
  resolveSchema,
  schemaConstraints,
  schemaType,
} from "@/lib/openapi/document";

export const metadata: Metadata = { title: "API docs · Tiered Image Hosting" };

const METHOD_STYLE: Record<string, string> = {
  GET: "bg-sky-100 text-sky-900 ring-sky-300",
  POST: "bg-emerald-100 text-emerald-900 ring-emerald-300",
  DELETE: "bg-rose-100 text-rose-900 ring-rose-300",
};

const focusRing = "rounded focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-500";
const linkClass = `${focusRing} font-medium text-sky-800 underline decoration-sky-300 underline-offset-2 hover:decoration-sky-700`;

type Entry = { path: string; method: HttpMethod; operation: OperationObject };

function entries(document: OpenApiDocument): Entry[] {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    HTTP_METHODS.flatMap((method) => {
      const operation = item[method];
      return operation ? [{ path, method, operation }] : [];
    }),
  );
}

const anchor = (operation: OperationObject) => `op-${operation.operationId}`;

/** The document's descriptions use `code` and **bold** only. */
function Inline({ text }: { text: string }) {
  const parts = text.split(/(`[^`]+`|\*\*[^*]+\*\*)/g);
  return (
    <>
      {parts.map((part, i) =>
        part.startsWith("`") && part.endsWith("`") && part.length > 1 ? (
          <code key={i} className="rounded bg-slate-100 px-1 py-0.5 font-mono text-[0.85em]">
            {part.slice(1, -1)}
          </code>
        ) : part.startsWith("**") && part.endsWith("**") && part.length > 3 ? (
          <strong key={i}>{part.slice(2, -2)}</strong>
        ) : (
          part
        ),
      )}
    </>
  );
}

function MethodBadge({ method }: { method: string }) {
  return (
    <span
      className={`inline-block w-16 shrink-0 rounded px-1.5 py-0.5 text-center font-mono text-xs font-bold ring-1 ring-inset ${METHOD_STYLE[method] ?? "bg-slate-100 text-slate-900 ring-slate-300"}`}
    >
      {method}
    </span>
  );
}

/** A path that wraps after its slashes on narrow screens rather than mid-word. */
function PathText({ path }: { path: string }) {
  const parts = path.split("/");
  return (
    <>
      {parts.map((part, i) => (
        <span key={i}>
          {i > 0 && "/"}
          {part}
          {i < parts.length - 1 && i > 0 && <wbr />}
        </span>
      ))}
    </>
  );
}

/** A type, with `$ref`s (also as array items) linking to the schema section. */
function TypeLabel({ schema }: { schema: JsonSchema }) {
  const target = schema.$ref ?? (schema.type === "array" ? schema.items?.$ref : undefined);
  if (target) {
    const name = refName(target);
    return (
      <a href={`#schema-${name}`} className={`${linkClass} font-mono`}>
        {name}
        {schema.$ref ? "" : "[]"}
      </a>
    );
  }
  return <span className="font-mono">{schemaType(schema)}</span>;
}

function Hint({ schema }: { schema: JsonSchema }) {
  const constraints = schemaConstraints(schema);
  return constraints.length > 0 ? <span className="text-slate-600"> · {constraints.join(", ")}</span> : null;
}

function Table({ caption, head, children }: { caption: string; head: string[]; children: ReactNode }) {
  return (
    <div className="overflow-x-auto">
      <table className="w-full border-collapse text-left text-sm">
        <caption className="sr-only">{caption}</caption>
        <thead>
          <tr className="border-b border-slate-200 text-xs uppercase tracking-wide text-slate-600">
            {head.map((h) => (
              <th key={h} scope="col" className="whitespace-nowrap py-1 pr-3 font-semibold">
                {h}
              </th>
            ))}
          </tr>
        </thead>
        <tbody className="align-top">{children}</tbody>
      </table>
    </div>
  );
}

function SchemaFields({ schema, caption }: { schema: JsonSchema; caption: string }) {
  const required = new Set(schema.required ?? []);
  const properties = Object.entries(schema.properties ?? {});
  const notes = properties.some(([, property]) => property.description);
  return (
    <Table caption={caption} head={["field", "type", "required", ...(notes ? ["notes"] : [])]}>
      {properties.map(([name, property]) => (
        <tr key={name} className="border-b border-slate-100">
          <th scope="row" className="whitespace-nowrap py-1.5 pr-3 font-mono font-medium">
            {name}
          </th>
          <td className="py-1.5 pr-3 [overflow-wrap:anywhere]">
            <TypeLabel schema={property} />
            <Hint schema={property} />
          </td>
          <td className="py-1.5 pr-3">{required.has(name) ? "yes" : "no"}</td>
          {notes && <td className="py-1.5 pr-3 text-slate-700">{property.description ? <Inline text={property.description} /> : null}</td>}
        </tr>
      ))}
    </Table>
  );
}

function Operation({ document, entry, planHeights }: { document: OpenApiDocument; entry: Entry; planHeights: number[] }) {
  const { path, method, operation } = entry;
  const METHOD = method.toUpperCase();
  const titleId = `${anchor(operation)}-title`;
  const isPublic = operation.security !== undefined && operation.security.length === 0;
  const parameters = operation.parameters ?? [];

  const tryParameters: TryItParameter[] = parameters.map((p) => ({
    name: p.name,
    in: p.in,
    required: p.required,
    hint: [schemaType(p.schema), ...schemaConstraints(p.schema)].join(" · "),
    ...(p.name === "height" && planHeights[0] !== undefined ? { placeholder: String(planHeights[0]) } : {}),
  }));

  let tryBody: TryItBody | undefined;
  const bodies = Object.entries(operation.requestBody?.content ?? {});
  for (const [mediaType, media] of bodies) {
    if (mediaType === "application/json") {
      tryBody = { kind: "json", example: JSON.stringify(media.example ?? {}, null, 2) };
    } else if (mediaType === "multipart/form-data" && media.schema) {
      const form = resolveSchema(document, media.schema);
      tryBody = {
        kind: "multipart",
        fields: Object.entries(form.properties ?? {}).map(([name, property]) => {
          const file = property.format === "binary";
          const accept = media.encoding?.[name]?.contentType.replace(/\s+/g, "");
          return {
            name,
            file,
            required: form.required?.includes(name) ?? false,
            hint: file ? "PNG or JPEG" : [schemaType(property), ...schemaConstraints(property)].join(" · "),
            ...(file && accept ? { accept } : {}),
          };
        }),
      };
    }
  }

  return (
    <article id={anchor(operation)} aria-labelledby={titleId} className="scroll-mt-4 rounded-lg border border-slate-200 bg-white p-4 shadow-sm">
      <header className="flex flex-col gap-2">
        <p className="flex flex-wrap items-center gap-2">
          <MethodBadge method={METHOD} />
          <code className="font-mono text-sm font-semibold [overflow-wrap:anywhere]">
            <PathText path={path} />
          </code>
          <span
            className={`rounded-full px-2 py-0.5 text-xs ${isPublic ? "bg-amber-100 text-amber-900" : "bg-slate-100 text-slate-700"}`}
          >
            {isPublic ? "public" : "token or session"}
          </span>
        </p>
        <h3 id={titleId} className="text-lg font-semibold">
          {operation.summary}
        </h3>
        <p className="text-sm text-slate-700">
          <Inline text={operation.description} />
        </p>
      </header>

      <div className="mt-4 grid gap-6 lg:grid-cols-[minmax(0,3fr)_minmax(0,2fr)]">
        <div className="flex min-w-0 flex-col gap-4">
          {parameters.length > 0 && (
            <section className="flex flex-col gap-1">
              <h4 className="text-sm font-semibold">Parameters</h4>
              <Table caption={`Parameters of ${METHOD} ${path}`} head={["name", "in", "type", "notes"]}>
                {parameters.map((p) => (
                  <tr key={`${p.in}:${p.name}`} className="border-b border-slate-100">
                    <th scope="row" className="py-1.5 pr-3 font-mono font-medium [overflow-wrap:anywhere]">
                      {p.name}
                      {p.required && (
                        <span className="text-rose-700" title="required">
                          {" "}
                          *<span className="sr-only">required</span>
                        </span>
                      )}
                    </th>
                    <td className="py-1.5 pr-3">{p.in}</td>
                    <td className="py-1.5 pr-3 [overflow-wrap:anywhere]">
                      <TypeLabel schema={p.schema} />
                      <Hint schema={p.schema} />
                    </td>
                    <td className="py-1.5 pr-3 text-slate-700">{p.description ? <Inline text={p.description} /> : null}</td>
                  </tr>
                ))}
              </Table>
            </section>
          )}

          {bodies.map(([mediaType, media]) => {
            const schema = media.schema ? resolveSchema(document, media.schema) : undefined;
            return (
              <section key={mediaType} className="flex flex-col gap-1">
                <h4 className="text-sm font-semibold">
                  Request body <span className="font-mono font-normal text-slate-600">{mediaType}</span>
                  {media.schema?.$ref && (
                    <>
                      {" "}
                      · <TypeLabel schema={media.schema} />
                    </>
                  )}
                </h4>
                {schema?.description && (
                  <p className="text-sm text-slate-700">
                    <Inline text={schema.description} />
                  </p>
                )}
                {schema && <SchemaFields schema={schema} caption={`Request body fields of ${METHOD} ${path}`} />}
              </section>
            );
          })}

          <section className="flex flex-col gap-1">
            <h4 className="text-sm font-semibold">Responses</h4>
            <ul className="flex flex-col divide-y divide-slate-100 text-sm">
              {Object.entries(operation.responses).map(([status, response]) => (
                <li key={status} className="flex flex-col gap-0.5 py-1.5 sm:flex-row sm:gap-3">
                  <span
                    className={`w-12 shrink-0 font-mono font-semibold ${Number(status) >= 400 ? "text-rose-800" : "text-emerald-800"}`}
                  >
                    {status}
                  </span>
                  <div className="flex min-w-0 flex-col gap-0.5">
                    <span>
                      <Inline text={response.description} />
                    </span>
                    {Object.entries(response.content ?? {}).map(([mediaType, media]) => (
                      <span key={mediaType} className="text-xs text-slate-600">
                        <span className="font-mono">{mediaType}</span>
                        {media.schema?.$ref && (
                          <>
                            {" "}
                            · <TypeLabel schema={media.schema} />
                          </>
                        )}
                      </span>
                    ))}
                    {response.headers && Object.keys(response.headers).length > 0 && (
                      <span className="text-xs text-slate-600">
                        headers:{" "}
                        {Object.entries(response.headers).map(([name, h], i) => (
                          <span key={name}>
                            {i > 0 && ", "}
                            <abbr title={h.description.replace(/`/g, "")} className="font-mono no-underline">
                              {name}
                            </abbr>
                          </span>
                        ))}
                      </span>
                    )}
                  </div>
                </li>
              ))}
            </ul>
          </section>
        </div>

        <section aria-label={`Try ${METHOD} ${path}`} className="flex min-w-0 flex-col gap-2 self-start rounded-md bg-slate-50 p-3 ring-1 ring-slate-200">
          <h4 className="text-sm font-semibold">Try it</h4>
          <ApiExplorer method={METHOD} path={path} parameters={tryParameters} body={tryBody} />
        </section>
      </div>
    </article>
  );
}

export default async function DocsPage() {
  const principal = await requirePrincipal("/docs");
  const document = openApiDocument();
  const all = entries(document);
  const plan = principal.plan;

  return (
    <div className="flex flex-col gap-8">
      <header className="flex flex-col gap-3">
        <h1 className="text-2xl font-semibold">API docs</h1>
        <p className="max-w-3xl text-slate-700">
          {document.info.title} {document.info.version}. Integrations authenticate with{" "}
          <code className="rounded bg-slate-100 px-1 py-0.5 font-mono text-sm">Authorization: Bearer &lt;token&gt;</code>; create a
          token on the{" "}
          <Link href="/account" className={linkClass}>
            Account page
          </Link>{" "}
          or with <code className="rounded bg-slate-100 px-1 py-0.5 font-mono text-sm">npm run admin -- create-token --email you@example.com</code>
          . The <em>Try it</em> forms below send real requests as you, with this browser&apos;s session.
        </p>
        <p className="text-slate-700">
          Machine-readable:{" "}
          <a href="/api/v1/openapi.json" className={`${linkClass} font-mono`}>
            /api/v1/openapi.json
          </a>{" "}
          (OpenAPI {document.openapi}).
        </p>
        <div className="flex max-w-3xl flex-col gap-2 rounded-md border border-slate-200 bg-white p-4 text-sm text-slate-700">
          {document.info.description.split(/\n\n+/).map((paragraph, i) => (
            <p key={i}>
              <Inline text={paragraph} />
            </p>
          ))}
          <p>
            Your plan, <strong>{plan.name}</strong>: thumbnails {plan.heights.join(", ")} px;{" "}
            {plan.originalLink ? "original included" : "no original"}; {plan.expiringLinks ? "expiring links included" : "no expiring links"}.
          </p>
        </div>
      </header>

      <nav aria-labelledby="docs-contents" className="rounded-md border border-slate-200 bg-white p-4">
        <h2 id="docs-contents" className="mb-2 text-sm font-semibold uppercase tracking-wide text-slate-600">
          Operations
        </h2>
        <ul className="grid gap-x-6 gap-y-1 text-sm md:grid-cols-2">
          {all.map(({ path, method, operation }) => (
            <li key={operation.operationId}>
              <a href={`#${anchor(operation)}`} className={`${focusRing} flex items-center gap-2 px-1 py-0.5 hover:bg-slate-100`}>
                <MethodBadge method={method.toUpperCase()} />
                <span className="font-mono [overflow-wrap:anywhere]">
                  <PathText path={path} />
                </span>
                <span className="sr-only">: {operation.summary}</span>
              </a>
            </li>
          ))}
          <li>
            <a href="#schemas" className={`${focusRing} block px-1 py-0.5 hover:bg-slate-100`}>
              Schemas
            </a>
          </li>
        </ul>
      </nav>

      {document.tags.map((tag) => {
        const tagged = all.filter((e) => e.operation.tags.includes(tag.name));
        if (tagged.length === 0) return null;
        const id = `tag-${tag.name.toLowerCase().replace(/\W+/g, "-")}`;
        return (
          <section key={tag.name} aria-labelledby={id} className="flex flex-col gap-4">
            <div>
              <h2 id={id} className="text-xl font-semibold">
                {tag.name}
              </h2>
              <p className="text-sm text-slate-600">{tag.description}</p>
            </div>
            {tagged.map((entry) => (
              <Operation key={entry.operation.operationId} document={document} entry={entry} planHeights={plan.heights} />
            ))}
          </section>
        );
      })}

      <section id="schemas" aria-labelledby="schemas-title" className="flex scroll-mt-4 flex-col gap-4">
        <h2 id="schemas-title" className="text-xl font-semibold">
          Schemas
        </h2>
        {Object.entries(document.components.schemas).map(([name, schema]) => (
          <article
            key={name}
            id={`schema-${name}`}
            aria-labelledby={`schema-${name}-title`}
            className="scroll-mt-4 rounded-lg border border-slate-200 bg-white p-4 shadow-sm"
          >
            <h3 id={`schema-${name}-title`} className="font-mono text-base font-semibold">
              {name}
            </h3>
            {schema.description && (
              <p className="mb-2 text-sm text-slate-700">
                <Inline text={schema.description} />
              </p>
            )}
            <SchemaFields schema={schema} caption={`Fields of ${name}`} />
          </article>
        ))}
      </section>
    </div>
  );
}
