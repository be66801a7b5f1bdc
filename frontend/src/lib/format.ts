// Dates and counts for people. Amounts live in amount.ts.

export function toDate(value: string | number | null | undefined): Date | null {
  if (value === null || value === undefined || value === "") return null;
  // Numbers are Unix seconds (block times); strings are ISO 8601.
  const date = typeof value === "number" ? new Date(value * 1000) : new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

const dateFormat = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short", year: "numeric", timeZone: "UTC" });
const dateTimeFormat = new Intl.DateTimeFormat("en-GB", {
  day: "numeric",
  month: "short",
  year: "numeric",
  hour: "2-digit",
  minute: "2-digit",
  timeZone: "UTC",
});
const monthFormat = new Intl.DateTimeFormat("en-GB", { month: "short", year: "numeric", timeZone: "UTC" });

/** "3 Jan 2024" (UTC, like block explorers). */
export function formatDate(value: string | number | null | undefined): string {
  const date = toDate(value);
  return date ? dateFormat.format(date) : "—";
}

/** "3 Jan 2024, 14:05 UTC". */
export function formatDateTime(value: string | number | null | undefined): string {
  const date = toDate(value);
  return date ? `${dateTimeFormat.format(date)} UTC` : "—";
}

/** A history period (the ISO date its day or month starts on) for people. */
export function formatPeriod(period: string, interval: "day" | "month" = "day"): string {
  const date = new Date(`${period.slice(0, 10)}${period.length === 7 ? "-01" : ""}T00:00:00Z`);
  if (Number.isNaN(date.getTime())) return period;
  return interval === "month" ? monthFormat.format(date) : dateFormat.format(date);
}

/** The period's start as a time-axis coordinate (ms since 1970, UTC). */
export function periodTime(period: string): number {
  return Date.parse(`${period.slice(0, 10)}${period.length === 7 ? "-01" : ""}T00:00:00Z`);
}

export function formatCount(value: number | null | undefined): string {
  return value === null || value === undefined ? "—" : value.toLocaleString("en");
}

export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count.toLocaleString("en")} ${count === 1 ? one : many}`;
}

/** "12 s", "3 min 4 s". */
export function formatDuration(from: string | null, to: string | null): string | null {
  const a = toDate(from);
  const b = toDate(to);
  if (!a || !b) return null;
  const seconds = Math.max(0, Math.round((b.getTime() - a.getTime()) / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes} min ${seconds % 60} s`;
}
