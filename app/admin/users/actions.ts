"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { requireStaff } from "@/app/_server/session";
import { type ActionResult, actionFailure } from "@/components/admin/action-result";
import { createUserAsStaff, resetPassword, setActive, setPlan, setStaff } from "@/lib/accounts/manage-users";
import { adminCreateUserSchema, resetPasswordSchema, userFlagSchema } from "@/lib/accounts/schemas";
import { parseOrThrow } from "@/lib/http/problem";

/**
 * Thin server actions of /admin/users: staff check, parse, one service call, revalidate. The
 * services check staff again and own every rule (lock-out protection included).
 */
const USERS_PATH = "/admin/users";
const PLANS_PATH = "/admin/plans";

// Ids are only checked to be strings here: the services answer 404 to anything not a known id.
const idSchema = z.string({ error: "missing id" });

async function run(work: () => Promise<unknown>, ...paths: string[]): Promise<ActionResult> {
  try {
    await work();
  } catch (error) {
    return actionFailure(error);
  }
  for (const path of paths) revalidatePath(path);
  return { ok: true };
}

export async function createUserAction(input: unknown): Promise<ActionResult> {
  const actor = await requireStaff(USERS_PATH);
  return run(() => createUserAsStaff(actor, parseOrThrow(adminCreateUserSchema, input)), USERS_PATH, PLANS_PATH);
}

export async function setUserPlanAction(userId: unknown, planId: unknown): Promise<ActionResult> {
  const actor = await requireStaff(USERS_PATH);
  return run(() => setPlan(actor, parseOrThrow(idSchema, userId), parseOrThrow(idSchema, planId)), USERS_PATH, PLANS_PATH);
}

export async function setUserActiveAction(userId: unknown, isActive: unknown): Promise<ActionResult> {
  const actor = await requireStaff(USERS_PATH);
  return run(() => setActive(actor, parseOrThrow(idSchema, userId), parseOrThrow(userFlagSchema, isActive)), USERS_PATH);
}

export async function setUserStaffAction(userId: unknown, isStaff: unknown): Promise<ActionResult> {
  const actor = await requireStaff(USERS_PATH);
  return run(() => setStaff(actor, parseOrThrow(idSchema, userId), parseOrThrow(userFlagSchema, isStaff)), USERS_PATH);
}

export async function resetPasswordAction(userId: unknown, input: unknown): Promise<ActionResult> {
  const actor = await requireStaff(USERS_PATH);
  return run(() => resetPassword(actor, parseOrThrow(idSchema, userId), parseOrThrow(resetPasswordSchema, input)));
}
