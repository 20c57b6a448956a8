import { randomUUID } from "node:crypto";
import sharp from "sharp";
import { beforeAll, describe, expect, it } from "vitest";
import { getDb } from "@/db/client";
import { createUserAsStaff, listUsers, resetPassword, setActive, setPlan, setStaff } from "@/lib/admin/manage-users";
import type { Principal } from "@/lib/accounts/principal";
import { findUserByEmail, verifyCredentials } from "@/lib/accounts/users";
import { AppError, type ErrorKind } from "@/lib/errors";
import { DEFAULT_PLAN_NAME } from "@/lib/plans/builtin";
import { findPlanByName } from "@/lib/plans/find-plan";
import { createPlanAsStaff, deletePlan, listPlansWithUserCounts, updatePlan } from "@/lib/admin/manage-plans";
import { orientedJpeg, rgbaPng } from "../support/fixtures";
import { api, bodyBytes, type ImageBody, makePlan, makeUser, queriesOf, type TestUser, uploadOk } from "./harness";

const png = await rgbaPng();
const jpeg = await orientedJpeg(1, "landscape"); // 600×400

/** Awaits a call that must fail with an AppError of this kind, and returns the error. */
async function expectAppError(promise: Promise<unknown>, kind: ErrorKind): Promise<AppError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  const appError = error as AppError;
  expect(appError.kind, appError.message).toBe(kind);
  expect(appError.message.length).toBeGreaterThan(5);
  return appError;
}

const planId = async (name: string) => (await findPlanByName(getDb(), name)).id;
const tag = () => randomUUID().slice(0, 8);

let staff: TestUser;
let actor: Principal;

beforeAll(async () => {
  staff = await makeUser("Basic", { isStaff: true });
  actor = await staff.principal();
  expect(actor.isStaff).toBe(true);
});

describe("only staff can manage", () => {
  it("answers 403 to a non-staff actor from every service function, and changes nothing", async () => {
    const plain = await makeUser("Basic");
    const outsider = await plain.principal();
    const victim = await makeUser("Basic");
    const premium = await planId("Premium");
    const plan = await makePlan({ heights: [120] });

    await expectAppError(listUsers(outsider), "forbidden");
    await expectAppError(listUsers(outsider, { q: "example" }), "forbidden");
    await expectAppError(
      createUserAsStaff(outsider, { email: `x-${tag()}@example.com`, password: "password-123", planId: premium }),
      "forbidden",
    );
    await expectAppError(setPlan(outsider, victim.id, premium), "forbidden");
    await expectAppError(setActive(outsider, victim.id, false), "forbidden");
    await expectAppError(setStaff(outsider, plain.id, true), "forbidden");
    await expectAppError(resetPassword(outsider, victim.id, { password: "new-password-1" }), "forbidden");
    await expectAppError(listPlansWithUserCounts(outsider), "forbidden");
    await expectAppError(createPlanAsStaff(outsider, { name: `Nope ${tag()}`, heights: "100" }), "forbidden");
    await expectAppError(updatePlan(outsider, plan.id, { name: plan.name, heights: "100, 300" }), "forbidden");
    await expectAppError(deletePlan(outsider, plan.id), "forbidden");

    // 403 comes before validation: even garbage input is refused for the actor, not the input.
    await expectAppError(setPlan(outsider, "not-a-uuid", "nope"), "forbidden");

    const after = await findUserByEmail(victim.email);
    expect(after).toMatchObject({ isActive: true, planId: await planId("Basic") });
    expect(await verifyCredentials(victim.email, "password-123")).not.toBeNull();
    expect((await findUserByEmail(plain.email))?.isStaff).toBe(false);
    const plans = await listPlansWithUserCounts(actor);
    expect(plans.find((p) => p.id === plan.id)?.heights).toEqual([120]);
  });

  it("gives a deactivated staff member no principal at all, so pages and actions refuse them", async () => {
    const other = await makeUser("Basic", { isStaff: true });
    await setActive(actor, other.id, false);
    expect(await other.principal()).toBeNull();
  });
});

