import { eq, sql } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { connect, type Database } from "@/db/client";
import { plans } from "@/db/schema";
import { env } from "@/lib/env";

// One connection, so the statements it prepared can be read back on it.
const { db, sql: client } = connect(env().databaseUrl, { max: 1 });
afterAll(() => client.end({ timeout: 5 }));

async function preparedStatements(on: Pick<Database, "execute">): Promise<string[]> {
  const rows = await on.execute<{ statement: string }>(sql`select statement from pg_prepared_statements`);
  return rows.map((row) => row.statement);
}

describe("database client", () => {
  it("prepares drizzle's parameterised queries (one round trip each, no re-planning)", async () => {
    const [basic] = await db.select().from(plans).where(eq(plans.name, "Basic"));
    expect(basic?.heights).toEqual([200]);
    expect(await preparedStatements(db)).toContainEqual(
      expect.stringMatching(/from "plans" where "plans"\."name" = \$1$/),
    );
  });

  it("prepares them inside transactions and savepoints too", async () => {
    await db.transaction(async (tx) => {
      const [premium] = await tx.select({ id: plans.id }).from(plans).where(eq(plans.name, "Premium"));
      expect(premium).toBeDefined();
      await tx.transaction(async (nested) => {
        await nested.select({ heights: plans.heights }).from(plans).where(eq(plans.originalLink, true));
      });
      const statements = await preparedStatements(tx);
      expect(statements).toContainEqual(
        expect.stringMatching(/^select "id" from "plans" where "plans"\."name" = \$1$/),
      );
      expect(statements).toContainEqual(
        expect.stringMatching(/^select "heights" from "plans" where "plans"\."original_link" = \$1$/),
      );
    });
  });
});
