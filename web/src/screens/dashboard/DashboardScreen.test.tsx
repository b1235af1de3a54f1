import { act, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { fakeServer, json, me, problem, type FakeServer } from "../../test/fakeServer";
import { envelope } from "../../test/fakeSocket";
import { renderApp, signedInTokens } from "../../test/render";
import type { PrepTimesReport, ProductReport, SalesReport, TodayFigures } from "./queries";

const R = "/api/v1/restaurants/1/reports";

function figures(extra: Partial<TodayFigures> = {}): TodayFigures {
  return {
    business_date: "2026-12-03",
    as_of: "2026-12-03T19:00:00Z",
    currency: "USD",
    net_sales: 27500,
    orders: 2,
    average_check: 13750,
    covers: 7,
    open_checks: 1,
    open_sales: 650,
    tickets_open: 2,
    tickets_late: 0,
    next_late_at: null,
    stations: [
      { station: "grill", target_seconds: 900, tickets_open: 1, tickets_late: 0 },
      { station: "bar", target_seconds: 900, tickets_open: 1, tickets_late: 0 },
    ],
    ...extra,
  };
}

function products(start: string, end: string): ProductReport {
  return {
    start_date: start,
    end_date: end,
    currency: "USD",
    sort: "revenue",
    items: [
      { menu_item_id: 1, name: "Margherita", category: "Classic", quantity: 10, net_sales: 15000 },
      { menu_item_id: 2, name: "Cola", category: "Drinks", quantity: 20, net_sales: 6000 },
    ],
    total: 2,
  };
}

type Groups = NonNullable<SalesReport["groups"]>;

const GROUPS: Record<string, Groups> = {
  day: [
    { key: "2026-11-28", label: "2026-11-28", orders: 3, items_sold: 5, net_sales: 9000 },
    { key: "2026-12-03", label: "2026-12-03", orders: 2, items_sold: 3, net_sales: 27500 },
  ],
  hour: [
    { key: 12, label: "12", orders: 2, items_sold: 3, net_sales: 20000 },
    { key: 19, label: "19", orders: 3, items_sold: 5, net_sales: 16500 },
  ],
  category: [
    { key: 1, label: "Classic", orders: 4, items_sold: 6, net_sales: 27000 },
    { key: 2, label: "Drinks", orders: 3, items_sold: 2, net_sales: 9000 },
  ],
  size: [],
  payment_method: [
    { key: "card", label: "card", orders: 4, items_sold: 7, net_sales: 30000 },
    { key: "cash", label: "cash", orders: 1, items_sold: 1, net_sales: 6500 },
  ],
};

function sales(url: URL): SalesReport {
  const groupBy = url.searchParams.get("group_by") ?? "day";
  return {
    start_date: url.searchParams.get("start_date") ?? "",
    end_date: url.searchParams.get("end_date") ?? "",
    currency: "USD",
    orders: 5,
    items_sold: 8,
    net_sales: 36500,
    tax: 0,
    average_order_value: 7300,
    group_by: groupBy as SalesReport["group_by"],
    groups: GROUPS[groupBy] ?? [],
  };
}

const PREP: PrepTimesReport["prep_times"] = [
  { key: "oven", label: "oven", station: "oven", lines: 12, average_seconds: 750, longest_seconds: 1300, target_seconds: 900, over_target: 2 },
  { key: "bar", label: "bar", station: "bar", lines: 1, average_seconds: 45, longest_seconds: 45, target_seconds: 900, over_target: 0 },
];

interface Backend {
  server: FakeServer;
  today: TodayFigures;
}

function backend(role = "manager"): Backend {
  const state: Backend = { server: fakeServer(), today: figures() };
  state.server.on("GET /api/v1/auth/me", () => json(me(role)));
  state.server.on(`GET ${R}/today`, () => json(state.today));
  state.server.on(`GET ${R}/products`, (request) => {
    const url = new URL(request.url);
    return json(products(url.searchParams.get("start_date") ?? "", url.searchParams.get("end_date") ?? ""));
  });
  state.server.on(`GET ${R}/sales`, (request) => json(sales(new URL(request.url))));
  state.server.on(`GET ${R}/prep-times`, (request) => {
    const url = new URL(request.url);
    const body: PrepTimesReport = {
      start_date: url.searchParams.get("start_date") ?? "",
      end_date: url.searchParams.get("end_date") ?? "",
      by: "station",
      prep_times: PREP,
    };
    return json(body);
  });
  return state;
}

function tile(name: string): HTMLElement {
  return screen.getByRole("region", { name });
}

describe("dashboard", () => {
  it("shows today's sales, covers, open checks and tickets late, with the stations", async () => {
    const state = backend();
    renderApp({ path: "/r/1/dashboard", server: state.server, tokens: signedInTokens() });
    expect(await screen.findByRole("heading", { name: "Today" })).toBeInTheDocument();
    expect(within(tile("Sales")).getByText("$275.00")).toBeInTheDocument();
    expect(within(tile("Sales")).getByText("2 paid orders · average $137.50")).toBeInTheDocument();
    expect(within(tile("Covers")).getByText("7")).toBeInTheDocument();
    expect(within(tile("Open checks")).getByText("$6.50 still to pay")).toBeInTheDocument();
    expect(within(tile("Tickets late")).getByText("0")).toBeInTheDocument();
    const stations = within(screen.getByRole("list", { name: "Kitchen stations" })).getAllByRole("listitem");
    expect(stations.map((s) => s.textContent)).toEqual(["grill0 late of 1 · target 15 min", "bar0 late of 1 · target 15 min"]);
    expect(screen.getByRole("link", { name: "Dashboard" })).toHaveAttribute("href", "/r/1/dashboard");
  });

  it("follows service live: an order or a payment event reads today's figures again", async () => {
    const state = backend();
    const { sockets } = renderApp({ path: "/r/1/dashboard", server: state.server, tokens: signedInTokens() });
    await screen.findByRole("heading", { name: "Today" });
    await waitFor(() => expect(sockets).toHaveLength(1));
    const socket = sockets[0]!;
    act(() => socket.connectOk({ last_seq: 10, replayed: 0 }));
    await waitFor(() => expect(screen.getByText(/· live$/)).toBeInTheDocument());
    const reads = () => state.server.calls(`GET ${R}/today`).length;
    await waitFor(() => expect(reads()).toBeGreaterThanOrEqual(2)); // the first `ready` refreshes what was fetched before
    const before = reads();

    state.today = figures({ open_checks: 2, open_sales: 2450, covers: 9 });
    act(() =>
      socket.emitEvent(envelope(11, "order.created", { order: { id: 30, version: 1, status: "open", items: [] } })),
    );
    await waitFor(() => expect(within(tile("Open checks")).getByText("2")).toBeInTheDocument());
    expect(within(tile("Covers")).getByText("9")).toBeInTheDocument();
    expect(reads()).toBe(before + 1);

    state.today = figures({ net_sales: 45500, orders: 3, average_check: 15167, open_checks: 1, covers: 9 });
    act(() => socket.emitEvent(envelope(12, "check.paid", { check: { id: 5, version: 3, order_id: 30, status: "paid" } })));
    await waitFor(() => expect(within(tile("Sales")).getByText("$455.00")).toBeInTheDocument());

    // an event that does not move today's figures reads nothing
    const settled = reads();
    act(() => socket.emitEvent(envelope(13, "menu.updated", { entity: "item", action: "updated", id: 1 })));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(reads()).toBe(settled);
  });

  it("reads today again when the next ticket turns late, without any event", async () => {
    const state = backend();
    state.today = figures({ next_late_at: new Date(Date.now() + 50).toISOString() });
    renderApp({ path: "/r/1/dashboard", server: state.server, tokens: signedInTokens() });
    await screen.findByRole("heading", { name: "Today" });
    state.today = figures({
      tickets_late: 1,
      stations: [{ station: "grill", target_seconds: 900, tickets_open: 1, tickets_late: 1 }],
    });
    await waitFor(() => expect(within(tile("Tickets late")).getByText("1")).toBeInTheDocument(), { timeout: 3000 });
    expect(screen.getByText("1 late of 1 · target 15 min").closest("li")).toHaveClass("dashboard-alert");
  });

  it("reads the best sellers of the chosen range, anchored on the restaurant's date", async () => {
    const user = userEvent.setup();
    const state = backend();
    renderApp({ path: "/r/1/dashboard", server: state.server, tokens: signedInTokens() });
    expect(await screen.findByRole("heading", { name: "Sales from 2026-11-27 to 2026-12-03" })).toBeInTheDocument();
    const top = screen.getByRole("figure", { name: "Top sellers" });
    await waitFor(() => expect(within(top).getByRole("table", { name: "Top sellers by net sales" })).toBeInTheDocument());
    expect(within(top).getAllByRole("row").map((r) => r.textContent)).toEqual(["Margherita$150.00", "Cola$60.00"]);

    await user.click(screen.getByRole("button", { name: "This month" }));
    expect(screen.getByRole("heading", { name: "Sales from 2026-12-01 to 2026-12-03" })).toBeInTheDocument();
    await waitFor(() =>
      expect(state.server.calls(`GET ${R}/products`).map((c) => new URL(c.url).searchParams.get("start_date"))).toContain(
        "2026-12-01",
      ),
    );

    await user.clear(screen.getByLabelText("From"));
    await user.type(screen.getByLabelText("From"), "2026-12-05");
    await user.click(screen.getByRole("button", { name: "Show" }));
    expect(screen.getByRole("alert")).toHaveTextContent("The first date must be on or before the last.");
    expect(screen.getByRole("heading", { name: "Sales from 2026-12-01 to 2026-12-03" })).toBeInTheDocument();

    await user.clear(screen.getByLabelText("From"));
    await user.type(screen.getByLabelText("From"), "2026-11-02");
    await user.click(screen.getByRole("button", { name: "Show" }));
    expect(screen.getByRole("heading", { name: "Sales from 2026-11-02 to 2026-12-03" })).toBeInTheDocument();
    expect(screen.queryByRole("alert")).not.toBeInTheDocument();
  });

  it("charts the range's sales by day and hour, the mixes and the prep times per station", async () => {
    const state = backend();
    renderApp({ path: "/r/1/dashboard", server: state.server, tokens: signedInTokens() });
    const rows = async (figure: string) => {
      const card = await screen.findByRole("figure", { name: figure });
      await waitFor(() => expect(within(card).getByRole("table")).toBeInTheDocument());
      return within(card)
        .getAllByRole("row")
        .map((r) => r.textContent);
    };
    // every day of the 7 days, the quiet ones at zero
    expect(await rows("Sales by day")).toEqual([
      "Fri 27$0.00",
      "Sat 28$90.00",
      "Sun 29$0.00",
      "Mon 30$0.00",
      "Tue 1$0.00",
      "Wed 2$0.00",
      "Thu 3$275.00",
    ]);
    expect(await rows("Sales by hour")).toHaveLength(8); // 12:00 to 19:00
    expect(await rows("Category mix")).toEqual(["Classic$270.00" + "75%", "Drinks$90.00" + "25%"]);
    expect(await rows("Payment methods")).toEqual(["Card$300.00" + "82.2%", "Cash$65.00" + "17.8%"]);
    expect(await rows("Prep times")).toEqual([
      "bar45 s on average over 1 line, 0 over the 15 min target",
      "oven12 min 30 s on average over 12 lines, 2 over the 15 min target",
    ]);
    const sizes = screen.getByRole("figure", { name: "Size mix" });
    expect(await within(sizes).findByText("No sales in this range.")).toBeInTheDocument();
    const asked = state.server.calls(`GET ${R}/sales`).map((c) => new URL(c.url).searchParams.get("group_by"));
    expect(new Set(asked)).toEqual(new Set(["day", "hour", "category", "size", "payment_method"]));
  });

  it("reads the range's reports again when an order of today closes", async () => {
    const state = backend();
    const { sockets } = renderApp({ path: "/r/1/dashboard", server: state.server, tokens: signedInTokens() });
    await screen.findByRole("figure", { name: "Sales by day" });
    await waitFor(() => expect(sockets).toHaveLength(1));
    const socket = sockets[0]!;
    act(() => socket.connectOk({ last_seq: 10, replayed: 0 }));
    const byDay = () => state.server.calls(`GET ${R}/sales`).filter((c) => c.url.includes("group_by=day")).length;
    await waitFor(() => expect(byDay()).toBeGreaterThanOrEqual(2)); // after the first `ready`
    const before = byDay();
    act(() => socket.emitEvent(envelope(11, "order.sent", { order: { id: 30, version: 2, status: "open", items: [] } })));
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(byDay()).toBe(before); // a sent order is no sale yet
    act(() => socket.emitEvent(envelope(12, "order.closed", { order: { id: 30, version: 3, status: "closed", items: [] } })));
    await waitFor(() => expect(byDay()).toBe(before + 1));
  });

  it("says why when today's figures cannot be read", async () => {
    const state = backend();
    state.server.on(`GET ${R}/today`, () =>
      problem(403, "permission-denied", "Permission denied", { detail: "reports:read is required" }),
    );
    renderApp({ path: "/r/1/dashboard", server: state.server, tokens: signedInTokens() });
    expect(await screen.findByRole("alert")).toHaveTextContent("reports:read is required");
  });

  it("is not offered to a waiter", async () => {
    const state = backend("waiter");
    state.server.on("GET /api/v1/restaurants/1/floor", () => json({ areas: [], tables: [] }));
    state.server.on("GET /api/v1/restaurants/1/orders", () => json({ items: [], total: 0 }));
    renderApp({ path: "/r/1/dashboard", server: state.server, tokens: signedInTokens() });
    await waitFor(() => expect(screen.queryByText("Loading the dashboard…")).not.toBeInTheDocument());
    await waitFor(() => expect(screen.getByRole("navigation", { name: "Screens" })).toBeInTheDocument());
    expect(screen.queryByRole("link", { name: "Dashboard" })).not.toBeInTheDocument();
    expect(screen.queryByRole("heading", { name: "Today" })).not.toBeInTheDocument();
    expect(state.server.calls(`GET ${R}/today`)).toHaveLength(0);
  });
});
