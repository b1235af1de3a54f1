/**
 * The kitchen display's settings, in one place.
 *
 * The age targets are fixed here for now (every restaurant gets the same ones). When a
 * restaurant needs its own, they belong in the restaurant's settings on the server
 * (`RestaurantRead`, edited in Admin → Settings) and this module becomes their default;
 * the screen reads them only through {@link ageLevel}.
 */

/** A ticket older than this (ms since it was fired) is running behind: amber. 10 minutes. */
export const AGE_WARN_MS = 10 * 60_000;

/** A ticket older than this (ms since it was fired) is late: red. 15 minutes. */
export const AGE_LATE_MS = 15 * 60_000;

/** How long a newly arrived ticket stays highlighted (ms). */
export const NEW_TICKET_HIGHLIGHT_MS = 8_000;

/** How many tickets the "Recently bumped" strip shows (newest bump first). */
export const RECENTLY_BUMPED_SHOWN = 6;

/** How many of the station's latest tickets are read to find the recently bumped ones. */
export const RECENTLY_BUMPED_WINDOW = 50;

/** How long the "Reconnected — caught up N events" banner stays (ms). */
export const RECONNECTED_BANNER_MS = 10_000;

/** The shortest gap between two arrival chimes (ms): a burst of tickets chimes once. */
export const CHIME_MIN_GAP_MS = 1_500;

/** Where the mute choice of this device is kept (`localStorage`). */
export const MUTE_STORAGE_KEY = "brigade.kitchen.muted";

/** How late a ticket is: `ok` (under {@link AGE_WARN_MS}), `warn` (amber), `late` (red). */
export type AgeLevel = "ok" | "warn" | "late";

/** The level of a ticket `ageMs` milliseconds old; a ticket exactly at a target is past it. */
export function ageLevel(ageMs: number): AgeLevel {
  if (ageMs >= AGE_LATE_MS) return "late";
  if (ageMs >= AGE_WARN_MS) return "warn";
  return "ok";
}

/** The words said next to the timer for each level (status is never colour alone). */
export const AGE_LEVEL_TEXT: Readonly<Record<AgeLevel, string>> = {
  ok: "On time",
  warn: "Running behind",
  late: "Late",
};