describe("listUsers", () => {
  it("searches by a case-insensitive e-mail substring, newest first", async () => {
    const marker = `srch${tag()}`;
    const basic = await planId("Basic");
    const a = await createUserAsStaff(actor, {
      email: `Alice.${marker}@Example.com`,
      password: "password-123",
      planId: basic,
    });
    const b = await createUserAsStaff(actor, {
      email: `bob-${marker}@example.org`,
      password: "password-123",
      planId: basic,
    });
    await createUserAsStaff(actor, { email: `carol-${tag()}@example.net`, password: "password-123", planId: basic });

    for (const q of [marker, marker.toUpperCase(), `  ${marker.slice(2)}  `]) {
      const { users, hasMore } = await listUsers(actor, { q });
      expect(users.map((u) => u.email)).toEqual([b.email, a.email]);
      expect(hasMore).toBe(false);
    }
    expect(a.email).toBe(`alice.${marker}@example.com`);
    expect((await listUsers(actor, { q: `ALICE.${marker.toUpperCase()}@EXAMPLE` })).users.map((u) => u.id)).toEqual([
      a.id,
    ]);
    // LIKE wildcards are searched for literally.
    expect((await listUsers(actor, { q: "%" })).users).toEqual([]);
    expect((await listUsers(actor, { q: `alice_${marker}` })).users).toEqual([]);
  });

  it("shows plan, flags and image counts, and never the password hash", async () => {
    const withImages = await makeUser("Premium", { isStaff: true });
    const without = await makeUser("Premium");
    for (let i = 0; i < 3; i++) await uploadOk(withImages, png, `p${i}`);

    const [row] = (await listUsers(actor, { q: withImages.email })).users;
    expect(row).toMatchObject({
      id: withImages.id,
      email: withImages.email,
      imageCount: 3,
      planName: "Premium",
      isStaff: true,
      isActive: true,
    });
    expect(row?.createdAt).toBeInstanceOf(Date);
    expect(row).not.toHaveProperty("passwordHash");
    const [empty] = (await listUsers(actor, { q: without.email })).users;
    expect(empty).toMatchObject({ id: without.id, imageCount: 0, planName: "Premium", isStaff: false });
  });

  it("limits the list and says there is more", async () => {
    const marker = `lim${tag()}`;
    const basic = await planId("Basic");
    for (let i = 0; i < 3; i++)
      await createUserAsStaff(actor, { email: `u${i}-${marker}@example.com`, password: "password-123", planId: basic });
    const page = await listUsers(actor, { q: marker, limit: 2 });
    expect(page.users.map((u) => u.email)).toEqual([`u2-${marker}@example.com`, `u1-${marker}@example.com`]);
    expect(page.hasMore).toBe(true);
    await expectAppError(listUsers(actor, { limit: 0 }), "invalid");
  });

  it("uses one query for the list however many users and images there are", async () => {
    const marker = `qc${tag()}`;
    const basic = await planId("Basic");
    const make = async (n: number) => {
      for (let i = 0; i < n; i++)
        await createUserAsStaff(actor, {
          email: `q${i}-${randomUUID()}-${marker}@example.com`,
          password: "password-123",
          planId: basic,
        });
    };
    await make(2);
    const few = await queriesOf(() => listUsers(actor, { q: marker }));
    await make(8);
    let seen = 0;
    const many = await queriesOf(async () => {
      seen = (await listUsers(actor, { q: marker })).users.length;
    });
    expect(seen).toBe(10);
    expect(few).toHaveLength(1);
    expect(many).toHaveLength(1);
    expect((await queriesOf(() => listUsers(actor))).length).toBe(1);
  });
});

describe("createUserAsStaff", () => {
  it("creates a user on the chosen plan who can sign in", async () => {
    const email = `new-${tag()}@example.com`;
    const user = await createUserAsStaff(actor, {
      email: `  ${email.toUpperCase()} `,
      password: "password-123",
      planId: await planId("Enterprise"),
      isStaff: false,
    });
    expect(user).toMatchObject({ email, isStaff: false, isActive: true, planId: await planId("Enterprise") });
    expect(user).not.toHaveProperty("passwordHash");
    expect((await verifyCredentials(email, "password-123"))?.id).toBe(user.id);
  });

  it("refuses a duplicate e-mail in any case with 409", async () => {
    const existing = await makeUser("Basic");
    for (const email of [existing.email, existing.email.toUpperCase(), ` ${existing.email.replace("user", "USER")} `]) {
      const error = await expectAppError(
        createUserAsStaff(actor, { email, password: "password-123", planId: await planId("Basic") }),
        "conflict",
      );
      expect(error.fields?.email).toBeDefined();
    }
  });

  it("validates each field with 422 and field errors", async () => {
    const error = await expectAppError(
      createUserAsStaff(actor, { email: "nope", password: "short", planId: "not-a-plan" }),
      "invalid",
    );
    expect(Object.keys(error.fields ?? {}).sort()).toEqual(["email", "password", "planId"]);
    const gone = await expectAppError(
      createUserAsStaff(actor, { email: `x-${tag()}@example.com`, password: "password-123", planId: randomUUID() }),
      "invalid",
    );
    expect(gone.fields?.planId).toBeDefined();
  });
});

