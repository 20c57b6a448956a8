import { randomUUID } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import { describe, it } from "vitest";
import { getDb } from "@/db/client";
import { apiTokens, plans, users } from "@/db/schema";
import { verifyCredentials } from "@/lib/accounts/users";
import { api, makeUser, storedHeights, uploadOk, type ImageBody } from "../api/harness";
import { rgbaPng } from "../support/fixtures";
import { describeRun, lastLine, runAdmin } from "./run-admin";

/**
 * The management CLI, run as a real child process against the suite's PostgreSQL database
 * (DATABASE_URL, AUTH_SECRET and LINK_SIGNING_KEY come from tests/setup/api-env.ts). Effects are
 * checked in the database or through the API route handlers the app serves.
 */

const png = await rgbaPng();
const uniqueEmail = (tag: string) => `cli-${tag}-${randomUUID()}@example.com`;
const uniquePlan = (tag: string) => `CLI ${tag} ${randomUUID().slice(0, 8)}`;

async function userRow(email: string) {
  const rows = await getDb()
    .select({ id: users.id, email: users.email, isStaff: users.isStaff, plan: plans.name })
    .from(users)
    .innerJoin(plans, eq(plans.id, users.planId))
    .where(eq(sql`lower(${users.email})`, email.toLowerCase()));
  return rows;
}

async function planRows(name: string) {
  return getDb().select().from(plans).where(eq(plans.name, name));
}

