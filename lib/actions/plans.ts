"use server";

import { requireStaff } from "@/lib/auth/session";
import { parseOrThrow } from "@/lib/errors";
import { createPlanAsStaff, deletePlan, updatePlan } from "@/lib/admin/manage-plans";
import { planFormSchema } from "@/lib/plans/schemas";
import type { ActionResult } from "./result";
import { actionIdSchema, runAction } from "./run-action";

/**
 * Thin server actions of /admin/plans. The form sends heights as the text the staff member typed;
 * the server parses it with the same schema (planFormSchema) the form validated it with.
 */
const PLANS_PATH = "/admin/plans";
const USERS_PATH = "/admin/users";

export async function createPlanAction(input: unknown): Promise<ActionResult> {
  const actor = await requireStaff(PLANS_PATH);
  return runAction(() => createPlanAsStaff(actor, parseOrThrow(planFormSchema, input)), PLANS_PATH, USERS_PATH);
}

export async function updatePlanAction(planId: unknown, input: unknown): Promise<ActionResult> {
  const actor = await requireStaff(PLANS_PATH);
  return runAction(
    () => updatePlan(actor, parseOrThrow(actionIdSchema, planId), parseOrThrow(planFormSchema, input)),
    PLANS_PATH,
    USERS_PATH,
  );
}

export async function deletePlanAction(planId: unknown): Promise<ActionResult> {
  const actor = await requireStaff(PLANS_PATH);
  return runAction(() => deletePlan(actor, parseOrThrow(actionIdSchema, planId)), PLANS_PATH, USERS_PATH);
}
