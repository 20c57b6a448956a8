import { randomBytes } from "node:crypto";
import { linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";

const booleanString = z
  .enum(["true", "false", "1", "0", ""])
  .optional()
  .transform((v) => v === "true" || v === "1");

const schema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  DATA_DIR: z.string().min(1).default("./data"),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "must be a postgres:// URL")
    .optional(),
  EMBEDDED_DB_PORT: z.coerce.number().int().min(1).max(65535).default(54329),
  PG_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(1).default(10_000),
  PG_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(0).default(15_000),
  AUTH_SECRET: z.string().min(32, "must be at least 32 characters").optional(),
  LINK_SIGNING_KEY: z.string().min(32, "must be at least 32 characters").optional(),
  PUBLIC_URL: z.url().optional(),
  TRUST_PROXY: booleanString,
  MAX_UPLOAD_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(25 * 1024 * 1024),
  MAX_IMAGE_PIXELS: z.coerce.number().int().positive().default(50_000_000),
  STORAGE: z.enum(["disk", "s3"]).default("disk"),
  MEDIA_DIR: z.string().min(1).optional(),
  S3_BUCKET: z.string().min(1).optional(),
  S3_REGION: z.string().min(1).default("us-east-1"),
  S3_ENDPOINT: z.url().optional(),
  /** Where browsers reach the bucket for direct uploads, if not at S3_ENDPOINT (e.g. a container's inside name). */
  S3_PUBLIC_ENDPOINT: z.url().optional(),
  S3_FORCE_PATH_STYLE: booleanString,
  S3_TIMEOUT_MS: z.coerce.number().int().min(1).default(10_000),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, "must be a redis:// URL")
    .optional(),
  QUEUE_PREFIX: z
    .string()
    .regex(/^[a-z0-9_-]+$/i, "letters, digits, - and _ only")
    .default("tih"),
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(2),
  /** Uploads an app renders at once (lib/images/render-slots); 0: one per CPU. */
  UPLOAD_RENDER_CONCURRENCY: z.coerce.number().int().min(0).max(256).default(0),
  /** WebP and AVIF thumbnails the queue makes right after an upload (`none`: all on first request). */
  EAGER_FORMATS: z
    .string()
    .default("webp,avif")
    .transform((v) => (v.trim() === "none" ? [] : v.split(",").map((f) => f.trim())))
    .pipe(z.array(z.enum(["webp", "avif"], { error: "webp, avif, webp,avif or none" }))),
  JOB_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(5),
  JOB_BACKOFF_MS: z.coerce.number().int().min(0).default(1000),
  JOB_LOCK_MS: z.coerce.number().int().min(1000).default(30_000),
  /** How often the reconciler runs (lib/maintenance); 0: never by itself (the CLI still runs it). */
  RECONCILE_INTERVAL_SECONDS: z.coerce.number().int().min(0).default(900),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
});

export type Env = Omit<z.infer<typeof schema>, "AUTH_SECRET" | "LINK_SIGNING_KEY" | "MEDIA_DIR"> & {
  AUTH_SECRET: string;
  LINK_SIGNING_KEY: string;
  MEDIA_DIR: string;
  /** True when no DATABASE_URL is set: embedded PostgreSQL under DATA_DIR (db/embedded.ts), secrets generated there. */
  embedded: boolean;
  /** The URL every process connects to: DATABASE_URL, or the embedded server's port. */
  databaseUrl: string;
};

export class EnvError extends Error {
  override name = "EnvError";
}

/** Validates an environment record; throws an EnvError naming every bad variable. */
function parseEnv(source: Record<string, string | undefined>): Env {
  // Empty strings mean "unset", as in .env files written from .env.example.
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ""));
  const result = schema.safeParse(cleaned);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new EnvError(`Invalid environment:\n${lines.join("\n")}`);
  }
  const raw = result.data;
  const embedded = raw.DATABASE_URL === undefined;
  if (raw.STORAGE === "s3" && !raw.S3_BUCKET)
    throw new EnvError("Invalid environment:\n  S3_BUCKET: required when STORAGE=s3");

  let secrets = { AUTH_SECRET: raw.AUTH_SECRET, LINK_SIGNING_KEY: raw.LINK_SIGNING_KEY };
  if (!secrets.AUTH_SECRET || !secrets.LINK_SIGNING_KEY) {
    if (!embedded) {
      const missing = (["AUTH_SECRET", "LINK_SIGNING_KEY"] as const).filter((k) => !secrets[k]);
      throw new EnvError(
        `Invalid environment:\n${missing.map((k) => `  ${k}: required when DATABASE_URL is set (generate one with: openssl rand -base64 48)`).join("\n")}`,
      );
    }
    const generated = embeddedSecrets(raw.DATA_DIR);
    secrets = {
      AUTH_SECRET: secrets.AUTH_SECRET ?? generated.AUTH_SECRET,
      LINK_SIGNING_KEY: secrets.LINK_SIGNING_KEY ?? generated.LINK_SIGNING_KEY,
    };
  }

  return {
    ...raw,
    AUTH_SECRET: secrets.AUTH_SECRET as string,
    LINK_SIGNING_KEY: secrets.LINK_SIGNING_KEY as string,
    MEDIA_DIR: raw.MEDIA_DIR ?? path.join(raw.DATA_DIR, "media"),
    embedded,
    // The embedded server's role and password (db/embedded.ts); it listens on 127.0.0.1 only.
    databaseUrl: raw.DATABASE_URL ?? `postgres://postgres:postgres@127.0.0.1:${raw.EMBEDDED_DB_PORT}/postgres`,
  };
}

/**
 * What serving the app needs beyond parseEnv: on PostgreSQL (production), the origin clients use
 * must be either configured (PUBLIC_URL) or taken from a trusted proxy's headers (TRUST_PROXY);
 * otherwise links and Location headers would be built from whatever Host a client sends.
 */
export function assertServingEnv(e: Env): void {
  if (!e.embedded && !e.PUBLIC_URL && !e.TRUST_PROXY)
    throw new EnvError(
      "Invalid environment:\n  PUBLIC_URL or TRUST_PROXY: one is required when DATABASE_URL is set (PUBLIC_URL=https://images.example.com, or TRUST_PROXY=true behind a proxy that sets X-Forwarded-For/-Host/-Proto)",
    );
}

/** Secrets of the embedded default: generated once into DATA_DIR/secrets.json (mode 0600), then reused. */
function embeddedSecrets(dataDir: string): { AUTH_SECRET: string; LINK_SIGNING_KEY: string } {
  const file = path.join(dataDir, "secrets.json");
  try {
    return JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  mkdirSync(dataDir, { recursive: true });
  const fresh = {
    AUTH_SECRET: randomBytes(48).toString("base64url"),
    LINK_SIGNING_KEY: randomBytes(48).toString("base64url"),
  };
  // Written in full under a temporary name, then linked into place: a process racing us either
  // wins the link (and we read its file) or sees no file at all, never a half-written one.
  const temp = `${file}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  writeFileSync(temp, JSON.stringify(fresh, null, 2), { mode: 0o600 });
  try {
    linkSync(temp, file);
    return fresh;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return JSON.parse(readFileSync(file, "utf8"));
    throw error;
  } finally {
    unlinkSync(temp);
  }
}

let cached: Env | undefined;

/** The process environment, validated once on first use. */
export function env(): Env {
  cached ??= parseEnv(process.env);
  return cached;
}

/** Tests change process.env between suites; this forgets the validated copy. */
export function resetEnvForTests(): void {
  cached = undefined;
}
