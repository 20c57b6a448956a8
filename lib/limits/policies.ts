/** The fixed limits (the per-user ones come from the plan: requestsPerMinute, uploadsPerHour). */

/** Requests per minute per client IP to public operations (expiring links, the API document). */
export const PUBLIC_PER_MINUTE = 300;

/** Failed sign-ins allowed per window: per (client IP, e-mail) and per client IP. */
export const SIGN_IN_LIMITS = { perPair: 5, perIp: 50, windowSeconds: 15 * 60 };
