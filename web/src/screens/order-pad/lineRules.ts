/**
 * The rules of one order line, as the line dialog enforces them before the server does:
 * a size is required when the item has sizes, every modifier group's `min_choices` must
 * be met and its `max_choices` can never be exceeded, quantity 1–99, seat 1–999 or none,
 * course 1–9. Prices are integer minor units; a line costs
 * `quantity × (size price + Σ modifier deltas)`, as the server computes `line_total`.
 */
import type { DraftLine, LineChoice, MenuEntry, MenuModifierGroup } from "./types";

export const MAX_QUANTITY = 99;
export const MAX_SEAT = 999;
export const MAX_COURSE = 9;
export const MAX_NOTES = 500;

/** The rule of a group as a waiter reads it: "choose 1", "choose up to 3", "choose 1 to 2". */
export function ruleText(group: Pick<MenuModifierGroup, "min_choices" | "max_choices">): string {
  const { min_choices: min, max_choices: max } = group;
  if (min === max) return `choose ${min}`;
  if (min === 0) return `choose up to ${max}`;
  return `choose ${min} to ${max}`;
}

/** Whether an item can be ordered at all: not 86'd and with at least one available size. */
export function isOrderable(item: MenuEntry): boolean {
  return item.is_available && item.variations.some((v) => v.is_available);
}

/** A fresh choice for `item`: its only available size preselected, nothing else chosen, course 1. */
export function initialChoice(item: MenuEntry): LineChoice {
  const available = item.variations.filter((v) => v.is_available);
  return {
    menuItemId: item.id,
    variationId: item.variations.length === 1 && available.length === 1 ? (available[0]?.id ?? null) : null,
    modifierIds: [],
    quantity: 1,
    notes: "",
    seat: null,
    course: 1,
  };
}

/**
 * Toggle modifier `modifierId` of `group` in `selected` (every chosen id, all groups).
 * Unchecking always works. Checking in a group that allows one choice replaces the
 * group's current choice; in a group at its maximum it is refused (the same list is
 * returned). Unavailable modifiers cannot be checked.
 */
export function toggleModifier(group: MenuModifierGroup, selected: readonly number[], modifierId: number): number[] {
  if (selected.includes(modifierId)) return selected.filter((id) => id !== modifierId);
  const modifier = group.modifiers.find((m) => m.id === modifierId);
  if (modifier === undefined || !modifier.is_available) return [...selected];
  const groupIds = new Set(group.modifiers.map((m) => m.id));
  const chosenInGroup = selected.filter((id) => groupIds.has(id));
  if (group.max_choices === 1) return [...selected.filter((id) => !groupIds.has(id)), modifierId];
  if (chosenInGroup.length >= group.max_choices) return [...selected];
  return [...selected, modifierId];
}

/** How many of `group`'s modifiers are in `selected`. */
export function chosenCount(group: MenuModifierGroup, selected: readonly number[]): number {
  const groupIds = new Set(group.modifiers.map((m) => m.id));
  return selected.filter((id) => groupIds.has(id)).length;
}

/**
 * Why the line cannot be added yet, as one sentence for the waiter ("Choose a size.",
 * "Crust: choose 1 more."), or null when it can. Checks availability, the size, every
 * group's min and max, quantity, seat, course and notes length.
 */
export function blockingReason(item: MenuEntry, choice: LineChoice): string | null {
  if (!item.is_available) return `${item.name} is 86'd (not available).`;
  if (item.variations.length === 0) return `${item.name} has no size to order.`;
  const variation = item.variations.find((v) => v.id === choice.variationId);
  if (variation === undefined) return "Choose a size.";
  if (!variation.is_available) return `${variation.name} is not available.`;
  for (const group of item.modifier_groups) {
    const count = chosenCount(group, choice.modifierIds);
    if (count < group.min_choices) {
      const more = group.min_choices - count;
      return `${group.name}: choose ${more} more.`;
    }
    if (count > group.max_choices) return `${group.name}: ${ruleText(group)}.`;
  }
  const known = new Set(item.modifier_groups.flatMap((g) => g.modifiers.map((m) => m.id)));
  if (choice.modifierIds.some((id) => !known.has(id))) return "A chosen option is no longer on the menu.";
  if (!Number.isInteger(choice.quantity) || choice.quantity < 1 || choice.quantity > MAX_QUANTITY) {
    return `Quantity must be 1 to ${MAX_QUANTITY}.`;
  }
  if (choice.seat !== null && (!Number.isInteger(choice.seat) || choice.seat < 1 || choice.seat > MAX_SEAT)) {
    return `Seat must be 1 to ${MAX_SEAT}, or empty.`;
  }
  if (!Number.isInteger(choice.course) || choice.course < 1 || choice.course > MAX_COURSE) {
    return `Course must be 1 to ${MAX_COURSE}.`;
  }
  if (choice.notes.length > MAX_NOTES) return `Notes can be at most ${MAX_NOTES} characters.`;
  return null;
}

