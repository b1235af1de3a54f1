/**
 * The dashboard's logic, apart from React: the date ranges a manager picks, the series
 * each chart draws from a report's groups, today's tiles, and when today's figures must
 * be read again without an event (a ticket turning late).
 *
 * Dates are the restaurant's business dates as ISO strings (`"2026-12-03"`), anchored
 * on the `business_date` the server sends with today's figures, never on the browser's
 * clock (the browser may sit in another time zone than the restaurant).
 */
import { formatMoney, minorUnitDigits } from "../../lib/money";

/** A range of business dates, both inclusive (`start <= end`). */
export interface DateRange {
  start: string;
  end: string;
}

/** The quick ranges: today, the last 7 and 30 days (today included), the month so far. */
export type RangePreset = "today" | "7d" | "30d" | "month";

export const PRESET_LABELS: Readonly<Record<RangePreset, string>> = {
  today: "Today",
  "7d": "7 days",
  "30d": "30 days",
  month: "This month",
};

/** One group of a grouped sales report (`GET …/reports/sales?group_by=`); money in minor units. */
export interface SalesGroup {
  key: string | number | null;
  label: string;
  orders: number;
  items_sold: number;
  net_sales: number;
}

/** A bar of a chart: its label and value (minor units for money). */
export interface Bar {
  key: string;
  label: string;
  value: number;
}

/** A slice of a mix chart: a label, its value and its share of the whole in percent (one decimal). */
export interface Slice extends Bar {
  share: number;
}

const DAY_MS = 86_400_000;
const WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

function parseDate(iso: string): number {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (match === null) throw new RangeError(`not an ISO date: ${iso}`);
  return Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
}

function formatDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** `iso` moved by `days` (may be negative). Throws `RangeError` on a malformed date. */
export function addDays(iso: string, days: number): string {
  return formatDate(parseDate(iso) + days * DAY_MS);
}

/** Every date from `range.start` to `range.end`, inclusive, in order. */
export function datesOf(range: DateRange): string[] {
  const dates: string[] = [];
  for (let ms = parseDate(range.start), end = parseDate(range.end); ms <= end; ms += DAY_MS) dates.push(formatDate(ms));
  return dates;
}

/** The range of `preset` ending on `today` (the restaurant's business date). */
export function presetRange(preset: RangePreset, today: string): DateRange {
  switch (preset) {
    case "today":
      return { start: today, end: today };
    case "7d":
      return { start: addDays(today, -6), end: today };
    case "30d":
      return { start: addDays(today, -29), end: today };
    case "month":
      return { start: `${today.slice(0, 8)}01`, end: today };
  }
}

/** Whether `range` is a valid range of ISO dates (start on or before end). */
export function isValidRange(range: DateRange): boolean {
  try {
    return parseDate(range.start) <= parseDate(range.end);
  } catch {
    return false;
  }
}

/** Whether `range` holds `today`: the charts of such a range follow the sales of the day. */
export function includesDay(range: DateRange, today: string): boolean {
  return range.start <= today && today <= range.end;
}

/** A day's short label: "Thu 3". */
export function dayLabel(iso: string): string {
  const date = new Date(parseDate(iso));
  return `${WEEKDAYS[date.getUTCDay()] ?? ""} ${date.getUTCDate()}`;
}

/** Net sales per day of `range`, every day present (0 for a day without sales). */
export function dailySeries(groups: readonly SalesGroup[], range: DateRange): Bar[] {
  const byDay = new Map(groups.map((g) => [String(g.key), g.net_sales]));
  return datesOf(range).map((day) => ({ key: day, label: dayLabel(day), value: byDay.get(day) ?? 0 }));
}

/**
 * Net sales per local hour, from the first hour with sales to the last (every hour in
 * between present, 0 when quiet); labelled "11:00". Without sales: no bars.
 */
export function hourlySeries(groups: readonly SalesGroup[]): Bar[] {
  const byHour = new Map<number, number>();
  for (const g of groups) {
    const hour = Number(g.key);
    if (Number.isInteger(hour) && hour >= 0 && hour <= 23) byHour.set(hour, (byHour.get(hour) ?? 0) + g.net_sales);
  }
  const busy = [...byHour.entries()].filter(([, value]) => value !== 0).map(([hour]) => hour);
  if (busy.length === 0) return [];
  const bars: Bar[] = [];
  for (let hour = Math.min(...busy); hour <= Math.max(...busy); hour += 1) {
    bars.push({ key: String(hour), label: `${String(hour).padStart(2, "0")}:00`, value: byHour.get(hour) ?? 0 });
  }
  return bars;
}

/**
 * A mix (categories, sizes, payment methods): the groups by net sales, largest first
 * (ties by label), the groups past `maxSlices - 1` summed into one "Other" slice, each
 * with its share of the total in percent (one decimal). Groups without sales are left out.
 */
