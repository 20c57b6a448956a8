/** What a plan lets its users see: the one place the API, the pages and the media routes ask. */
export type Entitlements = {
  /** Thumbnail heights, distinct and ascending. */
  heights: number[];
  originalLink: boolean;
  expiringLinks: boolean;
};

export type PlanFields = { heights: readonly number[]; originalLink: boolean; expiringLinks: boolean };

export function entitlements(plan: PlanFields): Entitlements {
  return {
    heights: [...new Set(plan.heights)].sort((a, b) => a - b),
    originalLink: plan.originalLink,
    expiringLinks: plan.expiringLinks,
  };
}

export function allowsHeight(e: Entitlements, height: number): boolean {
  return e.heights.includes(height);
}
