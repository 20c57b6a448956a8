import { isUnavailable } from "@/lib/db-errors";
import { AppError } from "@/lib/errors";
import { formatTimeLeft } from "@/lib/format";
import { type OpenedTempLink, openTempLink } from "@/lib/links/temp-links";
import { logger } from "@/lib/log";
import { originOf } from "./api-route";
import { ApiError } from "./problem";
import { countPublicPage } from "./rate-limit";

/**
 * GET /s/{token}: an expiring link's page for people, with the same token and the same terms as
 * /l/{token}. A route handler rather than a page: a page cannot answer 410, and this one needs
 * neither the app's layout (navigation, session) nor any script. The HTML is built here, every
 * interpolated value escaped by the `html` tag.
 */
const SITE = "Tiered Image Hosting";

/** Markup already escaped (or written here); anything else interpolated into `html` is escaped. */
class Html {
  constructor(readonly text: string) {}
}

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
const escape = (text: string) => text.replace(/[&<>"']/g, (c) => ESCAPES[c] as string);

function html(strings: TemplateStringsArray, ...values: (string | number | Html | Html[])[]): Html {
  const piece = (v: string | number | Html | Html[]): string =>
    Array.isArray(v) ? v.map(piece).join("\n") : v instanceof Html ? v.text : escape(String(v));
  return new Html(strings.reduce((out, s, i) => out + s + (i < values.length ? piece(values[i]!) : ""), ""));
}

const STYLE = `
  :root { color-scheme: dark; }
  * { box-sizing: border-box; }
  html, body { margin: 0; min-height: 100%; background: #0b0d10; color: #e5e7eb;
    font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
  main { min-height: 100vh; display: flex; flex-direction: column; align-items: center;
    justify-content: center; gap: 1rem; padding: 1.5rem; text-align: center; }
  img { display: block; max-width: 100%; max-height: 78vh; width: auto; height: auto;
    object-fit: contain; border-radius: 4px; background: #15181d; }
  h1 { margin: 0; font-size: 1.25rem; font-weight: 600; overflow-wrap: anywhere; }
  p { margin: 0; color: #9ca3af; }
  .download { display: inline-block; padding: .55rem 1.1rem; border-radius: 6px; background: #38bdf8;
    color: #0b0d10; font-weight: 600; text-decoration: none; }
  .download:hover, .download:focus-visible { background: #7dd3fc; }
`;

function pageOf(title: string, head: Html[], body: Html): string {
  return `<!doctype html>\n${
    html`<html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="robots" content="noindex" />
        <title>${title}</title>
        ${head}
        <link rel="icon" href="/icon.svg" type="image/svg+xml" />
        <style>
          ${new Html(STYLE)}
        </style>
      </head>
      <body>
        <main>${body}</main>
      </body>
    </html> `.text
  }`;
}

function respond(status: number, body: string, headers: Record<string, string> = {}): Response {
  return new Response(body, {
    status,
    headers: {
      "Content-Type": "text/html; charset=utf-8",
      // What the page says changes with time and ends with revocation: never from a cache.
      "Cache-Control": "private, no-store",
      "X-Robots-Tag": "noindex",
      ...headers,
    },
  });
}

const meta = (property: string, content: string | number) => html`<meta property="${property}" content="${content}" />`;
const named = (name: string, content: string | number) => html`<meta name="${name}" content="${content}" />`;

function livePage(link: OpenedTempLink, token: string, origin: string): string {
  const { name, width, height, contentType } = link.image;
  // In the page, same-origin paths (the CSP's img-src 'self'); in the tags, absolute URLs, as crawlers need.
  const path = `/l/${token}`;
  const url = origin + path;
  const left = formatTimeLeft(link.expiresAt.getTime() - Date.now());
  const head = [
    meta("og:title", name),
    meta("og:type", "website"),
    meta("og:site_name", SITE),
    meta("og:url", `${origin}/s/${token}`),
    meta("og:image", url),
    meta("og:image:type", contentType),
    meta("og:image:width", width),
    meta("og:image:height", height),
    meta("og:image:alt", name),
    named("twitter:card", "summary_large_image"),
    named("twitter:title", name),
    named("twitter:image", url),
    named("twitter:image:alt", name),
  ];
  const expires = link.expiresAt.toISOString();
  const body = html`<img src="${path}" alt="${name}" width="${width}" height="${height}" />
    <h1>${name}</h1>
    <p><time datetime="${expires}" title="${expires}">${left}</time></p>
    <a class="download" href="${path}?download=1">Download</a>`;
  return pageOf(`${name} · ${SITE}`, head, body);
}

function messagePage(heading: string, text: string): string {
  return pageOf(
    `${heading} · ${SITE}`,
    [],
    html`<h1>${heading}</h1>
      <p>${text}</p>`,
  );
}

/**
 * The share page of `token`: 200 while the link lives, 410 once it is gone, 404 if it never was;
 * 429 past the per-IP limit of public requests (counted with the links' own, before any lookup).
 */
export async function sharePage(request: Request, token: string): Promise<Response> {
  let limitHeaders: Record<string, string>;
  try {
    limitHeaders = await countPublicPage(request);
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 429)) throw error;
    return respond(429, messagePage("Too many requests", `${error.detail} Then reload this page.`), error.headers);
  }
  try {
    const link = await openTempLink(token);
    return respond(200, livePage(link, token, originOf(request.headers, request.url)), limitHeaders);
  } catch (error) {
    if (error instanceof AppError && error.kind === "not-found")
      return respond(
        404,
        messagePage("No such link", "This link does not exist. Check that it was copied whole."),
        limitHeaders,
      );
    if (error instanceof AppError && error.kind === "gone")
      return respond(
        410,
        messagePage(error.message.replace(/\.$/, ""), "Ask whoever shared it for a new link."),
        limitHeaders,
      );
    if (!isUnavailable(error)) throw error;
    logger.error({ err: error }, "share page: dependency unavailable");
    return respond(503, messagePage("Unavailable", "The service is unavailable; try again shortly."), {
      "Retry-After": "5",
    });
  }
}
