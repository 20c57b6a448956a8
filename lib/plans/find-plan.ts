import { eq, sql } from "drizzle-orm";
import type { Database } from "@/db/client";
import { type Plan, plans } from "@/db/schema";
import { AppError } from "@/lib/errors";

/** Plan names are matched case-insensitively ("premium" finds "Premium"). */
export async function findPlanByName(db: Database, name: string): Promise<Plan> {
  const [plan] = await db
    .select()
    .from(plans)
    .where(eq(sql`lower(${plans.name})`, name.trim().toLowerCase()));
  if (!plan) {
    const names = (await db.select({ name: plans.name }).from(plans).orderBy(plans.name)).map((p) => p.name);
    throw new AppError("invalid", `No plan named "${name}". Plans: ${names.join(", ")}.`, {
      fields: { plan: ["unknown plan"] },
    });
  }
  return plan;
}
