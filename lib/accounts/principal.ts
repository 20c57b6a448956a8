import { and, eq, lte, sql } from "drizzle-orm";
import { getDb, preparedQuery } from "@/db/client";
import { plans, users } from "@/db/schema";
import { type Entitlements, entitlements } from "@/lib/plans/entitlements";
import { hashApiToken, looksLikeApiToken } from "./api-token";

/** Who is calling, as the database says right now: plan, staff flag and activity are never taken from a cookie. */
export type Principal = {
  userId: string;
  email: string;
  isStaff: boolean;
  plan: { id: string; name: string } & Entitlements;
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
  /** bigint columns: a raw query (postgres.js) gives them as strings, a drizzle select as numbers. */
  max_upload_bytes: number | string;
  quota_bytes: number | string | null;
  requests_per_minute: number;
  uploads_per_hour: number;
};

function toPrincipal(row: PrincipalRow): Principal {
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
        maxUploadBytes: Number(row.max_upload_bytes),
        quotaBytes: row.quota_bytes === null ? null : Number(row.quota_bytes),
        requestsPerMinute: row.requests_per_minute,
        uploadsPerHour: row.uploads_per_hour,
      }),
    },
  };
}

/**
 * One statement: finds the live token's active user and plan, and records last use
 * (at most once a minute per token, so busy integrations do not write on every request).
 */
export async function principalFromApiToken(token: string): Promise<Principal | null> {
  if (!looksLikeApiToken(token)) return null;
  const rows = await getDb().execute<PrincipalRow>(sql`
    with t as (
      select id, user_id from api_tokens where token_hash = ${hashApiToken(token)} and revoked_at is null
    ), touched as (
      update api_tokens set last_used_at = now()
      where id in (select id from t) and (last_used_at is null or last_used_at < now() - interval '1 minute')
    )
    select u.id, u.email, u.is_staff, p.id as plan_id, p.name as plan_name, p.heights, p.original_link, p.expiring_links,
      p.max_upload_bytes, p.quota_bytes, p.requests_per_minute, p.uploads_per_hour
    from t join users u on u.id = t.user_id and u.is_active join plans p on p.id = u.plan_id`);
  const row = rows[0];
  return row ? toPrincipal(row) : null;
}

/**
 * For sessions: the active user, provided they signed in (`authTime`, ms) no earlier than their
 * credentials last changed.
 */
const sessionUser = preparedQuery((db) =>
  db
    .select({
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
    })
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
