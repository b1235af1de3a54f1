/**
 * How a table's service state reads on the floor: a word for each state (never colour
 * alone) and the tile's accessible name.
 */
import { formatMoney } from "../../lib/money";
import { ageMs, formatAge } from "../../lib/time";
import type { FloorTable } from "./queries";

export type ServiceState = FloorTable["service_state"];

/** The label of each service state, as tiles show it. */
export const STATE_LABELS: Readonly<Record<ServiceState, string>> = {
  free: "Free",
  seated: "Seated",
  in_kitchen: "In kitchen",
  ready: "Ready to serve",
  check_requested: "Check requested",
};

/** "Table 4" (a table named "Table 4" or "Bar" keeps its name). */
export function tableTitle(name: string): string {
  return /^\d/.test(name) ? `Table ${name}` : name;
}

/** "1 cover", "3 covers". */
export function coversText(covers: number): string {
  return `${covers} ${covers === 1 ? "cover" : "covers"}`;
}

/**
 * What the tile says, in reading order, starting with the table's name:
 * `["Table 4", "Ready to serve", "2 covers", "seated 12 min", "$34.50"]`.
 */
export function tileFacts(table: FloorTable, now: Date): string[] {
  const facts = [tableTitle(table.name), STATE_LABELS[table.service_state]];
  if (table.service_state === "free") {
    facts.push(`${table.seats} seats`);
  } else {
    if (table.covers !== null && table.covers > 0) facts.push(coversText(table.covers));
    if (table.seated_at !== null) facts.push(`seated ${formatAge(table.seated_at, now)}`);
    if (table.order_subtotal !== null) facts.push(formatMoney(table.order_subtotal, table.currency));
    if (table.lines_ready > 0) facts.push(`${table.lines_ready} ready`);
    facts.push(...pacingFacts(table, now));
  }
  const waiter = waiterName(table);
  if (waiter !== null) facts.push(waiter);
  return facts;
}

/** The table's waiter as the tile names them: its section's waiter, else whoever opened the order. */
export function waiterName(table: FloorTable): string | null {
  return table.waiter_name ?? (table.order_id !== null ? table.opened_by_name : null) ?? null;
}

/**
 * Course pacing on the tile: `"course 2 held"`, `"fired 7 min ago"` (minutes since the
 * last fire), `"course 2 fires in 4 min"` when it is paced to fire by itself.
 */
export function pacingFacts(table: FloorTable, now: Date): string[] {
  const facts: string[] = [];
  if (table.held_course != null) facts.push(`course ${table.held_course} held`);
  if (table.last_fired_at != null) {
    const minutes = Math.floor(ageMs(table.last_fired_at, now) / 60_000);
    facts.push(minutes < 1 ? "fired just now" : `fired ${minutes} min ago`);
  }
  if (table.next_fire_course != null && table.next_fire_at != null) {
    const left = Math.ceil((new Date(table.next_fire_at).getTime() - now.getTime()) / 60_000);
    facts.push(left > 0 ? `course ${table.next_fire_course} fires in ${left} min` : `course ${table.next_fire_course} firing`);
  }
  return facts;
}

/** "My tables": the tables of `userId`'s section, and those whose order they opened. */
export function isMine(table: FloorTable, userId: number): boolean {
  return table.waiter_id === userId || (table.order_id !== null && table.opened_by === userId);
}

/** Whether the floor has a plan to show: some table placed on its area's plan. */
export function hasPlan(tables: readonly FloorTable[]): boolean {
  return tables.some((t) => t.plan_x != null && t.plan_y != null);
}
