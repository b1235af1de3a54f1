import { act, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { fakeServer, json, me, problem, type FakeServer } from "../../test/fakeServer";
import { envelope } from "../../test/fakeSocket";
import { renderApp, signedInTokens } from "../../test/render";
import { MENU, fakeOrderBackend, floorOf, itemOf, orderOf, tableOf } from "../order-pad/testing";
import { STATE_LABELS, tileFacts } from "./floorState";
import type { Floor, FloorTable } from "./queries";

const NOW = new Date("2026-01-01T19:30:00Z");

const seated = (overrides: Partial<FloorTable>): FloorTable =>
  tableOf({
    status: "occupied",
    service_state: "seated",
    order_id: 21,
    current_order_id: 21,
    order_version: 2,
    covers: 2,
    seated_at: "2026-01-01T19:18:00Z",
    order_subtotal: 3450,
    ...overrides,
  });

describe("floor tile labels", () => {
  it("name every service state in words", () => {
    expect(STATE_LABELS).toEqual({
      free: "Free",
      seated: "Seated",
      in_kitchen: "In kitchen",
      ready: "Ready to serve",
      check_requested: "Check requested",
    });
  });

  it("give the table, its state, covers, minutes seated and subtotal", () => {
    expect(tileFacts(seated({ name: "4", service_state: "ready", lines_ready: 2 }), NOW)).toEqual([
      "Table 4",
      "Ready to serve",
      "2 covers",
      "seated 12 min",
      "$34.50",
      "2 ready",
    ]);
    expect(tileFacts(tableOf({ name: "Bar 1", seats: 2 }), NOW)).toEqual(["Bar 1", "Free", "2 seats"]);
    expect(tileFacts(seated({ covers: 1, service_state: "check_requested", check_id: 5 }), NOW).slice(1, 3)).toEqual([
      "Check requested",
      "1 cover",
    ]);
  });
});

function floorServer(floor: Floor): FakeServer {
  return fakeServer({
    "GET /api/v1/auth/me": () => json(me("waiter")),
    "GET /api/v1/restaurants/1/floor": () => json(floor),
    "GET /api/v1/restaurants/1/orders": () => json({ items: [], total: 0 }),
    "GET /api/v1/restaurants/1/menu": () => json(MENU),
    "GET /api/v1/restaurants/1/orders/7/check": () => problem(404, "not-found", "Not found"),
    "GET /api/v1/restaurants/1/orders/21/check": () => problem(404, "not-found", "Not found"),
  });
}

const FLOOR = floorOf([
  tableOf({ id: 1, name: "1", seats: 2 }),
  seated({ id: 4, name: "4", service_state: "in_kitchen", lines_in_kitchen: 1 }),
  tableOf({ id: 9, name: "9", seats: 6, area_id: 2 }),
]);

describe("the floor", () => {
  it("shows each area with its tables, their state as text, covers and subtotal", async () => {
    const twelveMinutesAgo = new Date(Date.now() - 12 * 60_000 - 5_000).toISOString();
    const floor = floorOf(FLOOR.tables.map((t) => (t.id === 4 ? { ...t, seated_at: twelveMinutesAgo } : t)));
    renderApp({ path: "/r/1/floor", server: floorServer(floor), tokens: signedInTokens() });
    const dining = await screen.findByRole("region", { name: "Dining room" });
    const terrace = screen.getByRole("region", { name: "Terrace" });
    const four = within(dining).getByRole("button", { name: "Table 4, In kitchen" });
    expect(four).toHaveAccessibleDescription("2 covers · seated 12 min · $34.50");
    expect(within(four).getByText("In kitchen")).toBeInTheDocument();
    expect(within(dining).getByRole("button", { name: "Table 1, Free" })).toHaveAccessibleDescription("2 seats");
    expect(within(terrace).getByRole("button", { name: "Table 9, Free" })).toBeInTheDocument();
    expect(screen.getByText("1 of 3 tables seated")).toBeInTheDocument();
  });

  it("seats a free table as a draft: nothing on the server until the first send creates it once, with its lines", async () => {
    const server = floorServer(FLOOR);
    const backend = fakeOrderBackend(server, orderOf({ id: 7, table_id: 1, covers: 3, items: [] }));
    const keys: (string | null)[] = [];
    let attempts = 0;
    server.on("POST /api/v1/restaurants/1/orders", (request) => {
      keys.push(request.headers.get("Idempotency-Key"));
      attempts += 1;
      if (attempts === 1) throw new TypeError("Failed to fetch"); // a flaky connection: retried with the same key
      backend.order.items = [itemOf({ id: 1 })];
      return json(backend.order, 201);
    });
    const { router } = renderApp({ path: "/r/1/floor", server, tokens: signedInTokens() });
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: "Table 1, Free" }));
    const dialog = screen.getByRole("dialog", { name: "Seat Table 1" });
    const covers = within(dialog).getByLabelText("Covers");
    expect(covers).toHaveValue(2);
    expect(covers).toHaveFocus(); // Enter opens the order
    await user.click(within(dialog).getByRole("button", { name: "Plus one" }));
    expect(covers).toHaveValue(3);
    await user.type(covers, "{Enter}");

    await waitFor(() => expect(router.state.location.pathname).toBe("/r/1/orders/new"));
    expect(router.state.location.search).toBe("?table=1&covers=3");
    expect(await screen.findByRole("heading", { name: "Table 1" })).toBeInTheDocument();
    expect(server.calls("POST /api/v1/restaurants/1/orders")).toHaveLength(0);

    await user.click(await screen.findByRole("button", { name: "The Brie Carre Pizza" }));
    await user.click(screen.getByRole("button", { name: "Send" }));
    await waitFor(() => expect(router.state.location.pathname).toBe("/r/1/orders/7"), { timeout: 3000 });
    const bodies = server.calls("POST /api/v1/restaurants/1/orders").map((r) => r.body as Record<string, unknown>);
    expect(bodies).toHaveLength(2);
    expect(bodies[1]).toEqual(bodies[0]);
    expect(bodies[0]).toMatchObject({ kind: "dine_in", table_id: 1, covers: 3, items: [{ menu_item_id: 2, quantity: 1, course: 1 }] });
    expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(keys[1]).toBe(keys[0]);
    await waitFor(() => expect(backend.order.items[0]?.status).toBe("fired")); // then sent
  });

  it("leaving a draft table creates nothing; tapping it again on this device reopens the draft", async () => {
    const server = floorServer(FLOOR);
    const { router } = renderApp({ path: "/r/1/floor", server, tokens: signedInTokens() });
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: "Table 1, Free" }));
    await user.click(within(screen.getByRole("dialog", { name: "Seat Table 1" })).getByRole("button", { name: "Open order" }));
    await user.click(await screen.findByRole("button", { name: "The Brie Carre Pizza" }));
    await user.click(screen.getByRole("link", { name: "Back to floor" }));
    await user.click(await screen.findByRole("button", { name: "Table 1, Free" }));
    expect(router.state.location.pathname).toBe("/r/1/orders/new");
    expect(await screen.findByText("1 × The Brie Carre Pizza (Small)")).toBeInTheDocument();
    expect(server.calls("POST /api/v1/restaurants/1/orders")).toHaveLength(0);
    await user.click(screen.getByRole("button", { name: "Discard order" }));
    expect(router.state.location.pathname).toBe("/r/1/floor");
    expect(Object.keys(localStorage).filter((k) => k.startsWith("brigade.orderpad.draft"))).toEqual([]);
  });

  it("refuses covers out of range", async () => {
    const server = floorServer(FLOOR);
    renderApp({ path: "/r/1/floor", server, tokens: signedInTokens() });
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: "Table 1, Free" }));
    const dialog = screen.getByRole("dialog", { name: "Seat Table 1" });
    await user.clear(within(dialog).getByLabelText("Covers"));
    await user.type(within(dialog).getByLabelText("Covers"), "0");
    expect(within(dialog).getByRole("button", { name: "Open order" })).toBeDisabled();
    expect(within(dialog).getByText("Covers must be a whole number from 1 to 999.")).toBeInTheDocument();
  });

  it("opens an occupied table's order pad", async () => {
    const server = floorServer(FLOOR);
    server.on("GET /api/v1/restaurants/1/orders/21", () => json(orderOf({ id: 21, table_id: 4 })));
    const { router } = renderApp({ path: "/r/1/floor", server, tokens: signedInTokens() });
    await userEvent.setup().click(await screen.findByRole("button", { name: "Table 4, In kitchen" }));
    expect(router.state.location.pathname).toBe("/r/1/orders/21");
  });

  it("opens a takeaway as a draft on this device", async () => {
    const server = floorServer(FLOOR);
    const { router } = renderApp({ path: "/r/1/floor", server, tokens: signedInTokens() });
    await userEvent.setup().click(await screen.findByRole("button", { name: "Takeaway" }));
    await waitFor(() => expect(router.state.location.pathname).toBe("/r/1/orders/new"));
    expect(router.state.location.search).toBe("?kind=takeaway");
    expect(await screen.findByRole("heading", { name: "Takeaway" })).toBeInTheDocument();
    expect(server.calls("POST /api/v1/restaurants/1/orders")).toHaveLength(0);
  });

  it("follows the kitchen live: a ticket event refetches the floor and the tile changes state", async () => {
    let floor = FLOOR;
    const server = floorServer(FLOOR);
    server.on("GET /api/v1/restaurants/1/floor", () => json(floor));
    const { sockets } = renderApp({ path: "/r/1/floor", server, tokens: signedInTokens() });
    await screen.findByRole("button", { name: "Table 4, In kitchen" });
    await waitFor(() => expect(sockets).toHaveLength(1));
    const socket = sockets[0]!;
    act(() => socket.connectOk({ last_seq: 10, replayed: 0 }));

    floor = floorOf([
      tableOf({ id: 1, name: "1", seats: 2 }),
      seated({ id: 4, name: "4", service_state: "ready", lines_ready: 1 }),
      tableOf({ id: 9, name: "9", seats: 6, area_id: 2 }),
    ]);
    act(() =>
      socket.emitEvent(
        envelope(11, "ticket.bumped", {
          ticket: { id: 3, version: 4, order_id: 21, station: "oven", status: "bumped", items: [] },
        }),
      ),
    );
    expect(await screen.findByRole("button", { name: "Table 4, Ready to serve" }, { timeout: 2000 })).toBeInTheDocument();
  });
});
