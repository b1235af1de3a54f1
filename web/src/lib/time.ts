/**
 * Time helpers. Brigade sends times as ISO 8601 strings in UTC; screens show ages
 * ("4 min") and local clock times.
 */

/** Milliseconds elapsed from the ISO 8601 time `iso` to `now` (never negative). */
export function ageMs(iso: string, now: Date = new Date()): number {
  return Math.max(0, now.getTime() - new Date(iso).getTime());
}

/**
 * A short relative age for a ticket or a seated table: `"now"` under a minute,
 * `"4 min"`, `"1 h 05"`, `"2 d"`. Throws `RangeError` on an unparseable time.
 */
export function formatAge(iso: string, now: Date = new Date()): string {
  const then = new Date(iso).getTime();
  if (Number.isNaN(then)) throw new RangeError(`not an ISO 8601 time: ${iso}`);
  const minutes = Math.floor(Math.max(0, now.getTime() - then) / 60_000);
  if (minutes < 1) return "now";
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours} h ${String(minutes % 60).padStart(2, "0")}`;
  return `${Math.floor(hours / 24)} d`;
}

/** The local clock time of `iso` ("19:02"), in `timeZone` when given (IANA name). */
export function formatClock(iso: string, timeZone?: string, locale?: string): string {
  return new Intl.DateTimeFormat(locale, {
    hour: "2-digit",
    minute: "2-digit",
    ...(timeZone ? { timeZone } : {}),
  }).format(new Date(iso));
}
