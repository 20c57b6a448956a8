import { formatBytes } from "@/lib/format";
import { formatSize } from "@/lib/plans/sizes";

/** "12 MB of 1 GB used (1%)", or "12 MB used, unlimited storage" without a quota. */
function usageText(bytes: number, quotaBytes: number | null): string {
  if (quotaBytes === null) return `${formatBytes(bytes)} used, unlimited storage`;
  const percent = quotaBytes === 0 ? 100 : Math.min(100, Math.round((bytes / quotaBytes) * 100));
  return `${formatBytes(bytes)} of ${formatSize(quotaBytes)} used (${percent}%)`;
}

/**
 * Storage used against the plan's quota: a progress bar with the same words as its text label
 * (screen readers get both), or only the words when the plan has no quota.
 */
export function UsageBar({
  bytes,
  quotaBytes,
  label = "Storage",
  compact = false,
}: {
  bytes: number;
  quotaBytes: number | null;
  label?: string;
  compact?: boolean;
}) {
  const text = usageText(bytes, quotaBytes);
  const percent = quotaBytes === null ? 0 : quotaBytes === 0 ? 100 : Math.min(100, (bytes / quotaBytes) * 100);
  return (
    <div className={`flex flex-col gap-1 ${compact ? "min-w-40 text-xs" : "max-w-md text-sm"}`}>
      <p className="flex flex-wrap justify-between gap-x-3">
        {!compact && <span className="font-medium">{label}</span>}
        <span className="tabular-nums text-fg-soft">{text}</span>
      </p>
      {quotaBytes !== null && (
        <div
          role="progressbar"
          aria-label={label}
          aria-valuemin={0}
          aria-valuemax={quotaBytes}
          aria-valuenow={Math.min(bytes, quotaBytes)}
          aria-valuetext={text}
          className={`${compact ? "h-1.5" : "h-2.5"} w-full overflow-hidden rounded-full bg-subtle-strong`}
        >
          <div
            className={`h-full rounded-full ${percent >= 90 ? "bg-red-600" : percent >= 75 ? "bg-amber-500" : "bg-sky-600"}`}
            style={{ width: `${percent}%` }}
          />
        </div>
      )}
    </div>
  );
}
