"use client";

import { type AnyApiReferenceConfiguration, ApiReferenceReact } from "@scalar/api-reference-react";
import "@scalar/api-reference-react/style.css";
import { useEffect, useState } from "react";

/**
 * Try-it requests go straight to this site, never through a proxy. Same-origin credentials let the
 * session cookie ride along; an empty Bearer field (Scalar still sends `Authorization: Bearer`)
 * is dropped, so the API falls back to the cookie instead of refusing a blank token.
 */
function sameOriginFetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
  const request = new Request(input, { ...init, credentials: "same-origin" });
  if (/^bearer\s*$/i.test(request.headers.get("authorization") ?? "x")) request.headers.delete("authorization");
  return fetch(request);
}

const configuration = {
  url: "/api/v1/openapi.json",
  customFetch: sameOriginFetch,
  authentication: { preferredSecurityScheme: "bearerAuth", securitySchemes: { bearerAuth: { token: "" } } },
  persistAuth: false,
  // Nothing leaves this site: no CDN fonts, telemetry, Scalar services, AI agent or MCP.
  withDefaultFonts: false,
  telemetry: false,
  agent: { disabled: true },
  mcp: { disabled: true },
  hideClientButton: true,
  showDeveloperTools: "never",
  // The site follows the system's colour scheme (ApiReference picks it); no toggle of its own.
  hideDarkModeToggle: true,
  // A small API: every operation on the page, not only the first tag's.
  defaultOpenAllTags: true,
  documentDownloadType: "json",
  modelsSectionLabel: "Schemas",
  // The site's own fonts (Tailwind's theme variables).
  customCss: ":root { --scalar-font: var(--font-sans); --scalar-font-code: var(--font-mono); }",
} satisfies AnyApiReferenceConfiguration;

export function ApiReference() {
  // The page's own origin, whatever PUBLIC_URL says, so requests stay same-origin. Scalar mounts
  // in an effect, so the server render (no window) never uses this.
  const [config] = useState<AnyApiReferenceConfiguration>(() =>
    typeof window === "undefined"
      ? configuration
      : {
          ...configuration,
          servers: [{ url: window.location.origin, description: "This site" }],
          forceDarkModeState: window.matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light",
        },
  );
  // Scalar marks <body> with its colour mode and leaves it there; take it off when leaving the page.
  useEffect(() => () => document.body.classList.remove("light-mode", "dark-mode"), []);
  return <ApiReferenceReact configuration={config} />;
}
