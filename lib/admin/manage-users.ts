import { desc, eq, ilike, sql } from "drizzle-orm";
import type { z } from "zod";
import { getDb } from "@/db/client";
import { plans, type User, users } from "@/db/schema";
import { idOrNotFound } from "@/lib/ids";
import { FOREIGN_KEY_VIOLATION, pgErrorCode } from "@/lib/db-errors";
import { AppError, notFound, parseOrThrow } from "@/lib/errors";
import { hashPassword } from "@/lib/accounts/password";
import type { Principal } from "@/lib/accounts/principal";
import {
  adminCreateUserSchema,
  listUsersQuerySchema,
  resetPasswordSchema,
  userFlagSchema,
} from "@/lib/accounts/schemas";
import { createUser } from "@/lib/accounts/users";
import { planHeightsOf, queueGainedHeights } from "@/lib/images/queue-gained-heights";

/**
 * User management for staff. Pages and server actions check staff first; every function here
 * checks again (defence in depth), so no caller can forget.
 */
export function assertStaff(actor: Principal | null | undefined): asserts actor is Principal {
  if (!actor?.isStaff) throw new AppError("forbidden", "Only staff members can do this.");
}

/** A user as the staff pages show it: never the password hash. */
export type ManagedUser = Omit<User, "passwordHash" | "credentialsChangedAt" | "bytesReservedAt">;

/** `bytesUsed` against the plan's `quotaBytes` (null: unlimited) is the user's storage usage. */
type UserListRow = ManagedUser & { planName: string; imageCount: number; quotaBytes: number | null };

export type UserList = { users: UserListRow[]; hasMore: boolean };

const managedColumns = {
  id: users.id,
  email: users.email,
  isStaff: users.isStaff,
  isActive: users.isActive,
  planId: users.planId,
  bytesUsed: users.bytesUsed,
  createdAt: users.createdAt,
};

/** LIKE treats % and _ as wildcards; a search for "a_b" means the characters themselves. */
function likeContains(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * Newest first, optionally filtered by a case-insensitive e-mail substring. One statement: the
 * plan by join, the image count by a correlated subquery on the images (owner, …) index.
 */
export async function listUsers(actor: Principal, query: z.input<typeof listUsersQuerySchema> = {}): Promise<UserList> {
  assertStaff(actor);
  const { q, limit } = parseOrThrow(listUsersQuerySchema, query);
  const rows = await getDb()
    .select({
      ...managedColumns,
      planName: plans.name,
      quotaBytes: plans.quotaBytes,
      imageCount: sql<number>`(select count(*) from images where images.owner_id = "users"."id")`.mapWith(Number),
    })
    .from(users)
    .innerJoin(plans, eq(plans.id, users.planId))
    .where(q ? ilike(users.email, likeContains(q)) : undefined)
    .orderBy(desc(users.createdAt), desc(users.id))
    .limit(limit + 1);
  return { users: rows.slice(0, limit), hasMore: rows.length > limit };
}

export async function createUserAsStaff(
  actor: Principal,
  input: z.input<typeof adminCreateUserSchema>,
): Promise<ManagedUser> {
  assertStaff(actor);
  const data = parseOrThrow(adminCreateUserSchema, input);
  const [plan] = await getDb().select({ name: plans.name }).from(plans).where(eq(plans.id, data.planId));
  if (!plan)
    throw new AppError("invalid", "That plan no longer exists; reload the page and pick another.", {
      fields: { planId: ["unknown plan"] },
    });
  const { passwordHash: _, ...user } = await createUser({
    email: data.email,
    password: data.password,
    planName: plan.name,
    isStaff: data.isStaff,
  });
  return user;
}

async function updateUser(
  userId: string,
  values: Partial<Pick<User, "planId" | "isActive" | "isStaff" | "passwordHash" | "credentialsChangedAt">>,
): Promise<ManagedUser> {
  const [updated] = await getDb().update(users).set(values).where(eq(users.id, userId)).returning(managedColumns);
  if (!updated) throw notFound("user");
  return updated;
}

/**
 * Takes effect on the user's next request: every request reads the plan from the database. Heights
 * the new plan adds are made for the user's images by the queue.
 */
export async function setPlan(actor: Principal, userId: string, planId: string): Promise<ManagedUser> {
  assertStaff(actor);
  const id = idOrNotFound(userId, "user");
  idOrNotFound(planId, "plan");
  const before = await planHeightsOf({ userId: id });
  let updated: ManagedUser;
  try {
    updated = await updateUser(id, { planId });
  } catch (error) {
    if (pgErrorCode(error) === FOREIGN_KEY_VIOLATION) throw notFound("plan");
    throw error;
  }
  await queueGainedHeights({ userId: id }, before);
  return updated;
}

/**
 * Deactivation takes effect on the user's next request (sessions and API tokens both re-read
 * is_active). Staff cannot deactivate themselves, so the last staff member cannot lock everyone out.
 */
export async function setActive(actor: Principal, userId: string, isActive: boolean): Promise<ManagedUser> {
  assertStaff(actor);
  const id = idOrNotFound(userId, "user");
  const active = parseOrThrow(userFlagSchema, isActive);
  if (!active && id === actor.userId) {
    throw new AppError("conflict", "You cannot deactivate your own account: ask another staff member to do it.");
  }
  return updateUser(id, { isActive: active });
}

export async function setStaff(actor: Principal, userId: string, isStaff: boolean): Promise<ManagedUser> {
  assertStaff(actor);
  const id = idOrNotFound(userId, "user");
  const staff = parseOrThrow(userFlagSchema, isStaff);
  if (!staff && id === actor.userId) {
    throw new AppError("conflict", "You cannot remove your own staff access: ask another staff member to do it.");
  }
  return updateUser(id, { isStaff: staff });
}

export async function resetPassword(
  actor: Principal,
  userId: string,
  input: z.input<typeof resetPasswordSchema>,
): Promise<ManagedUser> {
  assertStaff(actor);
  const id = idOrNotFound(userId, "user");
  const { password } = parseOrThrow(resetPasswordSchema, input);
  // Only hash (scrypt, 32 MiB) once the user is known to exist.
  const [exists] = await getDb().select({ id: users.id }).from(users).where(eq(users.id, id));
  if (!exists) throw notFound("user");
  // Existing sessions end too: whoever knew the old password is signed out on their next request.
  return updateUser(id, { passwordHash: await hashPassword(password), credentialsChangedAt: new Date() });
}
