/**
 * How a table's service state reads on the floor: a word for each state (never colour
 * alone) and the tile's accessible name.
 */
import { formatMoney } from "../../lib/money";
import { formatAge } from "../../lib/time";
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
  }
  return facts;
}
