/**
 * Sizes as staff enter them and as people read them. One MB is 1024 × 1024 bytes (so the
 * built-in 10 MB, 25 MB and 1 GB limits are 10, 25 and 1024 × 1024 × 1024 bytes).
 */
export const BYTES_PER_MB = 1024 * 1024;
const BYTES_PER_GB = 1024 * BYTES_PER_MB;

const trim = (n: number) => String(Number(n.toFixed(n >= 100 ? 0 : 2)));

/** A limit for reading: 10485760 → "10 MB", 21474836480 → "20 GB", 1572864 → "1.5 MB". */
export function formatSize(bytes: number): string {
  if (bytes >= BYTES_PER_GB) return `${trim(bytes / BYTES_PER_GB)} GB`;
  return `${trim(bytes / BYTES_PER_MB)} MB`;
}

/** Always in MB, two decimals at most: 1073741824 → "1024 MB", 262144 → "0.25 MB". */
export function formatMb(bytes: number): string {
  return `${Number((bytes / BYTES_PER_MB).toFixed(2))} MB`;
}

/** Bytes as MB for a form field: 10485760 → "10" (rounded down, so it never reads back as more). */
export function bytesToMbText(bytes: number): string {
  return String(Math.floor((bytes / BYTES_PER_MB) * 1e6) / 1e6);
}
