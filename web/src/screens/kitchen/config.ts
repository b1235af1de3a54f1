/**
 * The kitchen display's settings, in one place.
 *
 * Timers are coloured against a prep-time target per station: late (red) at the target,
 * running behind (amber) at two thirds of it. The targets come from the restaurant's
 * `station_prep_targets` setting (`{station: seconds}`, on `RestaurantRead`) where the
 * server sends it, else {@link DEFAULT_STATION_PREP_TARGET_S} for every station; the
 * screen reads them only through {@link prepTargetMs} and {@link ageLevel}.
 */

/** The prep-time target of a station without its own (seconds): 15 minutes. */
export const DEFAULT_STATION_PREP_TARGET_S = 900;

/** A ticket is running behind (amber) from two thirds of its target (multiply, then divide: exact). */
export function warnAtMs(targetMs: number): number {
  return (targetMs * 2) / 3;
}

/** A ticket older than this (ms since it was fired) is running behind at the default target: 10 minutes. */
export const AGE_WARN_MS = warnAtMs(DEFAULT_STATION_PREP_TARGET_S * 1000);

/** A ticket older than this (ms since it was fired) is late at the default target: 15 minutes. */
export const AGE_LATE_MS = DEFAULT_STATION_PREP_TARGET_S * 1000;

/** Prep-time targets by station (seconds), as the restaurant's setting holds them. */
export type PrepTargets = Readonly<Record<string, number>>;

/**
 * The restaurant's `station_prep_targets` when its read carries a valid one (positive
 * seconds per station), else an empty map (every station at the default).
 */
export function prepTargetsOf(restaurant: unknown): PrepTargets {
  const raw = typeof restaurant === "object" && restaurant !== null ? (restaurant as { station_prep_targets?: unknown }).station_prep_targets : undefined;
  if (typeof raw !== "object" || raw === null) return {};
  const targets: Record<string, number> = {};
  for (const [station, seconds] of Object.entries(raw)) {
    if (typeof seconds === "number" && Number.isFinite(seconds) && seconds > 0) targets[station] = seconds;
  }
  return targets;
}

/** The prep-time target of `station` in ms: its own from `targets`, else the default. */
export function prepTargetMs(station: string, targets: PrepTargets = {}): number {
  return (targets[station] ?? DEFAULT_STATION_PREP_TARGET_S) * 1000;
}

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

/** How late a ticket is: `ok`, `warn` (amber, running behind), `late` (red, past its target). */
export type AgeLevel = "ok" | "warn" | "late";

/**
 * The level of a ticket `ageMs` milliseconds old against its station's target
 * (`targetMs`, default {@link AGE_LATE_MS}): late at the target, warn at
 * two thirds of it ({@link warnAtMs}); a ticket exactly at a limit is past it.
 */
export function ageLevel(ageMs: number, targetMs: number = AGE_LATE_MS): AgeLevel {
  if (ageMs >= targetMs) return "late";
  if (ageMs >= warnAtMs(targetMs)) return "warn";
  return "ok";
}

/** The words said next to the timer for each level (status is never colour alone). */
export const AGE_LEVEL_TEXT: Readonly<Record<AgeLevel, string>> = {
  ok: "On time",
  warn: "Running behind",
  late: "Late",
};

/** Where this device keeps whether the all-day panel is shown (`localStorage`). */
export const ALL_DAY_STORAGE_KEY = "brigade.kitchen.allDay";
