import { describe, expect, it } from "vitest";

import { changeSummary, formatQuantity, kindOf, movementRequest, stockStatus, unitsLike, type MovementForm } from "./stock";

const form = (overrides: Partial<MovementForm> = {}): MovementForm => ({
  kind: "delivery",
  ingredientId: 3,
  quantity: "2.5",
  unit: "kg",
  reason: "",
  cost: "",
  ...overrides,
});

describe("units", () => {
  it("offers only the units of the ingredient's kind", () => {
    expect(unitsLike("g")).toEqual(["mg", "g", "kg"]);
    expect(unitsLike("l")).toEqual(["ml", "cl", "l"]);
    expect(unitsLike("piece")).toEqual(["piece", "dozen"]);
    expect(kindOf("cl")).toBe("volume");
  });

  it("reads quantities as people say them", () => {
    expect(formatQuantity(2.5, "kg")).toBe("2.5 kg");
    expect(formatQuantity(1, "piece")).toBe("1 piece");
    expect(formatQuantity(12, "piece")).toBe("12 pieces");
    expect(formatQuantity(0.0625, "kg")).toBe("0.063 kg");
    expect(formatQuantity(-0.2, "l")).toBe("-0.2 l");
  });
});

describe("stock status", () => {
  it("is out before low before ok", () => {
    expect(stockStatus({ out: true, low: true })).toBe("out");
    expect(stockStatus({ out: false, low: true })).toBe("low");
    expect(stockStatus({ out: false, low: false })).toBe("ok");
  });
});

describe("movementRequest", () => {
  it("sends a delivery's quantity as the decimal typed and its cost in minor units", () => {
    expect(movementRequest(form({ quantity: " 2,5 ", cost: "12.35" }), "USD")).toEqual({
      ok: true,
      request: { kind: "delivery", body: { ingredient_id: 3, unit: "kg", quantity: "2.5", cost: 1235 } },
    });
    expect(movementRequest(form(), "USD")).toEqual({
      ok: true,
      request: { kind: "delivery", body: { ingredient_id: 3, unit: "kg", quantity: "2.5" } },
    });
  });

  it("needs a reason for waste and more than nothing", () => {
    expect(movementRequest(form({ kind: "waste", quantity: "0" }), "USD")).toEqual({
      ok: false,
      errors: { quantity: "Quantity must be more than 0.", reason: "Say why it was wasted." },
    });
    expect(movementRequest(form({ kind: "waste", reason: " burnt " }), "USD")).toEqual({
      ok: true,
      request: { kind: "waste", body: { ingredient_id: 3, unit: "kg", quantity: "2.5", reason: "burnt" } },
    });
  });

  it("takes a count of zero as the stock being gone", () => {
    expect(movementRequest(form({ kind: "count", quantity: "0" }), "USD")).toEqual({
      ok: true,
      request: { kind: "count", body: { ingredient_id: 3, unit: "kg", counted: "0" } },
    });
  });

  it("refuses what is not a quantity, a bad cost and no ingredient", () => {
    const checked = movementRequest(form({ ingredientId: null, quantity: "-1", cost: "1.234" }), "USD");
    expect(checked.ok).toBe(false);
    if (checked.ok) return;
    expect(checked.errors.ingredient).toBe("Choose an ingredient.");
    expect(checked.errors.quantity).toMatch(/negative/);
    expect(checked.errors.cost).toMatch(/2 decimal places/);
    expect(movementRequest(form({ quantity: "1.0000001" }), "USD").ok).toBe(false);
  });
});

describe("changeSummary", () => {
  const ingredient = {
    id: 3,
    name: "Mozzarella",
    unit: "kg" as const,
    kind: "mass",
    on_hand: 1.5,
    reorder_level: 2,
    supplier: "",
    cost: 1200,
    stock_value: 1800,
    low: true,
    out: false,
  };
  const movement = {
    id: 1,
    ingredient_id: 3,
    kind: "count" as const,
    quantity: -0.5,
    counted: 1.5,
    cost: null,
    reason: "",
    order_item_id: null,
    created_by: 1,
    created_at: "2026-12-03T12:00:00Z",
  };
  it("says what a count corrected", () => {
    expect(changeSummary({ movement, ingredient })).toBe("Count of 1.5 kg (correction -0.5 kg): Mozzarella now 1.5 kg.");
    expect(changeSummary({ movement: { ...movement, kind: "waste", counted: null }, ingredient })).toBe(
      "Waste of 0.5 kg: Mozzarella now 1.5 kg.",
    );
  });
});
