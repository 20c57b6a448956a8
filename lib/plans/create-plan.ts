import { getDb } from "@/db/client";
import { type Plan, plans } from "@/db/schema";
import { pgErrorCode, UNIQUE_VIOLATION } from "@/lib/db-errors";
import { env } from "@/lib/env";
import { AppError, parseOrThrow } from "@/lib/errors";
import { type PlanInput, planInputSchemaFor } from "./schemas";

export const planNameTaken = (name: string) =>
  new AppError("conflict", `A plan named "${name}" already exists.`, {
    fields: { name: ["another plan already has this name"] },
  });

/** Limits left out are Premium's (the largest upload never above MAX_UPLOAD_BYTES). */
export async function createPlan(input: PlanInput): Promise<Plan> {
  const data = parseOrThrow(planInputSchemaFor(env().MAX_UPLOAD_BYTES), input);
  try {
    const [plan] = await getDb()
      .insert(plans)
      .values({ ...data, heights: [...data.heights].sort((a, b) => a - b) })
      .returning();
    return plan as Plan;
  } catch (error) {
    if (pgErrorCode(error) === UNIQUE_VIOLATION) throw planNameTaken(data.name);
    throw error;
  }
}
