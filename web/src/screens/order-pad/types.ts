/**
 * Aliases of the generated API types this screen uses (never hand-written: they come
 * from `api/schema.d.ts`), and the screen's own draft-line shape.
 */
import type { components } from "../../api/schema";

type Schemas = components["schemas"];

export type MenuRead = Schemas["MenuRead"];
export type MenuSection = Schemas["MenuSection"];
export type MenuEntry = Schemas["MenuEntry"];
export type MenuVariation = Schemas["MenuVariation"];
export type MenuModifierGroup = Schemas["MenuModifierGroup"];
export type MenuModifier = Schemas["MenuModifier"];
export type OrderRead = Schemas["OrderRead"];
export type OrderItemRead = Schemas["OrderItemRead"];
export type OrderItemStatus = Schemas["OrderItemStatus"];
export type OrderLineCreate = Schemas["OrderLineCreate"];

/** What the waiter chose for one line in the line dialog. */
export interface LineChoice {
  menuItemId: number;
  /** The size; null only for an item without sizes (then it cannot be ordered). */
  variationId: number | null;
  /** Chosen modifier ids, in the order of the menu's groups. */
  modifierIds: number[];
  /** 1–99. */
  quantity: number;
  /** Free text for the kitchen, at most 500 characters. */
  notes: string;
  /** Seat number 1–999, or null for the table. */
  seat: number | null;
  /** Course 1–9; course 1 goes out with "Send", later courses wait to be fired. */
  course: number;
}

/**
 * A line drafted on this device and not yet on the server, with what the screen needs
 * to show it (names and prices in minor units of the order's currency, snapshotted from
 * the menu when the line was drafted).
 */
export interface DraftLine extends LineChoice {
  /** Local id (UUID), stable across edits and reloads. */
  localId: string;
  name: string;
  variationName: string;
  modifierNames: string[];
  /** Price of one unit of the size, minor units. */
  unitPrice: number;
  /** Sum of the chosen modifiers' deltas per unit, minor units. */
  modifiersTotal: number;
}
