const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

/**
 * What a plan allows besides thumbnails and links. A new plan gets Premium's unless told
 * otherwise (the schemas' defaults and the columns' defaults in db/schema.ts say the same).
 */
export const PREMIUM_LIMITS = {
  maxUploadBytes: 25 * MiB,
  quotaBytes: 20 * GiB,
  requestsPerMinute: 600,
  uploadsPerHour: 1000,
} as const;

/** Plans every installation has; created idempotently by the migration step. */
export const BUILTIN_PLANS = [
  {
    name: "Basic",
    heights: [200],
    originalLink: false,
    expiringLinks: false,
    maxUploadBytes: 10 * MiB,
    quotaBytes: 1 * GiB,
    requestsPerMinute: 600,
    uploadsPerHour: 100,
  },
  { name: "Premium", heights: [200, 400], originalLink: true, expiringLinks: false, ...PREMIUM_LIMITS },
  {
    name: "Enterprise",
    heights: [200, 400],
    originalLink: true,
    expiringLinks: true,
    ...PREMIUM_LIMITS,
    quotaBytes: null,
  },
] as const;

export const DEFAULT_PLAN_NAME = "Basic";
