/** Plans every installation has; created idempotently by the migration step. */
export const BUILTIN_PLANS = [
  { name: "Basic", heights: [200], originalLink: false, expiringLinks: false },
  { name: "Premium", heights: [200, 400], originalLink: true, expiringLinks: false },
  { name: "Enterprise", heights: [200, 400], originalLink: true, expiringLinks: true },
] as const;

export const DEFAULT_PLAN_NAME = "Basic";