describe.concurrent("admin CLI: commands take effect", () => {
  it("create-user --staff stores a lower-cased e-mail, the staff flag and the named plan; the same e-mail in another case is refused", async ({
    expect,
  }) => {
    const email = uniqueEmail("Staff").replace("cli-", "Cli-");
    const run = await runAdmin([
      "create-user",
      "--email",
      email,
      "--password",
      "a long password",
      "--plan",
      "enterprise",
      "--staff",
    ]);
    expect(run.code, describeRun(run)).toBe(0);
    expect(run.stdout).toContain(`staff user ${email.toLowerCase()}`);

    expect(await userRow(email)).toEqual([
      { id: expect.any(String), email: email.toLowerCase(), isStaff: true, plan: "Enterprise" },
    ]);

    // E-mail addresses are case-insensitive: an upper-cased copy is the same account.
    const again = await runAdmin([
      "create-user",
      "--email",
      email.toUpperCase(),
      "--password",
      "another long password",
    ]);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toMatch(/already exists/);
    expect(await userRow(email)).toHaveLength(1);
  });

  it("create-user without options makes a non-staff Basic user whose password signs in", async ({ expect }) => {
    const email = uniqueEmail("plain");
    const run = await runAdmin(["create-user", "--email", email, "--password", "correct horse battery"]);
    expect(run.code, describeRun(run)).toBe(0);
    expect(run.stderr).toBe("");
    expect(await userRow(email)).toEqual([{ id: expect.any(String), email, isStaff: false, plan: "Basic" }]);
    expect((await verifyCredentials(email, "correct horse battery"))?.email).toBe(email);
    expect(await verifyCredentials(email, "wrong horse battery")).toBeNull();
  });

  it("create-token prints the token alone on the last line, and that token authenticates API requests", async ({
    expect,
  }) => {
    const user = await makeUser("Basic");
    const image = await uploadOk(user, png, "mine");
    // Looked up case-insensitively, like every e-mail.
    const run = await runAdmin(["create-token", "--email", user.email.toUpperCase(), "--name", "ci deploy"]);
    expect(run.code, describeRun(run)).toBe(0);
    const token = lastLine(run.stdout);
    expect(token).toMatch(/^tih_[A-Za-z0-9_-]{43}$/);
    expect(token).not.toBe(user.token);

    const res = await api.list(token);
    expect(res.status).toBe(200);
    const page = (await res.json()) as { items: ImageBody[] };
    expect(page.items.map((i) => i.id)).toEqual([image.id]);

    const names = (
      await getDb().select({ name: apiTokens.name }).from(apiTokens).where(eq(apiTokens.userId, user.id))
    ).map((t) => t.name);
    expect(names.sort()).toEqual(["ci deploy", "tests"]);
  });

  it("set-plan changes the plan a user's very next request sees (thumbnails and original link)", async ({ expect }) => {
    const user = await makeUser("Basic");
    const image = await uploadOk(user, png);
    expect(image.thumbnails.map((t) => t.height)).toEqual([200]);
    expect(image.original).toBeNull();

    const run = await runAdmin(["set-plan", "--email", user.email, "--plan", "premium"]);
    expect(run.code, describeRun(run)).toBe(0);
    expect(run.stdout).toContain(user.email);
    // The height gained was made by the CLI itself before it exited (no REDIS_URL here).
    expect(run.stdout).toContain("1 image queued for the new thumbnail heights.");
    expect(await storedHeights(image.id)).toEqual([200, 400]);

    const res = await api.get(user.token, image.id);
    expect(res.status).toBe(200);
    const body = (await res.json()) as ImageBody;
    expect(body.thumbnails.map((t) => t.height)).toEqual([200, 400]);
    expect(body.original).not.toBeNull();
    // The height the plan gained is served too, not only advertised.
    expect((await api.thumbnail(user.token, image.id, 400)).status).toBe(200);
    expect((await api.original(user.token, image.id)).status).toBe(200);
    expect(await userRow(user.email)).toEqual([expect.objectContaining({ plan: "Premium" })]);
  });

  it("create-plan --original --expiring stores sorted heights and both flags; users on it get those thumbnails", async ({
    expect,
  }) => {
    const name = uniquePlan("full");
    const run = await runAdmin([
      "create-plan",
      "--name",
      name,
      "--heights",
      "300,100, 200",
      "--original",
      "--expiring",
    ]);
    expect(run.code, describeRun(run)).toBe(0);
    expect(await planRows(name)).toEqual([
      expect.objectContaining({ name, heights: [100, 200, 300], originalLink: true, expiringLinks: true }),
    ]);

    const user = await makeUser(name);
    const image = await uploadOk(user, png);
    expect(image.thumbnails.map((t) => t.height)).toEqual([100, 200, 300]);
    expect(image.original).not.toBeNull();
  });

  it("create-plan without flags stores neither; the same name again is refused and leaves the plan alone", async ({
    expect,
  }) => {
    const name = uniquePlan("bare");
    const run = await runAdmin(["create-plan", "--name", name, "--heights", "150"]);
    expect(run.code, describeRun(run)).toBe(0);
    expect(await planRows(name)).toEqual([
      expect.objectContaining({ heights: [150], originalLink: false, expiringLinks: false }),
    ]);

    const again = await runAdmin(["create-plan", "--name", name, "--heights", "500", "--original"]);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toMatch(/already exists/);
    expect(await planRows(name)).toEqual([
      expect.objectContaining({ heights: [150], originalLink: false, expiringLinks: false }),
    ]);
  });

  it("create-plan takes limits in MB and counts; update-plan changes only what it is given; over MAX_UPLOAD_BYTES is refused", async ({
    expect,
  }) => {
    const MiB = 1024 * 1024;
    const name = uniquePlan("limits");
    const run = await runAdmin([
      "create-plan",
      "--name",
      name,
      "--heights",
      "100",
      "--max-upload-mb",
      "2.5",
      "--quota-mb",
      "300",
      "--requests-per-minute",
      "60",
      "--uploads-per-hour",
      "0",
    ]);
    expect(run.code, describeRun(run)).toBe(0);
    expect(run.stdout).toContain("largest upload 2.5 MB; quota 300 MB; 60 requests/min; unlimited uploads/h");
    expect(await planRows(name)).toEqual([
      expect.objectContaining({
        maxUploadBytes: 2.5 * MiB,
        quotaBytes: 300 * MiB,
        requestsPerMinute: 60,
        uploadsPerHour: 0,
      }),
    ]);

    const update = await runAdmin([
      "update-plan",
      "--name",
      name.toLowerCase(),
      "--quota-mb",
      "unlimited",
      "--original",
    ]);
    expect(update.code, describeRun(update)).toBe(0);
    expect(update.stdout).toContain(`Updated plan ${name}`);
    expect(await planRows(name)).toEqual([
      expect.objectContaining({
        heights: [100],
        originalLink: true,
        maxUploadBytes: 2.5 * MiB,
        quotaBytes: null,
        requestsPerMinute: 60,
        uploadsPerHour: 0,
      }),
    ]);

    const tooBig = await runAdmin(["update-plan", "--name", name, "--max-upload-mb", "100000", "--no-original"]);
    expect(tooBig.code).not.toBe(0);
    expect(tooBig.stderr).toContain("MAX_UPLOAD_BYTES");
    expect(await planRows(name)).toEqual([expect.objectContaining({ originalLink: true, maxUploadBytes: 2.5 * MiB })]);
  });
});

