import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { fakeServer, json, me } from "../../test/fakeServer";
import { renderApp, signedInTokens } from "../../test/render";
import { floorOf, tableOf } from "../order-pad/testing";
import { isMine, pacingFacts, tileFacts, waiterName } from "./floorState";
import { boxStyle, dragTo } from "./plan";
import type { Floor, FloorTable } from "./queries";

const NOW = new Date("2026-01-01T19:30:00Z");
const ME = 1; // me("waiter").id

const seated = (overrides: Partial<FloorTable>): FloorTable =>
  tableOf({
    status: "occupied",
    service_state: "in_kitchen",
    order_id: 21,
    current_order_id: 21,
    covers: 2,
    seated_at: "2026-01-01T19:18:00Z",
    order_subtotal: 3450,
    ...overrides,
  });

describe("pacing and the waiter on a tile", () => {
  it("says the held course, the minutes since the last fire and an automatic fire to come", () => {
    const table = seated({
      held_course: 2,
      last_fired_at: "2026-01-01T19:23:10Z",
      next_fire_course: 2,
      next_fire_at: "2026-01-01T19:33:30Z",
    });
    expect(pacingFacts(table, NOW)).toEqual(["course 2 held", "fired 6 min ago", "course 2 fires in 4 min"]);
    expect(pacingFacts(seated({ last_fired_at: "2026-01-01T19:29:40Z" }), NOW)).toEqual(["fired just now"]);
    expect(pacingFacts(seated({ next_fire_course: 3, next_fire_at: "2026-01-01T19:29:00Z" }), NOW)).toEqual(["course 3 firing"]);
  });

  it("names the section's waiter, else who opened the order", () => {
    expect(waiterName(seated({ waiter_name: "Ana", opened_by_name: "Ben" }))).toBe("Ana");
    expect(waiterName(seated({ opened_by_name: "Ben" }))).toBe("Ben");
    expect(waiterName(tableOf({}))).toBeNull();
    expect(tileFacts(seated({ held_course: 2, waiter_name: "Ana" }), NOW)).toEqual([
      "Table 4",
      "In kitchen",
      "2 covers",
      "seated 12 min",
      "$34.50",
      "course 2 held",
      "Ana",
    ]);
  });

  it("counts a table as mine by its section or by the order I opened", () => {
    expect(isMine(tableOf({ waiter_id: ME }), ME)).toBe(true);
    expect(isMine(seated({ opened_by: ME }), ME)).toBe(true);
    expect(isMine(seated({ opened_by: 2, waiter_id: 2 }), ME)).toBe(false);
    expect(isMine(tableOf({ opened_by: ME }), ME)).toBe(false); // a free table has no order
  });
});

describe("the plan's geometry", () => {
  it("draws a box in percentages of the 1000 × 700 plan", () => {
    expect(boxStyle({ plan_x: 100, plan_y: 350, plan_width: 200, plan_height: 70 })).toEqual({
      left: "10%",
      top: "50%",
      width: "20%",
      height: "10%",
    });
  });

  it("turns a drag in pixels into plan units and keeps the table on the plan", () => {
    // a plan drawn 500 px wide: 1 px is 2 units
    expect(dragTo({ x: 100, y: 100 }, { dx: 50, dy: -10 }, { width: 80, height: 80 }, 500)).toEqual({ x: 200, y: 80 });
    expect(dragTo({ x: 900, y: 600 }, { dx: 400, dy: 400 }, { width: 80, height: 80 }, 500)).toEqual({ x: 920, y: 620 });
    expect(dragTo({ x: 10, y: 10 }, { dx: -400, dy: -400 }, { width: 80, height: 80 }, 500)).toEqual({ x: 0, y: 0 });
  });
});

function floorServer(floor: Floor) {
  return fakeServer({
    "GET /api/v1/auth/me": () => json(me("waiter")),
    "GET /api/v1/restaurants/1/floor": () => json(floor),
    "GET /api/v1/restaurants/1/orders": () => json({ items: [], total: 0 }),
  });
}

const FLOOR = floorOf([
  tableOf({ id: 1, name: "1", waiter_id: ME, waiter_name: "Test waiter", plan_x: 100, plan_y: 100, shape: "round" }),
  seated({ id: 4, name: "4", waiter_id: 2, waiter_name: "Ben", opened_by: 2, plan_x: 400, plan_y: 100 }),
  seated({ id: 5, name: "5", order_id: 22, current_order_id: 22, opened_by: ME, opened_by_name: "Test waiter" }),
  tableOf({ id: 9, name: "9", area_id: 2 }),
]);

function wideScreen(matches: boolean) {
  vi.stubGlobal(
    "matchMedia",
    (query: string) =>
      ({ matches, media: query, addEventListener: () => undefined, removeEventListener: () => undefined }) as unknown as MediaQueryList,
  );
}

describe("the floor screen's plan and My tables", () => {
  beforeEach(() => wideScreen(true));
  afterEach(() => vi.unstubAllGlobals());

  it("shows the plan where tables are placed, the rest listed under it; List switches back", async () => {
    renderApp({ path: "/r/1/floor", server: floorServer(FLOOR), tokens: signedInTokens() });
    const plan = await screen.findByRole("group", { name: "Plan of Dining room" });
    const one = within(plan).getByRole("button", { name: "Table 1, Free" });
    expect(one).toHaveClass("shape-round");
    expect(one).toHaveStyle({ left: "10%" });
    expect(within(plan).getByRole("button", { name: "Table 4, In kitchen" })).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Table 5, In kitchen" })).toHaveClass("floor-plan-chip"); // not placed
    expect(screen.getByRole("button", { name: "Plan" })).toHaveAttribute("aria-pressed", "true");

    await userEvent.setup().click(screen.getByRole("button", { name: "List" }));
    expect(screen.queryByRole("group", { name: "Plan of Dining room" })).not.toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Table 1, Free" })).toHaveClass("floor-tile");
  });

  it("filters to my tables: my section and the orders I opened", async () => {
    renderApp({ path: "/r/1/floor", server: floorServer(FLOOR), tokens: signedInTokens() });
    const user = userEvent.setup();
    await screen.findByRole("group", { name: "Plan of Dining room" });
    await user.click(screen.getByRole("button", { name: "My tables" }));
    expect(screen.getByRole("button", { name: "My tables" })).toHaveAttribute("aria-pressed", "true");
    expect(screen.getByRole("button", { name: "Table 1, Free" })).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Table 5, In kitchen" })).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Table 4, In kitchen" })).not.toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Table 9, Free" })).not.toBeInTheDocument();
  });

  it("keeps the tile list on a phone", async () => {
    wideScreen(false);
    renderApp({ path: "/r/1/floor", server: floorServer(FLOOR), tokens: signedInTokens() });
    expect(await screen.findByRole("button", { name: "Table 1, Free" })).toHaveClass("floor-tile");
    expect(screen.queryByRole("button", { name: "Plan" })).not.toBeInTheDocument();
  });
});
