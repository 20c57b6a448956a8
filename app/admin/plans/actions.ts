"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { requireStaff } from "@/app/_server/session";
import { type ActionResult, actionFailure } from "@/components/admin/action-result";
import { parseOrThrow } from "@/lib/http/problem";
import { createPlanAsStaff, deletePlan, updatePlan } from "@/lib/plans/manage-plans";
import { planFormSchema } from "@/lib/plans/schemas";

/**
 * Thin server actions of /admin/plans. The form sends heights as the text the staff member typed;
 * the server parses it with the same schema (planFormSchema) the form validated it with.
 */
const PLANS_PATH = "/admin/plans";
const USERS_PATH = "/admin/users";

const idSchema = z.string({ error: "missing id" });

async function run(work: () => Promise<unknown>): Promise<ActionResult> {
  try {
    await work();
  } catch (error) {
    return actionFailure(error);
  }
  revalidatePath(PLANS_PATH);
  revalidatePath(USERS_PATH);
  return { ok: true };
}

export async function createPlanAction(input: unknown): Promise<ActionResult> {
  const actor = await requireStaff(PLANS_PATH);
  return run(() => createPlanAsStaff(actor, parseOrThrow(planFormSchema, input)));
}

export async function updatePlanAction(planId: unknown, input: unknown): Promise<ActionResult> {
  const actor = await requireStaff(PLANS_PATH);
  return run(() => updatePlan(actor, parseOrThrow(idSchema, planId), parseOrThrow(planFormSchema, input)));
}

export async function deletePlanAction(planId: unknown): Promise<ActionResult> {
  const actor = await requireStaff(PLANS_PATH);
  return run(() => deletePlan(actor, parseOrThrow(idSchema, planId)));
}
