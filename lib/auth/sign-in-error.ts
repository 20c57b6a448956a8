/** The `code` of a sign-in refused by the limits, followed by the minutes to wait: `too-many-attempts.15`. */
export const TOO_MANY_ATTEMPTS = "too-many-attempts.";

/** The message for a sign-in error code, if it is the limits' one. */
export function tooManyAttemptsMessage(code: string | undefined): string | null {
  const minutes = code?.startsWith(TOO_MANY_ATTEMPTS) ? Number(code.slice(TOO_MANY_ATTEMPTS.length)) : NaN;
  if (!Number.isInteger(minutes) || minutes < 1 || minutes > 24 * 60) return null;
  return `Too many attempts, try again in ${minutes} minute${minutes === 1 ? "" : "s"}.`;
}
