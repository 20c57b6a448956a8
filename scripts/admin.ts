/**
 * Management CLI (the equivalent of Django's createsuperuser). Works while the app is running:
 * on the embedded default it connects to the app's database server instead of starting its own.
 *
 *   npm run admin -- create-user --email E --password P [--plan NAME] [--staff]
 *   npm run admin -- set-plan --email E --plan NAME
 *   npm run admin -- create-plan --name N --heights 100,300 [--original] [--expiring] [limits]
 *   npm run admin -- update-plan --name N [--heights 100,300] [--[no-]original] [--[no-]expiring] [limits]
 *     limits: [--max-upload-mb N] [--quota-mb N|unlimited] [--requests-per-minute N] [--uploads-per-hour N]
 *   npm run admin -- create-token --email E [--name N]
 *   npm run admin -- reconcile [--dry-run] [--min-age SECONDS] [--stuck-after SECONDS]
 */
import { parseArgs, type ParseArgsConfig } from "node:util";
import { closeDb, getDb } from "@/db/client";
import { createApiToken } from "@/lib/accounts/api-tokens";
import { createUser, getUserByEmail, setUserPlan } from "@/lib/accounts/users";
import { env, EnvError } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { createPlan } from "@/lib/plans/create-plan";
import { BYTES_PER_MB, formatSize } from "@/lib/plans/sizes";
import { updatePlanByName } from "@/lib/plans/update-plan";
import { reconcile, RECONCILE_DEFAULTS, type ReconcileReport } from "@/lib/maintenance/reconcile";
import { closeQueue, settleInProcessJobs } from "@/lib/queue/thumbnail-jobs";
import type { Plan } from "@/db/schema";
import { loadDotEnv, prepareDatabase } from "./db";
import { planHeightsOf, queueGainedHeights } from "@/lib/images/queue-gained-heights";
import { findPlanByName } from "@/lib/plans/find-plan";

const queuedNote = (images: number) =>
  images ? ` ${images} image${images === 1 ? "" : "s"} queued for the new thumbnail heights.` : "";

const USAGE = `Usage:
  npm run admin -- create-user --email E --password P [--plan NAME] [--staff]
  npm run admin -- set-plan --email E --plan NAME
  npm run admin -- create-plan --name N --heights 100,300 [--original] [--expiring] [limits]
  npm run admin -- update-plan --name N [--heights 100,300] [--[no-]original] [--[no-]expiring] [limits]
    limits: [--max-upload-mb N] [--quota-mb N|unlimited] [--requests-per-minute N] [--uploads-per-hour N]
    (1 MB = 1024 × 1024 bytes; rates are per user, 0 = unlimited; a new plan gets Premium's limits)
  npm run admin -- create-token --email E [--name N]
  npm run admin -- reconcile [--dry-run] [--min-age SECONDS] [--stuck-after SECONDS]
    removes stored objects no row points to once older than --min-age (default 3600), re-enqueues
    images still processing after --stuck-after (default 600), purges expired idempotency records`;

class UsageError extends Error {}

type Values = Record<string, string | boolean | undefined>;

const LIMIT_OPTIONS = {
  "max-upload-mb": { type: "string" },
  "quota-mb": { type: "string" },
  "requests-per-minute": { type: "string" },
  "uploads-per-hour": { type: "string" },
} as const;

function heightsOf(v: Values): number[] | undefined {
  if (v.heights === undefined) return undefined;
  const parts = (v.heights as string).split(",").map((s) => s.trim());
  if (parts.some((p) => !/^\d+$/.test(p)))
    throw new UsageError(`--heights must be a comma-separated list of whole numbers, got "${v.heights}".`);
  return parts.map(Number);
}

/** MB as typed (decimals allowed) → bytes; the schema then checks the range. */
function megabytes(flag: string, value: string | boolean | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "string" || !/^\d+(\.\d+)?$/.test(value.trim()))
    throw new UsageError(`--${flag} must be a number of MB (e.g. 25 or 0.5), got "${String(value)}".`);
  return Math.round(Number(value) * BYTES_PER_MB);
}

function wholeNumber(flag: string, value: string | boolean | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "string" || !/^\d{1,9}$/.test(value.trim()))
    throw new UsageError(`--${flag} must be a whole number (0 = unlimited), got "${String(value)}".`);
  return Number(value);
}

function limitsOf(v: Values) {
  const quota = v["quota-mb"];
  return {
    maxUploadBytes: megabytes("max-upload-mb", v["max-upload-mb"]),
    quotaBytes:
      typeof quota === "string" && ["", "unlimited", "none"].includes(quota.trim().toLowerCase())
        ? null
        : megabytes("quota-mb", quota),
    requestsPerMinute: wholeNumber("requests-per-minute", v["requests-per-minute"]),
    uploadsPerHour: wholeNumber("uploads-per-hour", v["uploads-per-hour"]),
  };
}

function seconds(flag: string, value: string | boolean | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "string" || !/^\d{1,9}$/.test(value.trim()))
    throw new UsageError(`--${flag} must be a whole number of seconds, got "${String(value)}".`);
  return Number(value);
}