describe("setPlan", () => {
  it("takes effect on the user's next API request", async () => {
    const user = await makeUser("Basic");
    const image = await uploadOk(user, jpeg);
    expect(image.thumbnails.map((t) => t.height)).toEqual([200]);
    expect(image.original).toBeNull();

    const updated = await setPlan(actor, user.id, await planId("Premium"));
    expect(updated.planId).toBe(await planId("Premium"));
    const after = (await (await api.get(user.token, image.id)).json()) as ImageBody;
    expect(after.thumbnails.map((t) => t.height)).toEqual([200, 400]);
    expect(after.original).not.toBeNull();
    expect((await api.thumbnail(user.token, image.id, 400)).status).toBe(200);

    await setPlan(actor, user.id, await planId("Basic"));
    const back = (await (await api.get(user.token, image.id)).json()) as ImageBody;
    expect(back.thumbnails.map((t) => t.height)).toEqual([200]);
    expect((await api.thumbnail(user.token, image.id, 400)).status).toBe(403);
  });

  it("answers 404 to unknown or malformed user and plan ids", async () => {
    const user = await makeUser("Basic");
    const premium = await planId("Premium");
    await expectAppError(setPlan(actor, "not-a-uuid", premium), "not-found");
    await expectAppError(setPlan(actor, randomUUID(), premium), "not-found");
    await expectAppError(setPlan(actor, user.id, "not-a-uuid"), "not-found");
    await expectAppError(setPlan(actor, user.id, randomUUID()), "not-found");
    await expectAppError(setActive(actor, randomUUID(), false), "not-found");
    await expectAppError(setStaff(actor, "x", true), "not-found");
    await expectAppError(resetPassword(actor, randomUUID(), { password: "password-456" }), "not-found");
    expect((await findUserByEmail(user.email))?.planId).toBe(await planId("Basic"));
  });
});

describe("setActive and setStaff", () => {
  it("locks a deactivated user's token out on the next request and lets it back in on activation", async () => {
    const user = await makeUser("Basic");
    expect((await api.list(user.token)).status).toBe(200);
    expect(await setActive(actor, user.id, false)).toMatchObject({ id: user.id, isActive: false });
    expect((await api.list(user.token)).status).toBe(401);
    expect(await verifyCredentials(user.email, "password-123")).toBeNull();
    expect((await listUsers(actor, { q: user.email })).users[0]?.isActive).toBe(false);

    await setActive(actor, user.id, true);
    expect((await api.list(user.token)).status).toBe(200);
    expect(await verifyCredentials(user.email, "password-123")).not.toBeNull();
  });

  it("refuses to let staff deactivate themselves or drop their own staff flag", async () => {
    const error = await expectAppError(setActive(actor, staff.id, false), "conflict");
    expect(error.message).toMatch(/your own account/);
    await expectAppError(setStaff(actor, staff.id, false), "conflict");
    expect(await findUserByEmail(staff.email)).toMatchObject({ isActive: true, isStaff: true });
    // Harmless self-changes are fine.
    await setActive(actor, staff.id, true);
    await setStaff(actor, staff.id, true);
  });

  it("grants and removes staff for others, effective on their next request", async () => {
    const user = await makeUser("Basic");
    await setStaff(actor, user.id, true);
    expect((await user.principal()).isStaff).toBe(true);
    await setStaff(actor, user.id, false);
    expect((await user.principal()).isStaff).toBe(false);
    await expectAppError(setStaff(actor, user.id, "yes" as unknown as boolean), "invalid");
  });
});

