import { describe, expect, it } from "vitest";
import { contentSecurityPolicy, securityHeaders } from "./security-headers";

const prod = { dev: false, https: false };

function directives(csp: string): Map<string, string[]> {
  return new Map(
    csp.split(";").map((d) => {
      const [name = "", ...sources] = d.trim().split(/\s+/);
      return [name, sources];
    }),
  );
}

describe("contentSecurityPolicy", () => {
  it("allows scripts by nonce only, and never eval, in production", () => {
    const csp = directives(contentSecurityPolicy("abc123==", prod));
    expect(csp.get("script-src")).toEqual(["'self'", "'nonce-abc123=='", "'strict-dynamic'"]);
    expect(csp.get("style-src")).toEqual(["'self'", "'unsafe-inline'"]);
    expect(csp.get("default-src")).toEqual(["'self'"]);
    expect(csp.get("frame-ancestors")).toEqual(["'none'"]);
    expect(csp.get("object-src")).toEqual(["'none'"]);
    expect(csp.get("base-uri")).toEqual(["'self'"]);
    expect(csp.get("form-action")).toEqual(["'self'"]);
    expect(csp.has("upgrade-insecure-requests")).toBe(false);
    expect([...csp.values()].flat()).not.toContain("'unsafe-eval'");
  });

  it("adds 'unsafe-eval' for React's dev tooling only in development", () => {
    const csp = directives(contentSecurityPolicy("n0nce", { dev: true, https: false }));
    expect(csp.get("script-src")).toEqual(["'self'", "'nonce-n0nce'", "'strict-dynamic'", "'unsafe-eval'"]);
  });

  it("lets pages connect to this site only, and to the bucket direct uploads go to on S3", () => {
    expect(directives(contentSecurityPolicy("n", prod)).get("connect-src")).toEqual(["'self'"]);
    const s3 = { ...prod, uploadOrigin: "https://media.s3.eu-west-1.amazonaws.com" };
    expect(directives(contentSecurityPolicy("n", s3)).get("connect-src")).toEqual([
      "'self'",
      "https://media.s3.eu-west-1.amazonaws.com",
    ]);
  });

  it("upgrades insecure requests when the public URL is https", () => {
    expect(directives(contentSecurityPolicy("n", { dev: false, https: true })).has("upgrade-insecure-requests")).toBe(
      true,
    );
  });
});

describe("securityHeaders", () => {
  it("gives pages the CSP with the request's nonce, framing and referrer limits and a Permissions-Policy", () => {
    const headers = securityHeaders("/admin/users", "xyz", prod);
    expect(headers["Content-Security-Policy"]).toContain("'nonce-xyz'");
    expect(headers["X-Frame-Options"]).toBe("DENY");
    expect(headers["X-Content-Type-Options"]).toBe("nosniff");
    expect(headers["Referrer-Policy"]).toBe("strict-origin-when-cross-origin");
    for (const feature of ["camera", "microphone", "geolocation", "payment", "usb"])
      expect(headers["Permissions-Policy"]).toContain(`${feature}=()`);
    expect(headers["Strict-Transport-Security"]).toBeUndefined();
  });

  it("gives every page, /docs included, the same policy", () => {
    for (const path of ["/", "/docs", "/images/1", "/sign-in", "/account"])
      expect(securityHeaders(path, "n", prod)["Content-Security-Policy"]).toBe(contentSecurityPolicy("n", prod));
  });

  it("sends API responses no CSP, but the framing, sniffing and referrer headers", () => {
    for (const path of ["/api/v1/images", "/api/health", "/api"]) {
      const headers = securityHeaders(path, "n", prod);
      expect(headers["Content-Security-Policy"]).toBeUndefined();
      expect(headers["Permissions-Policy"]).toBeUndefined();
      expect(headers["X-Frame-Options"]).toBe("DENY");
      expect(headers["X-Content-Type-Options"]).toBe("nosniff");
      expect(headers["Referrer-Policy"]).toBe("strict-origin-when-cross-origin");
    }
  });

  it("never sends a Referer from an expiring link", () => {
    const headers = securityHeaders("/l/some-token.sig", "n", prod);
    expect(headers["Referrer-Policy"]).toBe("no-referrer");
    expect(headers["X-Frame-Options"]).toBe("DENY");
    expect(headers["Content-Security-Policy"]).toBeUndefined(); // the media response sets default-src 'none'
  });

  it("gives a share page the pages' CSP, but never a Referer: its URL is the link's credential too", () => {
    const headers = securityHeaders("/s/some-token.sig", "n", prod);
    expect(headers["Referrer-Policy"]).toBe("no-referrer");
    expect(headers["Content-Security-Policy"]).toBe(contentSecurityPolicy("n", prod));
    expect(directives(headers["Content-Security-Policy"] ?? "").get("img-src")).toContain("'self'");
    expect(headers["X-Frame-Options"]).toBe("DENY");
  });

  it("adds HSTS only when the public URL is https", () => {
    const https = { dev: false, https: true };
    for (const path of ["/", "/api/v1/images", "/l/t"])
      expect(securityHeaders(path, "n", https)["Strict-Transport-Security"]).toBe(
        "max-age=63072000; includeSubDomains",
      );
    expect(securityHeaders("/", "n", prod)["Strict-Transport-Security"]).toBeUndefined();
  });
});
