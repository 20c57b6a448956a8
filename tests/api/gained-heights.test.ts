import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { getDb } from "@/db/client";
import { users } from "@/db/schema";
import type { Principal } from "@/lib/accounts/principal";
import { updatePlan } from "@/lib/admin/manage-plans";
import { setPlan } from "@/lib/admin/manage-users";
import { findPlanByName } from "@/lib/plans/find-plan";
import { settleInProcessJobs } from "@/lib/queue/thumbnail-jobs";
import { orientedJpeg, rgbaPng } from "../support/fixtures";
import { makePlan, makeUser, queriesOf, storedHeights, uploadOk } from "./harness";

/**
 * Heights a plan gains are made ahead of the first request for them: a user moved to a plan with
 * more heights, or a plan edited to have more, hands the affected images to the thumbnail queue
 * (run in this process here: no REDIS_URL in this suite).
 */
let actor: Principal;

beforeAll(async () => {
  actor = await (await makeUser("Basic", { isStaff: true })).principal();
});

describe("a plan change that gains heights", () => {
  it("a user moved from Basic to Premium gets the 400 px thumbnail of every image, without asking for it", async () => {
    const user = await makeUser("Basic");
    const ids = [
      (await uploadOk(user, await rgbaPng(), "a")).id,
      (await uploadOk(user, await orientedJpeg(6, "landscape"), "b")).id,
    ];
    for (const id of ids) expect(await storedHeights(id)).toEqual([200]);
    const other = await makeUser("Basic");
    const untouched = (await uploadOk(other, await rgbaPng())).id;

    await setPlan(actor, user.id, (await findPlanByName(getDb(), "Premium")).id);
    await settleInProcessJobs();
    for (const id of ids) expect(await storedHeights(id)).toEqual([200, 400]);
    expect(await storedHeights(untouched)).toEqual([200]);
  });

  it("a plan edited to add a height gets it made for its users' images", async () => {
    const plan = await makePlan({ heights: [100] });
    const user = await makeUser(plan.name);
    const id = (await uploadOk(user, await rgbaPng())).id;
    expect(await storedHeights(id)).toEqual([100]);

    await updatePlan(actor, plan.id, {
      name: plan.name,
      heights: [100, 150],
      originalLink: false,
      expiringLinks: false,
    });
    await settleInProcessJobs();
    expect(await storedHeights(id)).toEqual([100, 150]);
  });

  it("a change that gains nothing queues nothing: the images are not even read", async () => {
    const user = await makeUser("Premium");
    const id = (await uploadOk(user, await rgbaPng())).id;
    const basic = (await findPlanByName(getDb(), "Basic")).id;
    const queries = await queriesOf(async () => {
      await setPlan(actor, user.id, basic);
      await settleInProcessJobs();
    });
    expect(queries.some((q) => /from "images"/.test(q))).toBe(false);
    expect(await storedHeights(id)).toEqual([200, 400]);
    const [row] = await getDb().select({ planId: users.planId }).from(users).where(eq(users.id, user.id));
    expect(row?.planId).toBe(basic);
  });
});
