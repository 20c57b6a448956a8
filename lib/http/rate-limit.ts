import type { Principal } from "@/lib/accounts/principal";
import type { Operation } from "@/lib/api/operation";
import { type LimitState, limits } from "@/lib/limits";
import { PUBLIC_PER_MINUTE } from "@/lib/limits/policies";
import { logger } from "@/lib/log";
import { clientIp } from "./client-ip";
import { ApiError } from "./problem";

/**
 * The API's rate limits, counted by the route wrapper: per user from the plan (requests per
 * minute on every operation, uploads per hour on operations marked `rateLimit: "upload"`; 0 =
 * unlimited), and per client IP on public operations (expiring links).
 *
 * Answers carry the fields of draft-ietf-httpapi-ratelimit-headers-10 (the structured-field,
 * named-policy form of drafts 08 and later), one named policy per limit:
 *   RateLimit-Policy: "minute";q=600;w=60, "upload";q=100;w=3600
 *   RateLimit: "minute";r=599;t=42, "upload";r=99;t=3000
 */
type Policy = { name: string; quota: number; window: number; limiter: string; key: string };

/** Anyone's requests, counted per client IP: public operations and the share pages share it. */
const perClientIp = (request: Request): Policy => ({
  name: "minute",
  quota: PUBLIC_PER_MINUTE,
  window: 60,
  limiter: "ip",
  key: clientIp(request.headers),
});

function policiesOf(operation: Operation, request: Request, principal: Principal | undefined): Policy[] {
  if (!principal) return [perClientIp(request)];
  const { requestsPerMinute, uploadsPerHour } = principal.plan;
  const policies: Policy[] = [];
  if (requestsPerMinute > 0)
    policies.push({
      name: "minute",
      quota: requestsPerMinute,
      window: 60,
      limiter: "user-minute",
      key: principal.userId,
    });
  if (operation.rateLimit === "upload" && uploadsPerHour > 0)
    policies.push({
      name: "upload",
      quota: uploadsPerHour,
      window: 3600,
      limiter: "user-upload",
      key: principal.userId,
    });
  return policies;
}

function headersOf(policies: Policy[], states: (LimitState | null)[]): Record<string, string> {
  if (policies.length === 0) return {};
  return {
    "RateLimit-Policy": policies.map((p) => `"${p.name}";q=${p.quota};w=${p.window}`).join(", "),
    RateLimit: policies
      .map((p, i) => {
        const state = states[i];
        return `"${p.name}";r=${state?.remaining ?? p.quota};t=${state?.resetSeconds ?? p.window}`;
      })
      .join(", "),
  };
}

/**
 * Counts the request against each of its limits, in order, and stops at the first it is over:
 * then throws a 429 with Retry-After (seconds, rounded up) and the rate-limit fields. Otherwise
 * returns the fields for the answer ({} when nothing limits the operation). If counting itself
 * fails, the request goes through uncounted: limits must not take the API down.
 */
export function countRequest(
  operation: Operation,
  request: Request,
  principal: Principal | undefined,
): Promise<Record<string, string>> {
  return countPolicies(policiesOf(operation, request, principal));
}

/** A public page outside the API (an expiring link's share page): the public operations' per-IP count. */
export function countPublicPage(request: Request): Promise<Record<string, string>> {
  return countPolicies([perClientIp(request)]);
}

async function countPolicies(policies: Policy[]): Promise<Record<string, string>> {
  const states: (LimitState | null)[] = [];
  try {
    for (const policy of policies) {
      const limiter = limits().limiter(policy.limiter, policy.quota, policy.window);
      const state = await limiter.consume(policy.key);
      states.push(state);
      if (state.allowed) continue;
      // Say where the limits not counted stand too, without counting this refused request.
      for (const rest of policies.slice(states.length))
        states.push(await limits().limiter(rest.limiter, rest.quota, rest.window).peek(rest.key));
      throw new ApiError(
        429,
        `Too many requests: the "${policy.name}" limit (${policy.quota} per ${policy.window} s) is used up; retry in ${state.resetSeconds} s.`,
        undefined,
        { "Retry-After": String(state.resetSeconds), ...headersOf(policies, states) },
      );
    }
  } catch (error) {
    if (error instanceof ApiError) throw error;
    logger.error({ err: error }, "rate limits could not be counted; request let through");
    return {};
  }
  return headersOf(policies, states);
}