describe("resetPassword", () => {
  it("replaces the password: the new one signs in, the old one does not", async () => {
    const user = await makeUser("Basic");
    await resetPassword(actor, user.id, { password: "brand-new-secret" });
    expect((await verifyCredentials(user.email, "brand-new-secret"))?.id).toBe(user.id);
    expect(await verifyCredentials(user.email, "password-123")).toBeNull();
  });

  it("validates the new password", async () => {
    const user = await makeUser("Basic");
    const error = await expectAppError(resetPassword(actor, user.id, { password: "short" }), "invalid");
    expect(error.fields?.password?.[0]).toMatch(/at least 8/);
    expect(await verifyCredentials(user.email, "password-123")).not.toBeNull();
  });
});

describe("plans: create and update", () => {
  const invalid: [string, RegExp][] = [
    ["", /at least one height/],
    ["   ", /at least one height/],
    ["0", /1 to 4096/],
    ["4097", /1 to 4096/],
    ["100,100", /distinct/],
    ["abc", /"abc" is not a valid height/],
    ["100, 2.5", /"2.5"/],
  ];

  it.each(invalid)("refuses heights %j with 422 and a message on the heights field", async (heights, message) => {
    const create = await expectAppError(createPlanAsStaff(actor, { name: `Bad ${tag()}`, heights }), "invalid");
    expect(create.fields?.heights?.join(" ")).toMatch(message);
    const plan = await makePlan({ heights: [100] });
    const update = await expectAppError(updatePlan(actor, plan.id, { name: plan.name, heights }), "invalid");
    expect(update.fields?.heights?.join(" ")).toMatch(message);
  });

  it('parses "100, 300" to [100, 300] and keeps heights sorted', async () => {
    const name = `Text ${tag()}`;
    const plan = await createPlanAsStaff(actor, { name: `  ${name} `, heights: "100, 300", originalLink: true });
    expect(plan).toMatchObject({ name, heights: [100, 300], originalLink: true, expiringLinks: false });
    const updated = await updatePlan(actor, plan.id, { name, heights: "500 150,300", expiringLinks: true });
    expect(updated).toMatchObject({ heights: [150, 300, 500], originalLink: false, expiringLinks: true });
    const numeric = await updatePlan(actor, plan.id, { name, heights: [64, 32] });
    expect(numeric.heights).toEqual([32, 64]);
    await expectAppError(updatePlan(actor, plan.id, { name, heights: [0] }), "invalid");
    await expectAppError(createPlanAsStaff(actor, { name: "  ", heights: "100" }), "invalid");
  });

  it("refuses a duplicate name in any case with 409", async () => {
    const plan = await makePlan({ heights: [100] });
    const other = await makePlan({ heights: [100] });
    const error = await expectAppError(
      createPlanAsStaff(actor, { name: plan.name.toUpperCase(), heights: "100" }),
      "conflict",
    );
    expect(error.fields?.name).toBeDefined();
    await expectAppError(updatePlan(actor, other.id, { name: plan.name, heights: "100" }), "conflict");
    await expectAppError(updatePlan(actor, other.id, { name: "premium", heights: "100" }), "conflict");
    // Renaming a plan to itself in another case is not a clash.
    expect((await updatePlan(actor, plan.id, { name: plan.name.toLowerCase(), heights: "100" })).name).toBe(
      plan.name.toLowerCase(),
    );
  });

  it("answers 404 to unknown plan ids", async () => {
    await expectAppError(updatePlan(actor, randomUUID(), { name: `X ${tag()}`, heights: "100" }), "not-found");
    await expectAppError(updatePlan(actor, "nope", { name: `X ${tag()}`, heights: "100" }), "not-found");
    await expectAppError(deletePlan(actor, randomUUID()), "not-found");
    await expectAppError(deletePlan(actor, "nope"), "not-found");
  });

  it("an edit that leaves the limits out keeps them, rather than resetting them to the defaults", async () => {
    const limits = { maxUploadBytes: 1048576, quotaBytes: 5242880, requestsPerMinute: 7, uploadsPerHour: 3 };
    const plan = await createPlanAsStaff(actor, { name: `Limits ${tag()}`, heights: [100], ...limits });
    const updated = await updatePlan(actor, plan.id, { name: plan.name, heights: [100, 200] });
    expect(updated).toMatchObject({ heights: [100, 200], ...limits });
    const changed = await updatePlan(actor, plan.id, { name: plan.name, heights: "100", uploadsPerHour: "9" });
    expect(changed).toMatchObject({ ...limits, uploadsPerHour: 9 });
  });

  it("refuses to rename the default plan but lets its entitlements change", async () => {
    const basic = (await listPlansWithUserCounts(actor)).find((p) => p.name === DEFAULT_PLAN_NAME);
    expect(basic?.isDefault).toBe(true);
    if (!basic) return;
    const error = await expectAppError(
      updatePlan(actor, basic.id, {
        name: "Starter",
        heights: basic.heights,
        originalLink: basic.originalLink,
        expiringLinks: basic.expiringLinks,
      }),
      "conflict",
    );
    expect(error.message).toMatch(/default plan/);
    expect(error.fields?.name).toBeDefined();
    // Saving it unchanged is fine (the other tests rely on Basic being exactly [200]).
    const same = await updatePlan(actor, basic.id, {
      name: DEFAULT_PLAN_NAME,
      heights: [...basic.heights],
      originalLink: basic.originalLink,
      expiringLinks: basic.expiringLinks,
    });
    expect(same.heights).toEqual(basic.heights);
  });

  it("applies new heights to existing images at once, and serves the new thumbnail", async () => {
    const plan = await createPlanAsStaff(actor, { name: `Live ${tag()}`, heights: "100" });
    const user = await makeUser(plan.name);
    const image = await uploadOk(user, jpeg);
    expect(image.thumbnails.map((t) => t.height)).toEqual([100]);
    expect(image.original).toBeNull();

    await updatePlan(actor, plan.id, { name: plan.name, heights: "250, 100", originalLink: true });
    const after = (await (await api.get(user.token, image.id)).json()) as ImageBody;
    expect(after.thumbnails.map((t) => [t.height, t.width])).toEqual([
      [100, 150],
      [250, 375],
    ]);
    expect(after.original).not.toBeNull();
    const res = await api.thumbnail(user.token, image.id, 250);
    expect(res.status).toBe(200);
    const meta = await sharp(await bodyBytes(res)).metadata();
    expect([meta.width, meta.height]).toEqual([375, 250]);

    await updatePlan(actor, plan.id, { name: plan.name, heights: "250" });
    const dropped = (await (await api.get(user.token, image.id)).json()) as ImageBody;
    expect(dropped.thumbnails.map((t) => t.height)).toEqual([250]);
    expect((await api.thumbnail(user.token, image.id, 100)).status).toBe(403);
  });
});

