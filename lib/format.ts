/** Human-readable sizes and times for the pages (pure, shared by server and client components). */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ["KB", "MB", "GB"];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`;
}

export function formatDuration(seconds: number): string {
  if (seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}

/** How long until an expiry, as the share page says it: "expires in 4 min", "expires in 2 h 5 min". */
export function formatTimeLeft(milliseconds: number): string {
  const minutes = Math.floor(milliseconds / 60_000);
  if (minutes < 1) return "expires in less than a minute";
  if (minutes < 60) return `expires in ${minutes} min`;
  const rest = minutes % 60;
  return `expires in ${Math.floor(minutes / 60)} h${rest ? ` ${rest} min` : ""}`;
}
