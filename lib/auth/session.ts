import "server-only";
import { forbidden, redirect } from "next/navigation";
import { cache } from "react";
import { auth } from "@/lib/auth/next-auth";
import { type Principal, principalFromUserId } from "@/lib/accounts/principal";

/**
 * The signed-in person as the database says now (plan, staff, active), or null. Pages and server
 * actions use this, never the session's own claims. Cached per render, so the layout and the page
 * it wraps share one lookup.
 */
export const currentPrincipal = cache(async (): Promise<Principal | null> => {
  const session = await auth();
  const userId = session?.user?.id;
  const authTime = (session as { authTime?: number } | null)?.authTime ?? 0;
  return userId ? principalFromUserId(userId, authTime) : null;
});

/** Sends visitors to sign-in and back to `returnTo` afterwards. */
export async function requirePrincipal(returnTo: string): Promise<Principal> {
  const principal = await currentPrincipal();
  if (!principal) redirect(`/sign-in?callbackUrl=${encodeURIComponent(returnTo)}`);
  return principal;
}

/** Staff pages and actions: a signed-in member who is not staff gets a 403 (app/forbidden.tsx). */
export async function requireStaff(returnTo: string): Promise<Principal> {
  const principal = await requirePrincipal(returnTo);
  if (!principal.isStaff) forbidden();
  return principal;
}