describe.concurrent("admin CLI: bad input exits non-zero with a message on stderr", () => {
  it("rejects an unknown command and shows the usage", async ({ expect }) => {
    const run = await runAdmin(["create-admin", "--email", uniqueEmail("x")]);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain('Unknown command "create-admin"');
    expect(run.stderr).toContain("Usage:");
  });

  it("rejects create-user without --email", async ({ expect }) => {
    const run = await runAdmin(["create-user", "--password", "a long password"]);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/needs --email/);
  });

  it("rejects an unknown option and creates nothing", async ({ expect }) => {
    const email = uniqueEmail("opt");
    const run = await runAdmin(["create-user", "--email", email, "--password", "a long password", "--admin"]);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/Unknown option '--admin'/);
    expect(await userRow(email)).toEqual([]);
  });

  it("rejects an unknown plan name, listing the plans there are, and creates no user", async ({ expect }) => {
    const email = uniqueEmail("gold");
    const run = await runAdmin(["create-user", "--email", email, "--password", "a long password", "--plan", "Gold"]);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain('No plan named "Gold"');
    expect(run.stderr).toMatch(/Plans: .*Basic.*Enterprise.*Premium/);
    expect(await userRow(email)).toEqual([]);
  });

  it("set-plan to an unknown plan names it and leaves the user's plan unchanged", async ({ expect }) => {
    const user = await makeUser("Premium");
    const run = await runAdmin(["set-plan", "--email", user.email, "--plan", "Platinum"]);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain('No plan named "Platinum"');
    expect(await userRow(user.email)).toEqual([expect.objectContaining({ plan: "Premium" })]);
  });

  it.for<[string, RegExp]>([
    ["100,abc", /whole numbers|not a valid height/],
    ["0", /at least 1|from 1 to 4096/],
    ["5000", /at most 4096|from 1 to 4096/],
    ["100,100", /distinct/],
    ["", /needs --heights|at least one height/],
  ])("create-plan --heights %j is refused and stores no plan", async ([heights, message], { expect }) => {
    const name = uniquePlan("bad");
    const run = await runAdmin(["create-plan", "--name", name, "--heights", heights]);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(message);
    expect(await planRows(name)).toEqual([]);
  });

  it("create-plan refuses a name that differs from an existing plan's only in case", async ({ expect }) => {
    const run = await runAdmin(["create-plan", "--name", "PREMIUM", "--heights", "100"]);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/already exists/);
    expect(await planRows("PREMIUM")).toEqual([]);
  });

  it("rejects a password shorter than 8 characters", async ({ expect }) => {
    const email = uniqueEmail("short");
    const run = await runAdmin(["create-user", "--email", email, "--password", "1234567"]);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/password must be at least 8 characters/);
    expect(await userRow(email)).toEqual([]);
  });

  it("rejects an invalid e-mail address", async ({ expect }) => {
    const run = await runAdmin(["create-user", "--email", "not-an-address", "--password", "a long password"]);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/valid e-mail address/);
    expect(await userRow("not-an-address")).toEqual([]);
  });

  it("set-plan for an e-mail with no account says there is no such user", async ({ expect }) => {
    const run = await runAdmin(["set-plan", "--email", uniqueEmail("nobody"), "--plan", "Premium"]);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/No such user/);
  });

  it("create-token for an e-mail with no account says there is no such user and prints no token", async ({
    expect,
  }) => {
    const run = await runAdmin(["create-token", "--email", uniqueEmail("nobody")]);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/No such user/);
    expect(run.stdout).not.toMatch(/tih_/);
  });
});
