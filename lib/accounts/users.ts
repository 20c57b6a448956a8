import { eq, sql } from "drizzle-orm";
import type { z } from "zod";
import { getDb } from "@/db/client";
import { type User, users } from "@/db/schema";
import { pgErrorCode, UNIQUE_VIOLATION } from "@/lib/db-errors";
import { AppError, notFound, parseOrThrow } from "@/lib/errors";
import { DEFAULT_PLAN_NAME } from "@/lib/plans/builtin";
import { findPlanByName } from "@/lib/plans/find-plan";
import { DUMMY_PASSWORD_HASH, hashPassword, verifyPassword } from "./password";
import { createUserSchema, emailSchema } from "./schemas";

export async function createUser(input: z.input<typeof createUserSchema>): Promise<User> {
  const data = parseOrThrow(createUserSchema, input);
  const db = getDb();
  const plan = await findPlanByName(db, data.planName ?? DEFAULT_PLAN_NAME);
  try {
    const [user] = await db
      .insert(users)
      .values({
        email: data.email,
        passwordHash: await hashPassword(data.password),
        isStaff: data.isStaff,
        planId: plan.id,
      })
      .returning();
    return user as User;
  } catch (error) {
    if (pgErrorCode(error) === UNIQUE_VIOLATION)
      throw new AppError("conflict", `A user with e-mail ${data.email} already exists.`, {
        fields: { email: ["already taken"] },
      });
    throw error;
  }
}

export async function findUserByEmail(email: string): Promise<User | null> {
  const normalized = parseOrThrow(emailSchema, email);
  const [user] = await getDb()
    .select()
    .from(users)
    .where(eq(sql`lower(${users.email})`, normalized));
  return user ?? null;
}

export async function getUserByEmail(email: string): Promise<User> {
  const user = await findUserByEmail(email);
  if (!user) throw notFound("user with that e-mail");
  return user;
}

/** Takes effect on the user's very next request: every request reads the plan from the database. */
export async function setUserPlan(email: string, planName: string): Promise<User> {
  const user = await getUserByEmail(email);
  const plan = await findPlanByName(getDb(), planName);
  const [updated] = await getDb().update(users).set({ planId: plan.id }).where(eq(users.id, user.id)).returning();
  return updated as User;
}

/** Sign-in check; spends the same work on unknown e-mails so timing does not reveal accounts. */
export async function verifyCredentials(email: string, password: string): Promise<User | null> {
  const parsed = emailSchema.safeParse(email);
  const user = parsed.success ? await findUserByEmail(parsed.data) : null;
  const ok = await verifyPassword(password, user?.passwordHash ?? DUMMY_PASSWORD_HASH);
  return ok && user?.isActive ? user : null;
}
