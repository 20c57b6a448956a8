import type { User } from "@/db/schema";
import { verifyCredentials } from "@/lib/accounts/users";
import { AppError } from "@/lib/errors";
import { type LimitState, limits } from ".";
import { SIGN_IN_LIMITS } from "./policies";

function tooMany(state: LimitState): AppError {
  const minutes = Math.ceil(state.resetSeconds / 60);
  return new AppError("rate-limited", `Too many attempts, try again in ${minutes} minute${minutes === 1 ? "" : "s"}.`, {
    retryAfterSeconds: state.resetSeconds,
  });
}

/**
 * verifyCredentials behind the sign-in limits. Every attempt is counted before the password is
 * hashed (counted, not just checked, so a burst of concurrent attempts cannot all slip through
 * before the first failure is recorded), and a refused one never reaches the hash. A success
 * clears its (IP, e-mail) pair and does not count against the IP. Throws AppError("rate-limited")
 * with retryAfterSeconds when over either limit.
 */
export async function verifyCredentialsLimited(
  clientIp: string,
  email: string,
  password: string,
): Promise<User | null> {
  const { perPair, perIp, windowSeconds } = SIGN_IN_LIMITS;
  const pair = limits().limiter("sign-in-pair", perPair, windowSeconds);
  const ip = limits().limiter("sign-in-ip", perIp, windowSeconds);
  const pairKey = `${clientIp}|${email.trim().toLowerCase().slice(0, 320)}`;

  // Already over: refused without counting (so the window is not stretched by the refusals).
  for (const state of [await pair.peek(pairKey), await ip.peek(clientIp)])
    if (state && !state.allowed) throw tooMany(state);

  const pairState = await pair.consume(pairKey);
  if (!pairState.allowed) throw tooMany(pairState);
  const ipState = await ip.consume(clientIp);
  if (!ipState.allowed) {
    await pair.reward(pairKey);
    throw tooMany(ipState);
  }

  const user = await verifyCredentials(email, password);
  if (user) {
    await pair.reset(pairKey);
    await ip.reward(clientIp);
  }
  return user;
}
