import { and, eq, inArray, isNull, lt, lte, or, sql } from "drizzle-orm";
import { type Database, preparedQuery } from "@/db/client";
import { apiTokens, plans, users } from "@/db/schema";
import { type Entitlements, entitlements } from "@/lib/plans/entitlements";
import { hashApiToken, looksLikeApiToken } from "./api-token";

/** Who is calling, as the database says right now: plan, staff flag and activity are never taken from a cookie. */
export type Principal = {
  userId: string;
  email: string;
  isStaff: boolean;
  plan: { id: string; name: string } & Entitlements;
};

/** The user and plan columns a principal is made of: select them beside whatever else a statement reads. */
export const principalColumns = {
  id: users.id,
  email: users.email,
  is_staff: users.isStaff,
  plan_id: plans.id,
  plan_name: plans.name,
  heights: plans.heights,
  original_link: plans.originalLink,
  expiring_links: plans.expiringLinks,
  max_upload_bytes: plans.maxUploadBytes,
  quota_bytes: plans.quotaBytes,
  requests_per_minute: plans.requestsPerMinute,
  uploads_per_hour: plans.uploadsPerHour,
};

type PrincipalRow = {
  id: string;
  email: string;
  is_staff: boolean;
  plan_id: string;
  plan_name: string;
  heights: number[];
  original_link: boolean;
  expiring_links: boolean;
  max_upload_bytes: number;
  quota_bytes: number | null;
  requests_per_minute: number;
  uploads_per_hour: number;
};

export function toPrincipal(row: PrincipalRow): Principal {
  return {
    userId: row.id,
    email: row.email,
    isStaff: row.is_staff,
    plan: {
      id: row.plan_id,
      name: row.plan_name,
      ...entitlements({
        heights: row.heights,
        originalLink: row.original_link,
        expiringLinks: row.expiring_links,
        maxUploadBytes: row.max_upload_bytes,
        quotaBytes: row.quota_bytes,
        requestsPerMinute: row.requests_per_minute,
        uploadsPerHour: row.uploads_per_hour,
      }),
    },
  };
}

/**
 * The pieces of a statement that authenticates by API token (its SHA-256 in the `tokenHash`
 * placeholder): `ctes` find the live token and record its last use (at most once a minute per
 * token, so busy integrations do not write on every request); select from `token` joined to
 * `users` on `userOfToken` and to `plans` on `planOfUser`. No row: the token is unknown or
 * revoked, or its user deactivated or deleted. Other statements may join more to it, so a
 * request authenticates in the statement that reads what it needs.
 */
export function apiTokenCaller(db: Database) {
  const token = db.$with("token").as(
    db
      .select({ id: apiTokens.id, userId: apiTokens.userId })
      .from(apiTokens)
      .where(and(eq(apiTokens.tokenHash, sql.placeholder("tokenHash")), isNull(apiTokens.revokedAt))),
  );
  const touched = db.$with("touched").as(
    db
      .update(apiTokens)
      .set({ lastUsedAt: sql`now()` })
      .where(
        and(
          inArray(apiTokens.id, db.select({ id: token.id }).from(token)),
          or(isNull(apiTokens.lastUsedAt), lt(apiTokens.lastUsedAt, sql`now() - interval '1 minute'`)),
        ),
      ),
  );
  return {
    ctes: [token, touched] as const,
    token,
    userOfToken: and(eq(users.id, token.userId), eq(users.isActive, true)),
    planOfUser: eq(plans.id, users.planId),
  };
}

const tokenUser = preparedQuery((db) => {
  const { ctes, token, userOfToken, planOfUser } = apiTokenCaller(db);
  return db
    .with(...ctes)
    .select(principalColumns)
    .from(token)
    .innerJoin(users, userOfToken)
    .innerJoin(plans, planOfUser)
    .prepare("principal_token");
});

/** One statement (see apiTokenCaller); nothing is sent for what cannot be a token. */
export async function principalFromApiToken(token: string): Promise<Principal | null> {
  if (!looksLikeApiToken(token)) return null;
  const [row] = await tokenUser().execute({ tokenHash: hashApiToken(token) });
  return row ? toPrincipal(row) : null;
}

/**
 * For sessions: the active user, provided they signed in (`authTime`, ms) no earlier than their
 * credentials last changed.
 */
const sessionUser = preparedQuery((db) =>
  db
    .select(principalColumns)
    .from(users)
    .innerJoin(plans, eq(plans.id, users.planId))
    .where(
      and(
        eq(users.id, sql.placeholder("userId")),
        eq(users.isActive, true),
        lte(users.credentialsChangedAt, sql`${sql.placeholder("authTime")}::timestamptz`),
      ),
    )
    .prepare("principal_session"),
);

export async function principalFromUserId(userId: string, authTime: number): Promise<Principal | null> {
  const [row] = await sessionUser().execute({ userId, authTime: new Date(authTime).toISOString() });
  return row ? toPrincipal(row) : null;
}