describe("plans: list and delete", () => {
  it("lists every plan with its user count", async () => {
    const plan = await makePlan({ heights: [300, 100] });
    await makeUser(plan.name);
    await makeUser(plan.name);
    const plans = await listPlansWithUserCounts(actor);
    expect(plans.find((p) => p.id === plan.id)).toMatchObject({ userCount: 2, heights: [100, 300], isDefault: false });
    expect(plans.map((p) => p.name)).toEqual(expect.arrayContaining(["Basic", "Premium", "Enterprise"]));
    expect(plans.filter((p) => p.isDefault).map((p) => p.name)).toEqual([DEFAULT_PLAN_NAME]);
  });

  it("refuses to delete a plan with users, saying how many, until they are moved", async () => {
    const plan = await makePlan({ heights: [100] });
    const one = await makeUser(plan.name);
    const two = await makeUser(plan.name);
    const error = await expectAppError(deletePlan(actor, plan.id), "conflict");
    expect(error.message).toMatch(/^2 users are on this plan; move them first/);

    await setPlan(actor, one.id, await planId("Basic"));
    expect((await expectAppError(deletePlan(actor, plan.id), "conflict")).message).toMatch(/^1 user is on this plan/);
    await setPlan(actor, two.id, await planId("Basic"));
    await deletePlan(actor, plan.id);
    expect((await listPlansWithUserCounts(actor)).some((p) => p.id === plan.id)).toBe(false);
    await expectAppError(deletePlan(actor, plan.id), "not-found");
  });

  it("deletes an unused plan", async () => {
    const plan = await createPlanAsStaff(actor, { name: `Unused ${tag()}`, heights: "100" });
    await deletePlan(actor, plan.id);
    expect((await listPlansWithUserCounts(actor)).some((p) => p.id === plan.id)).toBe(false);
  });

  it("refuses to delete the default plan", async () => {
    const basic = await planId(DEFAULT_PLAN_NAME);
    const error = await expectAppError(deletePlan(actor, basic), "conflict");
    expect(error.message).toMatch(/default plan/);
    expect((await listPlansWithUserCounts(actor)).some((p) => p.id === basic)).toBe(true);
  });
});
