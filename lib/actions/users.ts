"use server";

import { requireStaff } from "@/lib/auth/session";
import { createUserAsStaff, resetPassword, setActive, setPlan, setStaff } from "@/lib/admin/manage-users";
import { adminCreateUserSchema, resetPasswordSchema, userFlagSchema } from "@/lib/accounts/schemas";
import { parseOrThrow } from "@/lib/errors";
import type { ActionResult } from "./result";
import { actionIdSchema, runAction } from "./run-action";

/**
 * Thin server actions of /admin/users: staff check, parse, one service call, revalidate. The
 * services check staff again and own every rule (lock-out protection included).
 */
const USERS_PATH = "/admin/users";
const PLANS_PATH = "/admin/plans";

export async function createUserAction(input: unknown): Promise<ActionResult> {
  const actor = await requireStaff(USERS_PATH);
  return runAction(() => createUserAsStaff(actor, parseOrThrow(adminCreateUserSchema, input)), USERS_PATH, PLANS_PATH);
}

export async function setUserPlanAction(userId: unknown, planId: unknown): Promise<ActionResult> {
  const actor = await requireStaff(USERS_PATH);
  return runAction(
    () => setPlan(actor, parseOrThrow(actionIdSchema, userId), parseOrThrow(actionIdSchema, planId)),
    USERS_PATH,
    PLANS_PATH,
  );
}

export async function setUserActiveAction(userId: unknown, isActive: unknown): Promise<ActionResult> {
  const actor = await requireStaff(USERS_PATH);
  return runAction(
    () => setActive(actor, parseOrThrow(actionIdSchema, userId), parseOrThrow(userFlagSchema, isActive)),
    USERS_PATH,
  );
}

export async function setUserStaffAction(userId: unknown, isStaff: unknown): Promise<ActionResult> {
  const actor = await requireStaff(USERS_PATH);
  return runAction(
    () => setStaff(actor, parseOrThrow(actionIdSchema, userId), parseOrThrow(userFlagSchema, isStaff)),
    USERS_PATH,
  );
}

export async function resetPasswordAction(userId: unknown, input: unknown): Promise<ActionResult> {
  const actor = await requireStaff(USERS_PATH);
  return runAction(() =>
    resetPassword(actor, parseOrThrow(actionIdSchema, userId), parseOrThrow(resetPasswordSchema, input)),
  );
}