export function mixSeries(groups: readonly SalesGroup[], maxSlices = 6): Slice[] {
  const sorted = groups
    .filter((g) => g.net_sales > 0)
    .map((g) => ({ key: String(g.key), label: g.label || "—", value: g.net_sales }))
    .sort((a, b) => b.value - a.value || a.label.localeCompare(b.label));
  const kept = sorted.length > maxSlices ? sorted.slice(0, maxSlices - 1) : sorted;
  const rest = sorted.slice(kept.length);
  const bars: Bar[] = rest.length
    ? [...kept, { key: "other", label: "Other", value: rest.reduce((sum, b) => sum + b.value, 0) }]
    : kept;
  const total = bars.reduce((sum, b) => sum + b.value, 0);
  return bars.map((b) => ({ ...b, share: total ? Math.round((b.value * 1000) / total) / 10 : 0 }));
}

/** The name of a payment method as a cashier says it. */
export function paymentMethodLabel(method: string): string {
  const names: Record<string, string> = { cash: "Cash", card: "Card", other: "Other" };
  return names[method] ?? method;
}

/** The event types after which today's figures are read again (docs/realtime.md). */
export function movesToday(eventType: string): boolean {
  const [family] = eventType.split(".");
  return family === "order" || family === "ticket" || family === "check" || family === "payment";
}

/**
 * Milliseconds from `now` until today's figures must be read again because a ticket
 * turns late (`nextLateAt`, ISO UTC, from the server), plus `marginMs` so the read
 * lands after it; `null` when no ticket will (no timer then).
 */
export function lateRefreshDelay(nextLateAt: string | null | undefined, now: Date, marginMs = 500): number | null {
  if (!nextLateAt) return null;
  const at = new Date(nextLateAt).getTime();
  if (Number.isNaN(at)) return null;
  return Math.max(0, at - now.getTime()) + marginMs;
}

/** What today's figures need to make the tiles (a subset of `TodayFigures`). */
export interface TodayLike {
  currency: string;
  net_sales: number;
  orders: number;
  average_check: number;
  covers: number;
  open_checks: number;
  open_sales: number;
  tickets_open: number;
  tickets_late: number;
}

/** A tile of today's row: its name, its figure, a line of detail and whether it calls for attention. */
export interface Tile {
  name: string;
  value: string;
  detail: string;
  alert: boolean;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** The four tiles of today: sales, covers, open checks, tickets late. */
export function todayTiles(t: TodayLike): Tile[] {
  const money = (minor: number) => formatMoney(minor, t.currency);
  return [
    {
      name: "Sales",
      value: money(t.net_sales),
      detail: t.orders ? `${plural(t.orders, "paid order")} · average ${money(t.average_check)}` : "no paid order yet",
      alert: false,
    },
    {
      name: "Covers",
      value: String(t.covers),
      detail: "guests seated today",
      alert: false,
    },
    {
      name: "Open checks",
      value: String(t.open_checks),
      detail: t.open_checks ? `${money(t.open_sales)} still to pay` : "every check settled",
      alert: false,
    },
    {
      name: "Tickets late",
      value: String(t.tickets_late),
      detail: `of ${plural(t.tickets_open, "ticket")} in the kitchen`,
      alert: t.tickets_late > 0,
    },
  ];
}

/** A money axis tick: whole units, compact ("$1.2K", "$350"), from minor units of `currency`. */
export function axisMoney(minor: number, currency: string, locale?: string): string {
  const major = minor / 10 ** minorUnitDigits(currency);
  return new Intl.NumberFormat(locale, {
    style: "currency",
    currency,
    notation: "compact",
    maximumFractionDigits: Math.abs(major) >= 1000 ? 1 : 0,
  }).format(major);
}

/** A duration for people: "45 s", "12 min", "12 min 30 s". */
export function formatDuration(seconds: number): string {
  const whole = Math.max(0, Math.round(seconds));
  if (whole < 60) return `${whole} s`;
  const min = Math.floor(whole / 60);
  const sec = whole % 60;
  return sec ? `${min} min ${sec} s` : `${min} min`;
}

/** What the prep-time chart needs of a station's prep times (a subset of `PrepTime`). */
export interface PrepLike {
  station: string;
  lines: number;
  average_seconds: number;
  longest_seconds: number;
  target_seconds: number;
  over_target: number;
}

/** A station's bar pair of the prep-time chart: average and target in minutes (one decimal). */
export interface PrepBar {
  key: string;
  label: string;
  average: number;
  target: number;
  /** "12 min 30 s on average over 140 lines, 9 over the 15 min target". */
  summary: string;
}

/** The prep-time chart's bars, one per station with lines made ready, by station name. */
export function prepSeries(prepTimes: readonly PrepLike[]): PrepBar[] {
  const minutes = (s: number) => Math.round(s / 6) / 10;
  return prepTimes
    .filter((p) => p.lines > 0)
    .slice()
    .sort((a, b) => a.station.localeCompare(b.station))
    .map((p) => ({
      key: p.station,
      label: p.station,
      average: minutes(p.average_seconds),
      target: minutes(p.target_seconds),
      summary:
        `${formatDuration(p.average_seconds)} on average over ${p.lines} line${p.lines === 1 ? "" : "s"}, ` +
        `${p.over_target} over the ${formatDuration(p.target_seconds)} target`,
    }));
}
