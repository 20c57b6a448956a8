"use server";

import { runAction } from "@/app/_server/actions";
import { requirePrincipal } from "@/app/_server/session";
import { createApiToken, revokeApiToken } from "@/lib/accounts/api-tokens";

export type TokenActionResult = { ok: true; token?: string } | { ok: false; error: string };

const ACCOUNT_PATH = "/account";

export async function createTokenAction(name: string): Promise<TokenActionResult> {
  const principal = await requirePrincipal(ACCOUNT_PATH);
  let token = "";
  const result = await runAction(async () => {
    ({ token } = await createApiToken(principal.userId, name));
  }, ACCOUNT_PATH);
  return result.ok ? { ok: true, token } : result;
}

export async function revokeTokenAction(tokenId: string): Promise<TokenActionResult> {
  const principal = await requirePrincipal(ACCOUNT_PATH);
  return runAction(() => revokeApiToken(principal.userId, tokenId), ACCOUNT_PATH);
}
