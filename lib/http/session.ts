import { decode } from "@auth/core/jwt";

/**
 * Reads the user id from the next-auth (Auth.js) session cookie without going through Next:
 * the same JWT, the same secret, the same cookie names (secure prefix on https).
 */
const SESSION_COOKIE_NAMES = ["__Secure-authjs.session-token", "authjs.session-token"] as const;

/** A value that is not valid percent-encoding (`%`, `%zz`) is no cookie at all, never a 500. */
function decodeCookieValue(value: string): string | undefined {
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
}

function readCookie(header: string | null, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeCookieValue(part.slice(eq + 1).trim());
  }
  return undefined;
}

function readSessionCookie(header: string | null, name: string): string | undefined {
  const whole = readCookie(header, name);
  if (whole) return whole;
  // Auth.js splits large cookies into name.0, name.1, …
  const chunks: string[] = [];
  for (let i = 0; ; i++) {
    const chunk = readCookie(header, `${name}.${i}`);
    if (chunk === undefined) break;
    chunks.push(chunk);
  }
  return chunks.length ? chunks.join("") : undefined;
}

/** The session's user and when they signed in (ms since epoch; 0 if the session does not say). */
export type SessionClaims = { userId: string; authTime: number };

export async function sessionClaims(request: Request, secret: string): Promise<SessionClaims | null> {
  const header = request.headers.get("cookie");
  for (const name of SESSION_COOKIE_NAMES) {
    const token = readSessionCookie(header, name);
    if (!token) continue;
    try {
      const payload = await decode({ token, secret, salt: name });
      if (payload && typeof payload.sub === "string") {
        return { userId: payload.sub, authTime: typeof payload.authTime === "number" ? payload.authTime : 0 };
      }
    } catch {
      // A stale or forged cookie is the same as no cookie.
    }
  }
  return null;
}
