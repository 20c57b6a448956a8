"use server";

import { requirePrincipal } from "@/lib/auth/session";
import { createApiToken, revokeApiToken } from "@/lib/accounts/api-tokens";
import type { ActionResult } from "./result";
import { runAction } from "./run-action";

/** Server actions of /account: the signed-in person's own API tokens. */
const ACCOUNT_PATH = "/account";

/** The token itself is in the answer, the only time it is shown. */
export async function createTokenAction(name: string): Promise<ActionResult<{ token: string }>> {
  const principal = await requirePrincipal(ACCOUNT_PATH);
  let token = "";
  const result = await runAction(async () => {
    ({ token } = await createApiToken(principal.userId, name));
  }, ACCOUNT_PATH);
  return result.ok ? { ok: true, token } : result;
}

export async function revokeTokenAction(tokenId: string): Promise<ActionResult> {
  const principal = await requirePrincipal(ACCOUNT_PATH);
  return runAction(() => revokeApiToken(principal.userId, tokenId), ACCOUNT_PATH);
}
