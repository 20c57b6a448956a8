import { type NextRequest, NextResponse } from "next/server";
import { env } from "@/lib/env";
import { securityHeaders } from "@/lib/http/security-headers";
import { bucketOrigin } from "@/lib/storage/bucket-origin";

let uploadOrigin: string | undefined | null = null;
/** On S3 storage, where the gallery's direct uploads go (computed once). */
function directUploadOrigin(): string | undefined {
  if (uploadOrigin === null) {
    const e = env();
    uploadOrigin =
      e.STORAGE === "s3" && e.S3_BUCKET
        ? bucketOrigin({
            bucket: e.S3_BUCKET,
            region: e.S3_REGION,
            endpoint: e.S3_ENDPOINT,
            publicEndpoint: e.S3_PUBLIC_ENDPOINT,
            forcePathStyle: e.S3_FORCE_PATH_STYLE,
          })
        : undefined;
  }
  return uploadOrigin;
}

/**
 * Security headers on every response but Next's own files under /_next (hashed static chunks,
 * images, the dev server's hot-reload socket) and the JSON API (see the matcher). Pages get a fresh script
 * nonce per request: it goes into the CSP of both the request (Next reads the nonce from there and
 * puts it on its own scripts and styles while rendering) and the response.
 */
export function proxy(request: NextRequest) {
  const nonce = Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("base64");
  const headers = securityHeaders(request.nextUrl.pathname, nonce, {
    dev: process.env.NODE_ENV === "development",
    https: env().PUBLIC_URL?.startsWith("https:") ?? false,
    uploadOrigin: directUploadOrigin(),
  });
  const requestHeaders = new Headers(request.headers);
  const csp = headers["Content-Security-Policy"];
  if (csp) requestHeaders.set("Content-Security-Policy", csp);
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  for (const [name, value] of Object.entries(headers)) response.headers.set(name, value);
  return response;
}

export const config = {
  // Not /api/v1: Next buffers every body that passes a proxy, a copy of each upload for nothing;
  // lib/http/api-route sets the API's security headers itself.
  matcher: ["/((?!_next/|api/v1/).*)"],
};
