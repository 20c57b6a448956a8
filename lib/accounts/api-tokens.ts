import { and, desc, eq, isNull } from "drizzle-orm";
import { getDb } from "@/db/client";
import { type ApiToken, apiTokens } from "@/db/schema";
import { notFound, parseOrThrow } from "@/lib/errors";
import { idOrNotFound } from "@/lib/ids";
import { generateApiToken } from "./api-token";
import { tokenNameSchema } from "./schemas";

/** Returns the token itself once; only its hash is kept. */
export async function createApiToken(userId: string, name = "default"): Promise<{ token: string; record: ApiToken }> {
  const tokenName = parseOrThrow(tokenNameSchema, name);
  const { token, hash, prefix } = generateApiToken();
  const [record] = await getDb()
    .insert(apiTokens)
    .values({ userId, name: tokenName, tokenHash: hash, prefix })
    .returning();
  return { token, record: record as ApiToken };
}

export async function listApiTokens(userId: string): Promise<ApiToken[]> {
  return getDb()
    .select()
    .from(apiTokens)
    .where(and(eq(apiTokens.userId, userId), isNull(apiTokens.revokedAt)))
    .orderBy(desc(apiTokens.createdAt));
}

/** Takes effect on the next request: tokens are looked up on every request. */
export async function revokeApiToken(userId: string, tokenId: string): Promise<void> {
  idOrNotFound(tokenId, "token");
  const [revoked] = await getDb()
    .update(apiTokens)
    .set({ revokedAt: new Date() })
    .where(and(eq(apiTokens.id, tokenId), eq(apiTokens.userId, userId), isNull(apiTokens.revokedAt)))
    .returning({ id: apiTokens.id });
  if (!revoked) throw notFound("token");
}
