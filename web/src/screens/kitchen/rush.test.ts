import { describe, expect, it } from "vitest";

import { may86, parseCount, remainingText } from "../../lib/availability";
import { DEFAULT_STATION_PREP_TARGET_S, ageLevel, prepTargetMs, prepTargetsOf } from "./config";
import { line, ticket } from "./testData";
import { allDayCounts, bumpBarAction, formatClockSeconds, hasAdditions, isAddition, linesSummary } from "./tickets";

const AT = "2026-01-01T19:00:00Z";

describe("all-day counts", () => {
  it("adds up what is still to make across the open tickets, most first", () => {
    const counts = allDayCounts([
      ticket(1, AT, { items: [line({ quantity: 2 }), line({ name: "Calzone", variation_name: "", quantity: 1 })] }),
      ticket(2, AT, {
        items: [
          line({ quantity: 1 }),
          line({ name: "Calzone", variation_name: "", quantity: 4, status: "voided", voided: true }), // cancelled
          line({ name: "Margherita", variation_name: "L", quantity: 1, status: "bumped" }), // done
          line({ name: "Cola", variation_name: "", quantity: 1, status: "preparing" }),
        ],
      }),
      ticket(3, AT, { status: "bumped", items: [line({ quantity: 9 })] }), // off the board
    ]);
    expect(counts.map((c) => [c.quantity, c.name, c.variation])).toEqual([
      [3, "Margherita", "M"],
      [1, "Calzone", ""],
      [1, "Cola", ""],
    ]);
  });

  it("is empty without open tickets", () => {
    expect(allDayCounts([])).toEqual([]);
  });
});

describe("additions", () => {
  it("marks the lines of a later send and the ticket that took them", () => {
    const first = line({ batch: 1 });
    const added = line({ name: "Calzone", batch: 2, added_at: AT });
    expect(isAddition(first)).toBe(false);
    expect(isAddition(added)).toBe(true);
    expect(hasAdditions(ticket(1, AT, { items: [first] }))).toBe(false);
    expect(hasAdditions(ticket(1, AT, { items: [first, added], added_at: AT }))).toBe(true);
  });
});

describe("recently bumped", () => {
  it("says a ticket's live lines in one line", () => {
    const t = ticket(1, AT, {
      items: [line({ quantity: 2 }), line({ name: "Calzone", variation_name: "" }), line({ name: "Cola", voided: true, status: "voided" })],
    });
    expect(linesSummary(t)).toBe("2 × Margherita (M), 1 × Calzone");
  });

  it("tells the time to the second", () => {
    expect(formatClockSeconds("2026-01-01T19:02:37Z", "UTC", "en-GB")).toBe("19:02:37");
  });
});

describe("bump bar", () => {
  const open = [11, 12, 13];

  it("picks the ticket of a number key, nothing past the last", () => {
    expect(bumpBarAction("1", open, null, null)).toEqual({ kind: "select", ticketId: 11 });
    expect(bumpBarAction("3", open, 11, null)).toEqual({ kind: "select", ticketId: 13 });
    expect(bumpBarAction("4", open, null, null)).toBeNull();
  });

  it("bumps the picked ticket with Enter, and nothing when none is picked or it left", () => {
    expect(bumpBarAction("Enter", open, 12, null)).toEqual({ kind: "bump", ticketId: 12 });
    expect(bumpBarAction("Enter", open, null, null)).toBeNull();
    expect(bumpBarAction("Enter", open, 99, null)).toBeNull();
  });

  it("recalls the last bumped with R or 0, and drops the pick with Escape", () => {
    expect(bumpBarAction("r", open, null, 7)).toEqual({ kind: "recall", ticketId: 7 });
    expect(bumpBarAction("0", open, null, 7)).toEqual({ kind: "recall", ticketId: 7 });
    expect(bumpBarAction("r", open, null, null)).toBeNull();
    expect(bumpBarAction("Escape", open, 12, null)).toEqual({ kind: "clear" });
    expect(bumpBarAction("x", open, 12, 7)).toBeNull();
  });
});

describe("prep-time targets", () => {
  it("colours against the station's own target, the default elsewhere", () => {
    const targets = prepTargetsOf({ station_prep_targets: { bar: 300, oven: "soon", grill: -5 } });
    expect(targets).toEqual({ bar: 300 });
    expect(prepTargetMs("bar", targets)).toBe(300_000);
    expect(prepTargetMs("oven", targets)).toBe(DEFAULT_STATION_PREP_TARGET_S * 1000);
    expect(DEFAULT_STATION_PREP_TARGET_S).toBe(900);
    expect(ageLevel(199_999, 300_000)).toBe("ok");
    expect(ageLevel(200_000, 300_000)).toBe("warn");
    expect(ageLevel(300_000, 300_000)).toBe("late");
    expect(prepTargetsOf({ time_zone: "UTC" })).toEqual({});
    expect(prepTargetsOf(undefined)).toEqual({});
  });
});

describe("counts and 86", () => {
  it("says what is left", () => {
    expect(remainingText(5)).toBe("5 left");
    expect(remainingText(0)).toBe("86'd");
    expect(remainingText(null)).toBeNull();
  });

  it("reads a typed count", () => {
    expect(parseCount(" 12 ")).toBe(12);
    expect(parseCount("")).toBeNull();
    expect(parseCount("-1")).toBeUndefined();
    expect(parseCount("2.5")).toBeUndefined();
    expect(parseCount("100001")).toBeUndefined();
  });

  it("lets the roles holding menu:availability 86", () => {
    expect(["owner", "manager", "kitchen", "admin"].every((r) => may86(r as never))).toBe(true);
    expect(may86("waiter")).toBe(false);
    expect(may86("cashier")).toBe(false);
    expect(may86(null)).toBe(false);
  });
});
