import { asc, eq, sql } from "drizzle-orm";
import { getDb } from "@/db/client";
import { type Plan, plans, users } from "@/db/schema";
import { assertStaff } from "@/lib/admin/manage-users";
import type { Principal } from "@/lib/accounts/principal";
import { idOrNotFound } from "@/lib/ids";
import { FOREIGN_KEY_VIOLATION, pgErrorCode, UNIQUE_VIOLATION } from "@/lib/db-errors";
import { AppError, notFound, parseOrThrow } from "@/lib/errors";
import { DEFAULT_PLAN_NAME } from "@/lib/plans/builtin";
import { createPlan, planNameTaken } from "@/lib/plans/create-plan";
import { env } from "@/lib/env";
import { queueGainedHeights } from "@/lib/images/queue-gained-heights";
import { type PlanFormInput, planFormSchemaFor, type PlanInput, planInputSchemaFor } from "@/lib/plans/schemas";

/**
 * Plan management for staff. A plan's heights and links apply to its users' existing images at
 * once: the API reads the plan on every request and renders a missing height on first request.
 */
export type PlanListRow = Plan & { userCount: number; isDefault: boolean };

/** Heights as numbers (the API's shape) or as the form's text ("100, 300"). */
export type PlanChange = PlanInput | PlanFormInput;

/** Either shape, checked against this server's MAX_UPLOAD_BYTES (the form's first parse is not). */
function parsePlan(input: PlanChange) {
  const globalMaxBytes = env().MAX_UPLOAD_BYTES;
  const data =
    typeof (input as { heights?: unknown } | null)?.heights === "string"
      ? parseOrThrow(planFormSchemaFor(globalMaxBytes), input)
      : parseOrThrow(planInputSchemaFor(globalMaxBytes), input);
  return { ...data, heights: [...data.heights].sort((a, b) => a - b) };
}

// Spelled out in full: drizzle leaves columns unqualified in single-table selects, and a bare "id"
// inside the subquery would mean users.id.
const userCount = sql<number>`(select count(*) from users where users.plan_id = "plans"."id")`.mapWith(Number);

export async function listPlansWithUserCounts(actor: Principal): Promise<PlanListRow[]> {
  assertStaff(actor);
  const rows = await getDb()
    .select({ plan: plans, userCount })
    .from(plans)
    .orderBy(asc(plans.createdAt), asc(plans.name));
  return rows.map(({ plan, userCount }) => ({ ...plan, userCount, isDefault: plan.name === DEFAULT_PLAN_NAME }));
}

export async function createPlanAsStaff(actor: Principal, input: PlanChange): Promise<Plan> {
  assertStaff(actor);
  // Names are unique regardless of case (plans_name_key on lower(name)); createPlan answers 409.
  return createPlan(parsePlan(input));
}

/** Each limit column, and the input fields (plan input or form) that set it. */
const LIMIT_FIELDS = {
  maxUploadBytes: ["maxUploadBytes", "maxUploadMb"],
  quotaBytes: ["quotaBytes", "quotaMb"],
  requestsPerMinute: ["requestsPerMinute"],
  uploadsPerHour: ["uploadsPerHour"],
} as const;

/** An edit changes only the limits it names: one left out keeps its value (not Premium's default). */
function withoutOmittedLimits<T extends Record<keyof typeof LIMIT_FIELDS, unknown>>(
  data: T,
  input: PlanChange,
): Partial<T> {
  const given = new Set(Object.keys((input ?? {}) as object));
  const kept: Partial<T> = { ...data };
  for (const [column, fields] of Object.entries(LIMIT_FIELDS)) {
    if (!fields.some((field) => given.has(field))) delete kept[column as keyof T];
  }
  return kept;
}

export async function updatePlan(actor: Principal, planId: string, input: PlanChange): Promise<Plan> {
  assertStaff(actor);
  const id = idOrNotFound(planId, "plan");
  const data = withoutOmittedLimits(parsePlan(input), input);
  const db = getDb();
  const [current] = await db.select({ name: plans.name, heights: plans.heights }).from(plans).where(eq(plans.id, id));
  if (!current) throw notFound("plan");
  if (current.name === DEFAULT_PLAN_NAME && data.name !== DEFAULT_PLAN_NAME) {
    throw new AppError(
      "conflict",
      `"${DEFAULT_PLAN_NAME}" is the default plan new users get, so it cannot be renamed.`,
      {
        fields: { name: [`the default plan keeps the name "${DEFAULT_PLAN_NAME}"`] },
      },
    );
  }
  try {
    const [updated] = await db.update(plans).set(data).where(eq(plans.id, id)).returning();
    if (!updated) throw notFound("plan");
    // Heights the plan gained are made for its users' images by the queue.
    await queueGainedHeights({ planId: id }, current.heights);
    return updated;
  } catch (error) {
    if (pgErrorCode(error) === UNIQUE_VIOLATION) throw planNameTaken(data.name ?? "");
    throw error;
  }
}

const usersOnPlan = (count: number) =>
  new AppError("conflict", `${count} ${count === 1 ? "user is" : "users are"} on this plan; move them first.`);

/** Deletes a plan nobody is on. The default plan and plans in use are refused with the reason. */
export async function deletePlan(actor: Principal, planId: string): Promise<void> {
  assertStaff(actor);
  const id = idOrNotFound(planId, "plan");
  const db = getDb();
  const [current] = await db.select({ name: plans.name, userCount }).from(plans).where(eq(plans.id, id));
  if (!current) throw notFound("plan");
  if (current.name === DEFAULT_PLAN_NAME) {
    throw new AppError(
      "conflict",
      `"${DEFAULT_PLAN_NAME}" is the default plan new users get, so it cannot be deleted.`,
    );
  }
  if (current.userCount > 0) throw usersOnPlan(current.userCount);
  try {
    await db.delete(plans).where(eq(plans.id, id));
  } catch (error) {
    // Someone was moved onto the plan since the count: the foreign key (on delete restrict) refuses.
    if (pgErrorCode(error) === FOREIGN_KEY_VIOLATION) {
      const [{ count } = { count: 1 }] = await db
        .select({ count: sql<number>`count(*)`.mapWith(Number) })
        .from(users)
        .where(eq(users.planId, id));
      throw usersOnPlan(count);
    }
    throw error;
  }
}
