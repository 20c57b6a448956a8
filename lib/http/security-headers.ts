/**
 * The security headers of every response the app sends, by kind of path. Framework-free: proxy.ts
 * calls it per request (with a fresh nonce for pages); media responses add their own CSP.
 */

export type SecurityContext = {
  /** `next dev`: React's dev tooling needs `eval`; production never gets `'unsafe-eval'`. */
  dev: boolean;
  /** PUBLIC_URL is https: HSTS and `upgrade-insecure-requests`. */
  https: boolean;
  /** S3 storage: the bucket's origin, which the gallery sends direct uploads to. */
  uploadOrigin?: string;
};

/** Features the app never uses, denied to the page and to anything it might embed. */
const DENIED_FEATURES = [
  "accelerometer",
  "autoplay",
  "camera",
  "display-capture",
  "geolocation",
  "gyroscope",
  "hid",
  "magnetometer",
  "microphone",
  "midi",
  "payment",
  "publickey-credentials-get",
  "serial",
  "usb",
  "xr-spatial-tracking",
];

/** The pages' Content-Security-Policy: scripts by this response's nonce alone. */
export function contentSecurityPolicy(nonce: string, context: SecurityContext): string {
  const script = ["'self'", `'nonce-${nonce}'`, "'strict-dynamic'"];
  if (context.dev) script.push("'unsafe-eval'");
  const directives = [
    "default-src 'self'",
    `script-src ${script.join(" ")}`,
    // Inline styles: Scalar (Vue) on /docs and React itself (<style> in Next's not-found page,
    // `style` attributes) insert them without a nonce. A per-page exception cannot work: a soft
    // navigation (a Link, the redirect after sign-in) renders /docs under the CSP of the page the
    // document was loaded as. Styles cannot run code; scripts stay nonce-only.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' blob: data:",
    "font-src 'self' data:",
    `connect-src ${["'self'", context.uploadOrigin].filter(Boolean).join(" ")}`,
    "manifest-src 'self'",
    "frame-src 'none'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ];
  if (context.https) directives.push("upgrade-insecure-requests");
  return directives.join("; ");
}

/**
 * Headers for a response to `pathname`. Pages (anything but /api and /l) get the CSP built from
 * `nonce` and a Permissions-Policy; API JSON gets the framing, sniffing and referrer headers only;
 * expiring links (/l/) and their share pages (/s/) never send a Referer: their URL is the
 * credential, and must not leak into another site's logs.
 */
export function securityHeaders(pathname: string, nonce: string, context: SecurityContext): Record<string, string> {
  const link = pathname.startsWith("/l/");
  const capability = link || pathname.startsWith("/s/");
  const api = pathname === "/api" || pathname.startsWith("/api/");
  const headers: Record<string, string> = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": capability ? "no-referrer" : "strict-origin-when-cross-origin",
  };
  if (context.https) headers["Strict-Transport-Security"] = "max-age=63072000; includeSubDomains";
  if (!link && !api) {
    headers["Content-Security-Policy"] = contentSecurityPolicy(nonce, context);
    headers["Permissions-Policy"] = DENIED_FEATURES.map((f) => `${f}=()`).join(", ");
  }
  return headers;
}