/** The per-unit prices of a choice: the size's price and the modifiers' deltas (minor units); null without a size. */
export function unitPrices(item: MenuEntry, choice: LineChoice): { unitPrice: number; modifiersTotal: number } | null {
  const variation = item.variations.find((v) => v.id === choice.variationId);
  if (variation === undefined) return null;
  const deltas = new Map(item.modifier_groups.flatMap((g) => g.modifiers.map((m) => [m.id, m.price_delta] as const)));
  const modifiersTotal = choice.modifierIds.reduce((sum, id) => sum + (deltas.get(id) ?? 0), 0);
  return { unitPrice: variation.price, modifiersTotal };
}

/** The line's price in minor units (`quantity × (size + modifiers)`), or null before a size is chosen. */
export function linePrice(item: MenuEntry, choice: LineChoice): number | null {
  const prices = unitPrices(item, choice);
  if (prices === null) return null;
  return choice.quantity * (prices.unitPrice + prices.modifiersTotal);
}

/** The price of a draft line (minor units). */
export function draftLineTotal(line: Pick<DraftLine, "quantity" | "unitPrice" | "modifiersTotal">): number {
  return line.quantity * (line.unitPrice + line.modifiersTotal);
}

/**
 * Snapshot a valid `choice` of `item` as a draft line (names and prices as the menu has
 * them now). Throws `Error` when the choice has no size (call {@link blockingReason} first).
 */
export function toDraftLine(item: MenuEntry, choice: LineChoice, localId: string): DraftLine {
  const variation = item.variations.find((v) => v.id === choice.variationId);
  const prices = unitPrices(item, choice);
  if (variation === undefined || prices === null) throw new Error(`no size chosen for ${item.name}`);
  // modifiers in menu order, whatever order they were tapped in
  const order = item.modifier_groups.flatMap((g) => g.modifiers);
  const chosen = order.filter((m) => choice.modifierIds.includes(m.id));
  return {
    ...choice,
    modifierIds: chosen.map((m) => m.id),
    notes: choice.notes.trim(),
    localId,
    name: item.name,
    variationName: variation.name,
    modifierNames: chosen.map((m) => modifierLabel(m)),
    unitPrice: prices.unitPrice,
    modifiersTotal: prices.modifiersTotal,
  };
}

/** The lowest available size price of an item ("from $12.75"), or null when none. */
export function fromPrice(item: MenuEntry): number | null {
  const prices = item.variations.filter((v) => v.is_available).map((v) => v.price);
  return prices.length > 0 ? Math.min(...prices) : null;
}

/**
 * Whether one tap adds `item` (its only available size, nothing chosen): it is orderable,
 * has exactly one available size and no modifier group requires a choice. Otherwise the
 * compact picker opens (a size to tap, required choices).
 */
export function addsInOneTap(item: MenuEntry): boolean {
  return (
    isOrderable(item) &&
    item.variations.filter((v) => v.is_available).length === 1 &&
    item.modifier_groups.every((g) => g.min_choices === 0)
  );
}

/** What the pad sets for the lines that follow: the seat (null: the table) and the course. */
export interface LineContext {
  seat: number | null;
  course: number;
}

/** The choice of one tap on `item` in `variationId` (default: its only available size), in `context`. */
export function tapChoice(item: MenuEntry, context: LineContext, variationId?: number, modifierIds: number[] = [], notes = ""): LineChoice {
  const size = variationId ?? item.variations.find((v) => v.is_available)?.id ?? null;
  return { ...initialChoice(item), variationId: size, modifierIds, notes, seat: context.seat, course: context.course };
}

/** The same line again (a copy to draft: same item, size, modifiers, notes, seat, course, quantity 1). */
export function sameAgain(line: LineChoice): LineChoice {
  return { ...line, modifierIds: [...line.modifierIds], quantity: 1 };
}

/** `line` with its quantity stepped by `delta`, kept within 1–99. */
export function stepQuantity<T extends { quantity: number }>(line: T, delta: number): T {
  return { ...line, quantity: Math.min(MAX_QUANTITY, Math.max(1, line.quantity + delta)) };
}

/** The seats of the seat bar: 1 … covers (at least 1, at most 12 buttons). */
export function seatNumbers(covers: number): number[] {
  const count = Math.min(12, Math.max(1, covers));
  return Array.from({ length: count }, (_, n) => n + 1);
}

/** The modifier as the kitchen reads it ("NO Red Onions"): the menu's label, else its name. */
export function modifierLabel(modifier: { name: string; label?: string }): string {
  return modifier.label ?? modifier.name;
}
