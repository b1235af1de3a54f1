/**
 * Pure helpers of the kitchen display: ordering, labels, timers, the step a tap on a
 * line takes, stations of the menu, and writing a ticket the server returned into the
 * cached open lists (the same lists the realtime layer keeps, `api/queries.ts`).
 */
import type { QueryClient } from "@tanstack/react-query";

import { queryKeys } from "../../api/queries";
import type { MenuRead, TicketList, TicketRead } from "../../api/types";
import type { components } from "../../api/schema";

export type TicketItem = components["schemas"]["TicketItemRead"];
export type TicketStatus = components["schemas"]["TicketStatus"];
export type TicketItemStatus = components["schemas"]["TicketItemStatus"];

/** A whole-ticket step (`POST …/kitchen/tickets/{id}/{step}`). */
export type TicketStep = "start" | "ready" | "bump" | "recall";
/** A line step (`POST …/kitchen/tickets/{id}/items/{item}/{step}`). */
export type LineStep = "start" | "ready" | "bump";

/** Epoch ms of an ISO 8601 time (NaN when unparseable). */
function epoch(iso: string): number {
  return new Date(iso).getTime();
}

/**
 * `tickets` oldest first: by the time they were fired (`created_at`), then by id. A new
 * array; the input is not changed. Tickets added live (appended by the realtime layer)
 * and recalled tickets fall into their place by age.
 */
export function oldestFirst(tickets: readonly TicketRead[]): TicketRead[] {
  return [...tickets].sort((a, b) => epoch(a.created_at) - epoch(b.created_at) || a.id - b.id);
}

/** Milliseconds since the ticket was fired, at `now` (epoch ms); never negative. */
export function ticketAgeMs(ticket: Pick<TicketRead, "created_at">, now: number): number {
  return Math.max(0, now - epoch(ticket.created_at));
}

/** A ticket timer: `"mm:ss"` (minutes keep counting past 59: `"75:03"`). */
export function formatTimer(ms: number): string {
  const total = Math.floor(Math.max(0, ms) / 1000);
  const minutes = Math.floor(total / 60);
  const seconds = total % 60;
  return `${String(minutes).padStart(2, "0")}:${String(seconds).padStart(2, "0")}`;
}

/** `"Table 4"` for a table's ticket (a name already saying "Table…" is kept), `"Takeaway"` without a table. */
export function destinationLabel(tableName: string | null): string {
  if (tableName === null || tableName.trim() === "") return "Takeaway";
  return /^table\b/i.test(tableName) ? tableName : `Table ${tableName}`;
}

/** What a ticket's status reads as on screen. */
export const TICKET_STATUS_TEXT: Readonly<Record<TicketStatus, string>> = {
  new: "New",
  preparing: "Cooking",
  ready: "Ready",
  bumped: "Bumped",
};

/** What a line's status reads as on screen. */
export const LINE_STATUS_TEXT: Readonly<Record<TicketItemStatus, string>> = {
  new: "New",
  preparing: "Cooking",
  ready: "Ready",
  bumped: "Done",
  voided: "Void",
};

/** Whether a line was voided (it stays on the ticket, struck through). */
export function isVoided(item: TicketItem): boolean {
  return item.voided || item.status === "voided";
}

/** The step a tap on a line takes: `new → start`, `preparing → ready`; null when there is none. */
export function nextLineStep(item: TicketItem): LineStep | null {
  if (isVoided(item)) return null;
  if (item.status === "new") return "start";
  if (item.status === "preparing") return "ready";
  return null;
}

/** Whether the whole ticket may take `step` now (the server's state machine, for enabling buttons). */
export function canStep(status: TicketStatus, step: TicketStep): boolean {
  switch (step) {
    case "start":
      return status === "new";
    case "ready":
      return status === "new" || status === "preparing";
    case "bump":
      return status !== "bumped";
    case "recall":
      return status === "bumped";
  }
}

/** The stations of the menu's items, sorted, each once (plus `extra` ones, e.g. the URL's). */
export function menuStations(menu: MenuRead | undefined, extra: readonly (string | null)[] = []): string[] {
  const stations = new Set<string>();
  for (const section of menu?.categories ?? []) for (const item of section.items) if (item.station) stations.add(item.station);
  for (const station of extra) if (station) stations.add(station);
  return [...stations].sort((a, b) => a.localeCompare(b));
}

/** `list` with `ticket` put in (or taken out when bumped); an older version never replaces a newer one. */
function withTicket(list: TicketList | undefined, ticket: TicketRead): TicketList | undefined {
  if (list === undefined) return undefined;
  const open = ticket.status !== "bumped";
  const index = list.items.findIndex((t) => t.id === ticket.id);
  if (index === -1) {
    return open ? { items: [...list.items, ticket], total: list.total + 1 } : list;
  }
  const current = list.items[index];
  if (current !== undefined && current.version > ticket.version) return list;
  if (!open) return { items: list.items.filter((t) => t.id !== ticket.id), total: Math.max(0, list.total - 1) };
  const items = list.items.slice();
  items[index] = ticket;
  return { ...list, items };
}

/**
 * Write a ticket the server answered with into the cached open lists of its station and
 * of expo (`queryKeys.tickets`), so the screen moves at once even when its event comes
 * later (or the socket is down).
 */
export function applyTicket(queryClient: QueryClient, restaurantId: number, ticket: TicketRead): void {
  for (const station of [ticket.station, null]) {
    queryClient.setQueryData<TicketList>(queryKeys.tickets(restaurantId, station), (list) => withTicket(list, ticket));
  }
}

/**
 * The recently bumped tickets to offer for recall: `known` (every version seen, any
 * order) reduced to the newest version of each ticket, kept when bumped and of
 * `station` (null: every station), newest bump first, at most `limit`.
 */
export function recentlyBumped(known: readonly TicketRead[], station: string | null, limit: number): TicketRead[] {
  const latest = new Map<number, TicketRead>();
  for (const ticket of known) {
    const seen = latest.get(ticket.id);
    if (seen === undefined || seen.version <= ticket.version) latest.set(ticket.id, ticket);
  }
  return [...latest.values()]
    .filter((t) => t.status === "bumped" && (station === null || t.station === station))
    .sort((a, b) => epoch(b.bumped_at ?? b.created_at) - epoch(a.bumped_at ?? a.created_at) || b.id - a.id)
    .slice(0, limit);
}