/** What the reconciler found and did, for a person. */
function describeReconcile(r: ReconcileReport): string {
  const list = (items: string[]) => items.map((item) => `\n  ${item}`).join("");
  const did = (done: string) => (r.dryRun ? "" : `, ${done}`);
  return [
    `Reconcile${r.dryRun ? " (dry run: nothing changed)" : ""}:`,
    `Stored objects: ${r.objectsScanned} listed, ${r.objectsTooYoung} younger than ${r.minAgeSeconds} s not examined.`,
    `Orphaned objects (no row points to them): ${r.orphansFound} found${did(`${r.orphansDeleted} deleted`)}${list(r.orphanKeys)}`,
    `Images processing for more than ${r.stuckAfterSeconds} s: ${r.stuckFound} found` +
      did(`${r.stuckReenqueued} re-enqueued, ${r.stuckAlreadyQueued} already queued`) +
      list(r.stuckImageIds),
    `Direct uploads expired before completion: ${r.uploadsExpired} found${did(`${r.uploadsRemoved} removed`)}`,
    `Expired idempotency records: ${r.idempotencyExpired} found${did(`${r.idempotencyPurged} purged`)}`,
    `Storage usage of users who reserved nothing for ${r.usageQuietSeconds} s: ${r.usageMiscounted} miscounted` +
      did(`${r.usageCorrected} corrected`) +
      list(r.usageMiscounts.map((m) => `${m.userId}: ${m.recorded} B recorded, ${m.counted} B counted`)),
    ...r.errors.map((e) => `Failed: ${e}`),
  ].join("\n");
}

const rate = (n: number, per: string) => (n === 0 ? `unlimited ${per}` : `${n} ${per}`);

function describePlan(plan: Plan): string {
  return (
    `heights ${plan.heights.join(", ")}; original ${plan.originalLink ? "on" : "off"}; ` +
    `expiring links ${plan.expiringLinks ? "on" : "off"}; largest upload ${formatSize(plan.maxUploadBytes)}; ` +
    `quota ${plan.quotaBytes === null ? "unlimited" : formatSize(plan.quotaBytes)}; ` +
    `${rate(plan.requestsPerMinute, "requests/min")}; ${rate(plan.uploadsPerHour, "uploads/h")}`
  );
}

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
      const before = await planHeightsOf({ userId: (await getUserByEmail(v.email as string)).id });
      const user = await setUserPlan(v.email as string, v.plan as string);
      const queued = await queueGainedHeights({ userId: user.id }, before);
      console.log(`${user.email} is now on plan ${v.plan}.${queuedNote(queued)}`);
    },
  },
  "create-plan": {
    options: {
      name: { type: "string" },
      heights: { type: "string" },
      original: { type: "boolean" },
      expiring: { type: "boolean" },
      ...LIMIT_OPTIONS,
    },
    required: ["name", "heights"],
    async run(v: Values) {
      const plan = await createPlan({
        name: v.name as string,
        heights: heightsOf(v) ?? [],
        originalLink: v.original === true,
        expiringLinks: v.expiring === true,
        ...withoutUndefined(limitsOf(v)),
      });
      console.log(`Created plan ${plan.name}: ${describePlan(plan)}.`);
    },
  },
  "update-plan": {
    options: {
      name: { type: "string" },
      heights: { type: "string" },
      original: { type: "boolean" },
      expiring: { type: "boolean" },
      ...LIMIT_OPTIONS,
    },
    required: ["name"],
    async run(v: Values) {
      const before = await findPlanByName(getDb(), v.name as string);
      const plan = await updatePlanByName(v.name as string, {
        heights: heightsOf(v),
        originalLink: v.original as boolean | undefined,
        expiringLinks: v.expiring as boolean | undefined,
        ...limitsOf(v),
      });
      const queued = await queueGainedHeights({ planId: plan.id }, before.heights);
      console.log(`Updated plan ${plan.name}: ${describePlan(plan)}.${queuedNote(queued)}`);
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
  reconcile: {
    options: { "dry-run": { type: "boolean" }, "min-age": { type: "string" }, "stuck-after": { type: "string" } },
    required: [],
    async run(v: Values) {
      const report = await reconcile({
        dryRun: v["dry-run"] === true,
        minAgeSeconds: seconds("min-age", v["min-age"]) ?? RECONCILE_DEFAULTS.minAgeSeconds,
        stuckAfterSeconds: seconds("stuck-after", v["stuck-after"]) ?? RECONCILE_DEFAULTS.stuckAfterSeconds,
      });
      // Without Redis the re-enqueued jobs run in this process: they finish before it exits (main).
      console.log(describeReconcile(report));
      return report.errors.length ? 1 : 0;
    },
  },
} as const;

function withoutUndefined<T extends object>(o: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]?: Exclude<T[K], undefined>;
  };
}

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
    values = parseArgs({ args: rest, options, strict: true, allowPositionals: false, allowNegative: true })
      .values as typeof values;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const missing = spec.required.filter((k) => values[k] === undefined || values[k] === "");
  if (missing.length) throw new UsageError(`${command} needs ${missing.map((k) => `--${k}`).join(", ")}.`);

  const database = await prepareDatabase(env());
  try {
    const code: number | void = await spec.run(values);
    return typeof code === "number" ? code : 0;
  } finally {
    // Jobs a command queued (a plan that gained heights): without Redis they run here first.
    await settleInProcessJobs();
    await closeQueue();
    await closeDb();
    await database.close();
  }
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
