import { eq } from "drizzle-orm";
import { getDb } from "@/db/client";
import { type Plan, plans } from "@/db/schema";
import { env } from "@/lib/env";
import { parseOrThrow } from "@/lib/errors";
import { findPlanByName } from "./find-plan";
import { type PlanInput, planInputSchemaFor } from "./schemas";

/** What `update-plan` may change; anything left out keeps its value. */
export type PlanUpdate = Partial<Omit<PlanInput, "name">>;

/**
 * Changes a plan found by name (case-insensitively), for the CLI: the given fields over the
 * current ones, validated as a whole like a new plan. Takes effect on its users' next request.
 */
export async function updatePlanByName(name: string, changes: PlanUpdate): Promise<Plan> {
  const db = getDb();
  const current = await findPlanByName(db, name);
  const defined = Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined));
  const data = parseOrThrow(planInputSchemaFor(env().MAX_UPLOAD_BYTES), { ...current, ...defined });
  const [updated] = await db
    .update(plans)
    .set({ ...data, name: current.name, heights: [...data.heights].sort((a, b) => a - b) })
    .where(eq(plans.id, current.id))
    .returning();
  return updated as Plan;
}
