/** What a plan lets its users see and do: the one place the API, the pages and the media routes ask. */
export type Entitlements = {
  /** Thumbnail heights, distinct and ascending. */
  heights: number[];
  originalLink: boolean;
  expiringLinks: boolean;
  /** Largest file a user may upload, bytes (the global MAX_UPLOAD_BYTES caps it too: see uploadLimit). */
  maxUploadBytes: number;
  /** Bytes of originals a user may keep; null = unlimited. */
  quotaBytes: number | null;
  /** API requests per minute; 0 = unlimited. */
  requestsPerMinute: number;
  /** Uploads per hour; 0 = unlimited. */
  uploadsPerHour: number;
};

/** A plan row as stored: the same fields, heights in any order. */
export type PlanFields = Omit<Entitlements, "heights"> & { heights: readonly number[] };

export function entitlements(plan: PlanFields): Entitlements {
  return {
    heights: [...new Set(plan.heights)].sort((a, b) => a - b),
    originalLink: plan.originalLink,
    expiringLinks: plan.expiringLinks,
    maxUploadBytes: plan.maxUploadBytes,
    quotaBytes: plan.quotaBytes,
    requestsPerMinute: plan.requestsPerMinute,
    uploadsPerHour: plan.uploadsPerHour,
  };
}

export function allowsHeight(e: Entitlements, height: number): boolean {
  return e.heights.includes(height);
}

/** The largest upload a plan's user may send: the plan's limit, never above the global one. */
export function uploadLimit(e: Pick<Entitlements, "maxUploadBytes">, globalMaxBytes: number): number {
  return Math.min(e.maxUploadBytes, globalMaxBytes);
}
