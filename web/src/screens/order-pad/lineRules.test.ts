import { describe, expect, it } from "vitest";

import {
  addsInOneTap,
  blockingReason,
  initialChoice,
  linePrice,
  modifierLabel,
  ruleText,
  sameAgain,
  seatNumbers,
  stepQuantity,
  tapChoice,
  toDraftLine,
  toggleModifier,
} from "./lineRules";
import { shortSize } from "./MenuPanel";
import { heldCourses, isHeld, lineStatusText, nothingFired, sendableLines } from "./orderLogic";
import { BBQ, BRIE, SODA, itemOf, orderOf } from "./testing";
import type { LineChoice } from "./types";

const toppings = BBQ.modifier_groups[0]!;
const crust = BBQ.modifier_groups[1]!;

describe("modifier rules", () => {
  it("say the rule the way a waiter reads it", () => {
    expect(ruleText({ min_choices: 0, max_choices: 3 })).toBe("choose up to 3");
    expect(ruleText({ min_choices: 1, max_choices: 1 })).toBe("choose 1");
    expect(ruleText({ min_choices: 1, max_choices: 2 })).toBe("choose 1 to 2");
    expect(ruleText({ min_choices: 2, max_choices: 2 })).toBe("choose 2");
  });

  it("never go past a group's maximum", () => {
    let chosen = toggleModifier(toppings, [], 1);
    chosen = toggleModifier(toppings, chosen, 2);
    chosen = toggleModifier(toppings, chosen, 3);
    expect(toggleModifier(toppings, chosen, 4)).toEqual([1, 2, 3]);
    expect(toggleModifier(toppings, chosen, 2)).toEqual([1, 3]);
  });

  it("swap the choice of a one-choice group and leave other groups alone", () => {
    const chosen = toggleModifier(crust, [1, 5], 6);
    expect(chosen).toEqual([1, 6]);
  });

  it("refuse an unavailable modifier", () => {
    const group = { ...toppings, modifiers: toppings.modifiers.map((m) => (m.id === 2 ? { ...m, is_available: false } : m)) };
    expect(toggleModifier(group, [], 2)).toEqual([]);
  });
});

describe("a line can be added when", () => {
  const valid: LineChoice = { ...initialChoice(BBQ), variationId: 2, modifierIds: [5] };

  it("it has a size, meets every minimum and stays within every maximum", () => {
    expect(blockingReason(BBQ, valid)).toBeNull();
    expect(blockingReason(BBQ, { ...valid, variationId: null })).toBe("Choose a size.");
    expect(blockingReason(BBQ, { ...valid, modifierIds: [] })).toBe("Crust: choose 1 more.");
    expect(blockingReason(BBQ, { ...valid, modifierIds: [1, 2, 3, 4, 5] })).toBe("Extra toppings: choose up to 3.");
    expect(blockingReason(BBQ, { ...valid, modifierIds: [5, 6] })).toBe("Crust: choose 1.");
  });

  it("quantity, seat and course are in range", () => {
    expect(blockingReason(BBQ, { ...valid, quantity: 0 })).toBe("Quantity must be 1 to 99.");
    expect(blockingReason(BBQ, { ...valid, quantity: 100 })).toBe("Quantity must be 1 to 99.");
    expect(blockingReason(BBQ, { ...valid, quantity: Number.NaN })).toBe("Quantity must be 1 to 99.");
    expect(blockingReason(BBQ, { ...valid, seat: 0 })).toBe("Seat must be 1 to 999, or empty.");
    expect(blockingReason(BBQ, { ...valid, seat: 2 })).toBeNull();
    expect(blockingReason(BBQ, { ...valid, course: 10 })).toBe("Course must be 1 to 9.");
  });

  it("the item is not 86'd", () => {
    expect(blockingReason(SODA, initialChoice(SODA))).toBe("Lemon Soda is 86'd (not available).");
  });

  it("an item with one size has it chosen already", () => {
    expect(initialChoice(BRIE).variationId).toBe(4);
    expect(blockingReason(BRIE, initialChoice(BRIE))).toBeNull();
  });
});

