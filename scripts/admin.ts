/**
 * Management CLI (the equivalent of Django's createsuperuser). Works while the app is running:
 * on the embedded default it connects to the app's database server instead of opening PGlite.
 *
 *   npm run admin -- create-user --email E --password P [--plan NAME] [--staff]
 *   npm run admin -- set-plan --email E --plan NAME
 *   npm run admin -- create-plan --name N --heights 100,300 [--original] [--expiring]
 *   npm run admin -- create-token --email E [--name N]
 */
import { parseArgs, type ParseArgsConfig } from "node:util";
import { closeDb } from "@/db/client";
import { createApiToken } from "@/lib/accounts/api-tokens";
import { createUser, getUserByEmail, setUserPlan } from "@/lib/accounts/users";
import { env, EnvError } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { createPlan } from "@/lib/plans/create-plan";
import { loadDotEnv, prepareDatabase } from "./db";

const USAGE = `Usage:
  npm run admin -- create-user --email E --password P [--plan NAME] [--staff]
  npm run admin -- set-plan --email E --plan NAME
  npm run admin -- create-plan --name N --heights 100,300 [--original] [--expiring]
  npm run admin -- create-token --email E [--name N]`;

class UsageError extends Error {}

const COMMANDS = {
  "create-user": {
    options: {
      email: { type: "string" },
      password: { type: "string" },
      plan: { type: "string" },
      staff: { type: "boolean" },
    },
    required: ["email", "password"],
    async run(v: Record<string, string | boolean | undefined>) {
      const user = await createUser({
        email: v.email as string,
        password: v.password as string,
        planName: v.plan as string | undefined,
        isStaff: v.staff === true,
      });
      console.log(
        `Created ${user.isStaff ? "staff user" : "user"} ${user.email}${v.plan ? ` on plan ${v.plan}` : ""}.`,
      );
    },
  },
  "set-plan": {
    options: { email: { type: "string" }, plan: { type: "string" } },
    required: ["email", "plan"],
    async run(v: Record<string, string | boolean | undefined>) {
      const user = await setUserPlan(v.email as string, v.plan as string);
      console.log(`${user.email} is now on plan ${v.plan}.`);
    },
  },
  "create-plan": {
    options: {
      name: { type: "string" },
      heights: { type: "string" },
      original: { type: "boolean" },
      expiring: { type: "boolean" },
    },
    required: ["name", "heights"],
    async run(v: Record<string, string | boolean | undefined>) {
      const parts = (v.heights as string).split(",").map((s) => s.trim());
      if (parts.some((p) => !/^\d+$/.test(p)))
        throw new UsageError(`--heights must be a comma-separated list of whole numbers, got "${v.heights}".`);
      const plan = await createPlan({
        name: v.name as string,
        heights: parts.map(Number),
        originalLink: v.original === true,
        expiringLinks: v.expiring === true,
      });
      console.log(
        `Created plan ${plan.name}: heights ${plan.heights.join(", ")}; original ${plan.originalLink ? "on" : "off"}; expiring links ${plan.expiringLinks ? "on" : "off"}.`,
      );
    },
  },
  "create-token": {
    options: { email: { type: "string" }, name: { type: "string" } },
    required: ["email"],
    async run(v: Record<string, string | boolean | undefined>) {
      const user = await getUserByEmail(v.email as string);
      const { token, record } = await createApiToken(user.id, (v.name as string | undefined) ?? "cli");
      console.log(`Token "${record.name}" for ${user.email} (shown once, store it now):`);
      console.log(token);
    },
  },
} as const;

async function main(argv: string[]): Promise<number> {
  loadDotEnv();
  const [command, ...rest] = argv;
  if (command === "help" || command === "--help") {
    console.log(USAGE);
    return 0;
  }
  if (!command) throw new UsageError("No command given.");
  const spec = COMMANDS[command as keyof typeof COMMANDS];
  if (!spec) throw new UsageError(`Unknown command "${command}".`);
  let values: Record<string, string | boolean | undefined>;
  try {
    const options: ParseArgsConfig["options"] = spec.options;
    values = parseArgs({ args: rest, options, strict: true, allowPositionals: false }).values as typeof values;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const missing = spec.required.filter((k) => values[k] === undefined || values[k] === "");
  if (missing.length) throw new UsageError(`${command} needs ${missing.map((k) => `--${k}`).join(", ")}.`);

  const database = await prepareDatabase(env());
  try {
    await spec.run(values);
  } finally {
    await closeDb();
    await database.close();
  }
  return 0;
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  if (error instanceof UsageError) console.error(`Error: ${error.message}\n\n${USAGE}`);
  else if (error instanceof AppError)
    console.error(
      `Error: ${error.message}${
        error.fields
          ? `\n${Object.entries(error.fields)
              .map(([f, m]) => `  ${f}: ${m.join("; ")}`)
              .join("\n")}`
          : ""
      }`,
    );
  else if (error instanceof EnvError) console.error(error.message);
  else console.error(error);
  process.exitCode = 1;
}
