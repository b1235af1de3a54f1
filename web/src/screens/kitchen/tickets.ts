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

/** Whether a line came with a later send of the order (it joined the open ticket: "ADDED"). */
export function isAddition(item: Pick<TicketItem, "batch">): boolean {
  return item.batch > 1;
}

/** Whether a ticket took a later send of its order (`added_at` set): its header says "ADDED". */
export function hasAdditions(ticket: Pick<TicketRead, "added_at" | "items">): boolean {
  return ticket.added_at !== null || ticket.items.some(isAddition);
}

/** One row of the all-day counts: how many of an item (in one size) are open. */
export interface AllDayCount {
  /** `name` and `variation` together: the row's key. */
  key: string;
  name: string;
  variation: string;
  quantity: number;
}

/**
 * All-day counts: for every item (and size) on the open tickets, the quantity still to
 * make — lines not voided and not bumped, of tickets not bumped — most first, then by
 * name and size.
 */
export function allDayCounts(tickets: readonly TicketRead[]): AllDayCount[] {
  const counts = new Map<string, AllDayCount>();
  for (const ticket of tickets) {
    if (ticket.status === "bumped") continue;
    for (const item of ticket.items) {
      if (isVoided(item) || item.status === "bumped") continue;
      const key = `${item.name}\u0000${item.variation_name}`;
      const row = counts.get(key);
      if (row === undefined) counts.set(key, { key, name: item.name, variation: item.variation_name, quantity: item.quantity });
      else row.quantity += item.quantity;
    }
  }
  return [...counts.values()].sort(
    (a, b) => b.quantity - a.quantity || a.name.localeCompare(b.name) || a.variation.localeCompare(b.variation),
  );
}

/** "2 × Margherita (M), 1 × Calzone": a ticket's live lines in one line of text (voided ones left out). */
export function linesSummary(ticket: Pick<TicketRead, "items">): string {
  return ticket.items
    .filter((item) => !isVoided(item))
    .map((item) => `${item.quantity} × ${item.name}${item.variation_name ? ` (${item.variation_name})` : ""}`)
    .join(", ");
}

/** The local time of `iso` to the second ("19:02:37"), in `timeZone` when given (IANA name). */
export function formatClockSeconds(iso: string, timeZone?: string, locale?: string): string {
  return new Intl.DateTimeFormat(locale, {
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    ...(timeZone ? { timeZone } : {}),
  }).format(new Date(iso));
}

/** What a bump-bar key asks for (see {@link bumpBarAction}). */
export type BumpBarAction =
  | { kind: "select"; ticketId: number }
  | { kind: "bump"; ticketId: number }
  | { kind: "recall"; ticketId: number }
  | { kind: "clear" };

/** The keys of the bump bar: `1`–`9` pick the n-th open ticket, Enter bumps it, `R` (or `0`) recalls the last bumped, Escape drops the pick. */
export const BUMP_BAR_KEYS = { bump: "Enter", recall: ["r", "R", "0"], clear: "Escape" } as const;

/**
 * The bump bar (a keyboard, or a kitchen bump bar that types like one): what `key` asks
 * for, given the open tickets in screen order (`openIds`), the picked ticket
 * (`selectedId`) and the last bumped ticket (`lastBumpedId`). A digit picks the ticket at
 * that place (nothing past the last), Enter bumps the picked one (nothing when none is
 * picked or it left the board), R/0 recalls the last bumped, Escape drops the pick;
 * anything else is `null` (the key is not the bump bar's).
 */
export function bumpBarAction(
  key: string,
  openIds: readonly number[],
  selectedId: number | null,
  lastBumpedId: number | null,
): BumpBarAction | null {
  if (/^[1-9]$/.test(key)) {
    const ticketId = openIds[Number(key) - 1];
    return ticketId === undefined ? null : { kind: "select", ticketId };
  }
  if (key === BUMP_BAR_KEYS.bump) {
    return selectedId !== null && openIds.includes(selectedId) ? { kind: "bump", ticketId: selectedId } : null;
  }
  if ((BUMP_BAR_KEYS.recall as readonly string[]).includes(key)) {
    return lastBumpedId === null ? null : { kind: "recall", ticketId: lastBumpedId };
  }
  if (key === BUMP_BAR_KEYS.clear) return selectedId === null ? null : { kind: "clear" };
  return null;
}