describe("line prices", () => {
  it("are quantity × (size + modifier deltas), in minor units", () => {
    expect(linePrice(BBQ, { ...initialChoice(BBQ), variationId: 3, modifierIds: [2, 4, 6], quantity: 3 })).toBe(
      3 * (2075 + 150 + 100 + 250),
    );
    expect(linePrice(BBQ, initialChoice(BBQ))).toBeNull();
  });

  it("are snapshotted on the draft line with the modifiers in menu order", () => {
    const line = toDraftLine(BBQ, { ...initialChoice(BBQ), variationId: 2, modifierIds: [6, 2], notes: "  crispy " }, "x");
    expect(line).toMatchObject({
      name: BBQ.name,
      variationName: "Medium",
      modifierIds: [2, 6],
      modifierNames: ["Pepperoni", "Gluten-free crust"],
      unitPrice: 1675,
      modifiersTotal: 400,
      notes: "crispy",
    });
  });
});

describe("courses", () => {
  const fired = itemOf({ id: 1, course: 1, status: "fired", fired_at: "2026-01-01T19:05:00Z" });
  const round2 = itemOf({ id: 2, course: 1 });
  const main = itemOf({ id: 3, course: 2 });
  const dessert = itemOf({ id: 4, course: 3 });
  const order = orderOf({ items: [fired, round2, main, dessert] });

  it("Send fires pending lines up to the highest fired course; later courses are held", () => {
    expect(sendableLines(order).map((i) => i.id)).toEqual([2]);
    expect(heldCourses(order)).toEqual([2, 3]);
    expect(isHeld(order, main)).toBe(true);
    expect(lineStatusText(order, main)).toBe("Held");
    expect(lineStatusText(order, round2)).toBe("Pending");
    expect(lineStatusText(order, fired)).toBe("Fired");
  });

  it("once course 2 is fired, its new lines go with Send", () => {
    const later = orderOf({ items: [{ ...main, status: "fired", fired_at: "2026-01-01T19:20:00Z" }, itemOf({ id: 5, course: 2 })] });
    expect(sendableLines(later).map((i) => i.id)).toEqual([5]);
    expect(heldCourses(later)).toEqual([]);
  });

  it("an order can be cancelled only while nothing was fired", () => {
    expect(nothingFired(orderOf({ items: [round2, itemOf({ id: 9, status: "voided" })] }))).toBe(true);
    expect(nothingFired(order)).toBe(false);
  });
});

describe("an order in a dozen taps", () => {
  it("adds in one tap only an item with one size and nothing required", () => {
    expect(addsInOneTap(BRIE)).toBe(true);
    expect(addsInOneTap(BBQ)).toBe(false); // sizes, and a required crust
    expect(addsInOneTap(SODA)).toBe(false); // 86'd
  });

  it("drafts a tap in the seat and course the pad has set, and the same line again", () => {
    const choice = tapChoice(BRIE, { seat: 2, course: 2 });
    expect(choice).toMatchObject({ menuItemId: BRIE.id, variationId: 4, seat: 2, course: 2, quantity: 1, modifierIds: [] });
    expect(tapChoice(BBQ, { seat: null, course: 1 }, 3, [6], "well done")).toMatchObject({ variationId: 3, modifierIds: [6], notes: "well done" });
    expect(sameAgain({ ...choice, quantity: 4 })).toEqual({ ...choice, quantity: 1 });
  });

  it("steps quantities within 1–99 and offers a seat per cover", () => {
    expect(stepQuantity({ quantity: 1 }, -1).quantity).toBe(1);
    expect(stepQuantity({ quantity: 98 }, 5).quantity).toBe(99);
    expect(stepQuantity({ quantity: 2 }, 1).quantity).toBe(3);
    expect(seatNumbers(3)).toEqual([1, 2, 3]);
    expect(seatNumbers(0)).toEqual([1]);
    expect(seatNumbers(40)).toHaveLength(12);
  });

  it("writes sizes short on a tile and modifiers as the kitchen reads them", () => {
    expect(["Small", "Medium", "Large", "X Large", "XX Large", "0.33"].map(shortSize)).toEqual(["S", "M", "L", "XL", "XXL", "0.33"]);
    expect(modifierLabel({ name: "Red Onions", label: "NO Red Onions" })).toBe("NO Red Onions");
    expect(modifierLabel({ name: "Extra cheese" })).toBe("Extra cheese");
  });
});
