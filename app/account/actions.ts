"use server";

import { revalidatePath } from "next/cache";
import { requirePrincipal } from "@/app/_server/session";
import { createApiToken, revokeApiToken } from "@/lib/accounts/api-tokens";
import { actionFailure } from "@/components/admin/action-result";

export type TokenActionResult = { ok: true; token?: string } | { ok: false; error: string };

const failure = (error: unknown): TokenActionResult => actionFailure(error);

export async function createTokenAction(name: string): Promise<TokenActionResult> {
  const principal = await requirePrincipal("/account");
  try {
    const { token } = await createApiToken(principal.userId, name);
    revalidatePath("/account");
    return { ok: true, token };
  } catch (error) {
    return failure(error);
  }
}

export async function revokeTokenAction(tokenId: string): Promise<TokenActionResult> {
  const principal = await requirePrincipal("/account");
  try {
    await revokeApiToken(principal.userId, tokenId);
    revalidatePath("/account");
    return { ok: true };
  } catch (error) {
    return failure(error);
  }
}
