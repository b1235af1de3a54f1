/**
 * What the order pad derives from an order: which lines "Send" fires, which courses are
 * held (a "Fire course N" button each), whether the order can still be cancelled, and
 * whether lines drafted here have landed on the server (to confirm a retried write).
 *
 * The server's send rule (`orders.service.send_order`): send fires every pending line
 * whose course is at most the highest course already fired (at least 1); later courses
 * are held until fired.
 */
import type { DraftLine, OrderItemRead, OrderItemStatus, OrderRead } from "./types";

/** The highest course "Send" fires: the highest course already fired, at least 1. */
export function sendCourseLimit(order: Pick<OrderRead, "items">): number {
  let highest = 1;
  for (const item of order.items) {
    if (item.fired_at !== null && item.course > highest) highest = item.course;
  }
  return highest;
}

/** The pending lines "Send" would fire now. */
export function sendableLines(order: Pick<OrderRead, "items">): OrderItemRead[] {
  const limit = sendCourseLimit(order);
  return order.items.filter((i) => i.status === "pending" && i.course <= limit);
}

/** Courses past the send limit that have pending lines, ascending: each gets "Fire course N". */
export function heldCourses(order: Pick<OrderRead, "items">): number[] {
  const limit = sendCourseLimit(order);
  const courses = new Set(order.items.filter((i) => i.status === "pending" && i.course > limit).map((i) => i.course));
  return [...courses].sort((a, b) => a - b);
}

/** Whether a pending line is held (its course waits to be fired) rather than waiting for "Send". */
export function isHeld(order: Pick<OrderRead, "items">, item: Pick<OrderItemRead, "status" | "course">): boolean {
  return item.status === "pending" && item.course > sendCourseLimit(order);
}

/** The lines that are ready at the pass. */
export function readyLines(order: Pick<OrderRead, "items">): OrderItemRead[] {
  return order.items.filter((i) => i.status === "ready");
}

/** Whether nothing was fired yet (every line pending or voided): the order may be cancelled. */
export function nothingFired(order: Pick<OrderRead, "items">): boolean {
  return order.items.every((i) => i.status === "pending" || i.status === "voided");
}

/** The status of a line as the waiter reads it. */
export function lineStatusText(order: Pick<OrderRead, "items">, item: OrderItemRead): string {
  const labels: Record<OrderItemStatus, string> = {
    pending: "Pending",
    fired: "Fired",
    preparing: "Preparing",
    ready: "Ready",
    served: "Served",
    voided: "Voided",
  };
  if (isHeld(order, item)) return "Held";
  return labels[item.status];
}

/** Lines grouped by course, courses ascending, lines in the order's order. */
export function linesByCourse<T extends { course: number }>(lines: readonly T[]): [number, T[]][] {
  const groups = new Map<number, T[]>();
  for (const line of lines) {
    const list = groups.get(line.course);
    if (list) list.push(line);
    else groups.set(line.course, [line]);
  }
  return [...groups.entries()].sort(([a], [b]) => a - b);
}

/** What identifies a line as drafted: item, size, modifiers (as a set), quantity, notes, seat, course. */
function signature(line: {
  menuItemId: number | null;
  variationId: number | null;
  modifierIds: readonly number[];
  quantity: number;
  notes: string;
  seat: number | null;
  course: number;
}): string {
  return JSON.stringify([
    line.menuItemId,
    line.variationId,
    [...line.modifierIds].sort((a, b) => a - b),
    line.quantity,
    line.notes.trim(),
    line.seat,
    line.course,
  ]);
}

function itemSignature(item: OrderItemRead): string {
  return signature({
    menuItemId: item.menu_item_id,
    variationId: item.variation_id,
    modifierIds: item.modifiers.map((m) => m.id),
    quantity: item.quantity,
    notes: item.notes,
    seat: item.seat,
    course: item.course,
  });
}

/**
 * Whether every line of `drafts` is on `order` among the lines that were not there
 * before (`baseItemIds`), each matched to a distinct new line: how a retried "add lines"
 * whose answer was lost is confirmed instead of added twice.
 */
export function draftsLanded(order: Pick<OrderRead, "items">, baseItemIds: readonly number[], drafts: readonly DraftLine[]): boolean {
  const base = new Set(baseItemIds);
  const available = new Map<string, number>();
  for (const item of order.items) {
    if (base.has(item.id)) continue;
    const key = itemSignature(item);
    available.set(key, (available.get(key) ?? 0) + 1);
  }
  for (const draft of drafts) {
    const key = signature(draft);
    const left = available.get(key) ?? 0;
    if (left === 0) return false;
    available.set(key, left - 1);
  }
  return true;
}

/** How the order pad names a course that is not ready yet, as the server does. */
export type CourseWaitState = "held" | "fired" | "preparing";

/**
 * The first course before `course` that is not ready yet, with its least advanced
 * state (`held` > `fired` > `preparing`), or `null`: the server's pacing rule
 * (`orders.service.check_earlier_courses`), which refuses such a fire unless it is
 * confirmed. Voided and served lines never hold a fire.
 */
export function earlierCourseNotReady(
  order: Pick<OrderRead, "items">,
  course: number,
): { course: number; state: CourseWaitState } | null {
  const rank: Record<string, CourseWaitState | undefined> = { pending: "held", fired: "fired", preparing: "preparing" };
  const order_: CourseWaitState[] = ["held", "fired", "preparing"];
  const waiting = order.items.filter((i) => i.course < course && rank[i.status] !== undefined);
  if (waiting.length === 0) return null;
  const earlier = Math.min(...waiting.map((i) => i.course));
  const states = waiting.filter((i) => i.course === earlier).map((i) => rank[i.status] as CourseWaitState);
  const state = order_.find((s) => states.includes(s)) ?? "fired";
  return { course: earlier, state };
}
