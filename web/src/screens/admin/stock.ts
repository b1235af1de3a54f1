/**
 * The Stock screen's logic, apart from React: units of one kind, how a quantity reads, an
 * ingredient's status, and the request body of a delivery, waste or count checked before
 * it is sent. Quantities go to the server as decimal strings ("2.5"), so nothing is
 * rounded on the way; the server converts them between units of one kind.
 */
import type { components } from "../../api/schema";
import { parseDecimal, parsePrice } from "./decimal";

type Schemas = components["schemas"];
export type Unit = Schemas["Unit"];
export type IngredientRead = Schemas["IngredientRead"];
export type IngredientCreate = Schemas["IngredientCreate"];
export type ReorderList = Schemas["ReorderList"];
export type DeliveryCreate = Schemas["DeliveryCreate"];
export type WasteCreate = Schemas["WasteCreate"];
export type CountCreate = Schemas["CountCreate"];
export type StockChange = Schemas["StockChange"];

/** The units of each kind, smallest first (the server's `brigade.inventory.units`). */
export const UNITS_BY_KIND: Readonly<Record<string, readonly Unit[]>> = {
  mass: ["mg", "g", "kg"],
  volume: ["ml", "cl", "l"],
  count: ["piece", "dozen"],
};

/** Every unit, in the order of {@link UNITS_BY_KIND}. */
export const ALL_UNITS: readonly Unit[] = Object.values(UNITS_BY_KIND).flat();

/** The kind of `unit` ("mass", "volume", "count"). */
export function kindOf(unit: Unit): string {
  return Object.entries(UNITS_BY_KIND).find(([, units]) => units.includes(unit))?.[0] ?? "count";
}

/** The units a quantity of an ingredient counted in `unit` may be given in. */
export function unitsLike(unit: Unit): readonly Unit[] {
  return UNITS_BY_KIND[kindOf(unit)] ?? [unit];
}

/** A quantity as people read it: "2.5 kg", "12 pieces", "-0.2 l" (at most 3 decimals). */
export function formatQuantity(value: number, unit: Unit): string {
  const text = new Intl.NumberFormat("en", { maximumFractionDigits: 3 }).format(value);
  if (unit === "piece") return `${text} ${Math.abs(value) === 1 ? "piece" : "pieces"}`;
  if (unit === "dozen") return `${text} dozen`;
  return `${text} ${unit}`;
}

export type StockStatus = "out" | "low" | "ok";

/** "out" (nothing left: the items using it are 86'd), "low" (at or below the reorder level), else "ok". */
export function stockStatus(ingredient: Pick<IngredientRead, "out" | "low">): StockStatus {
  if (ingredient.out) return "out";
  return ingredient.low ? "low" : "ok";
}

/** The screen's words for a status. */
export const STATUS_LABEL: Readonly<Record<StockStatus, string>> = { out: "Out", low: "Low", ok: "OK" };

export type MovementKind = "delivery" | "waste" | "count";

/** What the person typed in the movement form. */
export interface MovementForm {
  kind: MovementKind;
  ingredientId: number | null;
  quantity: string;
  unit: Unit;
  /** Waste: why (required). */
  reason: string;
  /** Delivery: what it cost in all, in the restaurant's currency (optional). */
  cost: string;
}

export type MovementRequest =
  | { kind: "delivery"; body: DeliveryCreate }
  | { kind: "waste"; body: WasteCreate }
  | { kind: "count"; body: CountCreate };

export type MovementErrors = Partial<Record<"ingredient" | "quantity" | "reason" | "cost", string>>;

/** The largest quantity the server takes (a billion of a unit). */
const MAX_QUANTITY = 1e9;

/** Check `form` and make its request body, or say what to fix. A count may be 0; a
 * delivery and waste need more than 0; waste needs a reason; a delivery's cost is money
 * of `currency` (exact minor units) or empty. */
export function movementRequest(
  form: MovementForm,
  currency: string,
): { ok: true; request: MovementRequest } | { ok: false; errors: MovementErrors } {
  const errors: MovementErrors = {};
  if (form.ingredientId === null) errors.ingredient = "Choose an ingredient.";
  const label = form.kind === "count" ? "Counted quantity" : "Quantity";
  const parsed = parseDecimal(form.quantity, 6, { label, max: MAX_QUANTITY * 1e6 });
  if (!parsed.ok) errors.quantity = parsed.error;
  else if (form.kind !== "count" && parsed.value === 0) errors.quantity = `${label} must be more than 0.`;
  if (form.kind === "waste" && form.reason.trim() === "") errors.reason = "Say why it was wasted.";
  let cost: number | undefined;
  if (form.kind === "delivery" && form.cost.trim() !== "") {
    const price = parsePrice(form.cost, currency, "Cost");
    if (price.ok) cost = price.value;
    else errors.cost = price.error;
  }
  if (Object.keys(errors).length > 0 || form.ingredientId === null) return { ok: false, errors };
  const quantity = form.quantity.replace(/\s+/g, "").replace(",", ".");
  const base = { ingredient_id: form.ingredientId, unit: form.unit };
  switch (form.kind) {
    case "delivery":
      return { ok: true, request: { kind: "delivery", body: { ...base, quantity, ...(cost === undefined ? {} : { cost }) } } };
    case "waste":
      return { ok: true, request: { kind: "waste", body: { ...base, quantity, reason: form.reason.trim() } } };
    case "count":
      return { ok: true, request: { kind: "count", body: { ...base, counted: quantity } } };
  }
}

/** One line saying what a recorded movement did: "Delivery of 2 kg: Mozzarella now 2.5 kg." */
export function changeSummary(change: StockChange): string {
  const { movement, ingredient } = change;
  const unit = ingredient.unit;
  const what =
    movement.kind === "count"
      ? `Count of ${formatQuantity(movement.counted ?? 0, unit)} (correction ${formatQuantity(movement.quantity, unit)})`
      : movement.kind === "waste"
        ? `Waste of ${formatQuantity(-movement.quantity, unit)}`
        : `Delivery of ${formatQuantity(movement.quantity, unit)}`;
  return `${what}: ${ingredient.name} now ${formatQuantity(ingredient.on_hand, unit)}.`;
}
