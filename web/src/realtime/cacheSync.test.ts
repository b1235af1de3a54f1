import { QueryClient, QueryObserver } from "@tanstack/react-query";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { queryKeys } from "../api/queries";
import type { CheckRead, OrderRead, TableList, TableRead, TicketList, TicketRead } from "../api/types";
import { envelope } from "../test/fakeSocket";
import { createCacheSync, type CacheSync } from "./cacheSync";

const RID = 1;

function order(id: number, version: number, extra: Partial<OrderRead> = {}): OrderRead {
  return {
    id,
    version,
    restaurant_id: RID,
    table_id: 3,
    kind: "dine_in",
    status: "open",
    covers: 2,
    notes: "",
    currency: "USD",
    subtotal: 2500,
    items: [],
    opened_at: "2026-01-01T19:00:00Z",
    sent_at: null,
    closed_at: null,
    ...extra,
  };
}

function ticket(id: number, station: string, status: TicketRead["status"], version = 1): TicketRead {
  return {
    id,
    order_id: 10,
    station,
    course: 1,
    table_name: "T3",
    status,
    version,
    created_at: "2026-01-01T19:05:00Z",
    started_at: null,
    ready_at: null,
    bumped_at: null,
    recalled_at: null,
    added_at: null,
    items: [],
  };
}

function table(id: number, status: TableRead["status"], version: number): TableRead {
  return {
    id,
    name: `T${id}`,
    area_id: null,
    seats: 4,
    position: id,
    status,
    current_order_id: status === "occupied" ? 10 : null,
    seated_at: status === "occupied" ? "2026-01-01T19:00:00Z" : null,
    version,
    waiter_id: null,
    plan_x: null,
    plan_y: null,
    plan_width: 80,
    plan_height: 80,
    shape: "square",
  };
}

describe("realtime cache integration", () => {
  let client: QueryClient;
  let sync: CacheSync;

  beforeEach(() => {
    client = new QueryClient({ defaultOptions: { queries: { retry: false, staleTime: Infinity } } });
    sync = createCacheSync(client, { batchMs: 10 });
  });

  afterEach(() => client.clear());

  it("writes an order event's order into the order's query", () => {
    client.setQueryData(queryKeys.order(RID, 10), order(10, 1));
    sync.apply(envelope(5, "order.items.added", { order: order(10, 2, { subtotal: 4100 }), item_ids: [7] }));
    expect(client.getQueryData<OrderRead>(queryKeys.order(RID, 10))).toMatchObject({ version: 2, subtotal: 4100 });
  });

  it("never replaces newer data with an older event", () => {
    client.setQueryData(queryKeys.order(RID, 10), order(10, 5, { subtotal: 9900 }));
    sync.apply(envelope(5, "order.sent", { order: order(10, 4, { subtotal: 100 }), item_ids: [] }));
    expect(client.getQueryData<OrderRead>(queryKeys.order(RID, 10))).toMatchObject({ version: 5, subtotal: 9900 });
  });

  it("puts a new ticket on its station's and the expo's open lists, not on another station's", () => {
    const empty: TicketList = { items: [], total: 0 };
    client.setQueryData(queryKeys.tickets(RID, "grill"), empty);
    client.setQueryData(queryKeys.tickets(RID, "bar"), empty);
    client.setQueryData(queryKeys.tickets(RID, null), empty);

    sync.apply(envelope(6, "ticket.created", { action: "created", ticket: ticket(70, "grill", "new") }, "grill"));

    expect(client.getQueryData<TicketList>(queryKeys.tickets(RID, "grill"))?.items.map((t) => t.id)).toEqual([70]);
    expect(client.getQueryData<TicketList>(queryKeys.tickets(RID, null))?.items.map((t) => t.id)).toEqual([70]);
    expect(client.getQueryData<TicketList>(queryKeys.tickets(RID, "bar"))?.items).toEqual([]);
  });

  it("updates a ticket in place and takes a bumped ticket off the open lists", () => {
    const list: TicketList = { items: [ticket(70, "grill", "new"), ticket(71, "grill", "new")], total: 2 };
    client.setQueryData(queryKeys.tickets(RID, "grill"), list);

    sync.apply(envelope(7, "ticket.updated", { action: "started", ticket: ticket(70, "grill", "preparing", 2) }, "grill"));
    expect(client.getQueryData<TicketList>(queryKeys.tickets(RID, "grill"))?.items[0]?.status).toBe("preparing");

    sync.apply(envelope(8, "ticket.updated", { action: "bumped", ticket: ticket(70, "grill", "bumped", 3) }, "grill"));
    const after = client.getQueryData<TicketList>(queryKeys.tickets(RID, "grill"));
    expect(after?.items.map((t) => t.id)).toEqual([71]);
    expect(after?.total).toBe(1);
  });

  it("brings a recalled ticket back on screen", () => {
    client.setQueryData<TicketList>(queryKeys.tickets(RID, "grill"), { items: [], total: 0 });
    sync.apply(envelope(9, "ticket.updated", { action: "recalled", ticket: ticket(70, "grill", "ready", 5) }, "grill"));
    expect(client.getQueryData<TicketList>(queryKeys.tickets(RID, "grill"))?.items.map((t) => t.id)).toEqual([70]);
  });

  it("updates, adds and removes tables in the floor's table list", () => {
    client.setQueryData<TableList>(queryKeys.tables(RID), { items: [table(1, "free", 1), table(2, "free", 1)], total: 2 });
    sync.apply(envelope(10, "table.updated", { table: table(1, "occupied", 2) }));
    sync.apply(envelope(11, "table.created", { table: table(3, "free", 1) }));
    sync.apply(envelope(12, "table.deleted", { table: table(2, "free", 2) }));
    const list = client.getQueryData<TableList>(queryKeys.tables(RID));
    expect(list?.items.map((t) => [t.id, t.status])).toEqual([
      [1, "occupied"],
      [3, "free"],
    ]);
    expect(list?.total).toBe(2);
  });

  it("writes a payment's check into the check and the order's check", () => {
    const check = { id: 4, order_id: 10, version: 3, status: "paid", balance: 0 } as unknown as CheckRead;
    sync.apply(envelope(13, "payment.created", { payment: { id: 1 }, check }));
    expect(client.getQueryData(queryKeys.check(RID, 4))).toEqual(check);
    expect(client.getQueryData(queryKeys.orderCheck(RID, 10))).toEqual(check);
  });

  it("refetches what the event does not carry, once per burst", async () => {
    let floorFetches = 0;
    let menuFetches = 0;
    const floor = new QueryObserver(client, {
      queryKey: queryKeys.floor(RID),
      queryFn: () => {
        floorFetches += 1;
        return { tables: [] };
      },
    });
    const menu = new QueryObserver(client, {
      queryKey: queryKeys.menu(RID),
      queryFn: () => {
        menuFetches += 1;
        return { sections: [] };
      },
    });
    const stopFloor = floor.subscribe(() => undefined);
    const stopMenu = menu.subscribe(() => undefined);
    await vi.waitFor(() => expect(floorFetches).toBe(1));
    await vi.waitFor(() => expect(menuFetches).toBe(1));

    // a payment closes the check, frees the table and closes the order: one refetch of the floor
    sync.apply(envelope(20, "check.paid", { check: { id: 4, order_id: 10, version: 4 } }));
    sync.apply(envelope(21, "table.updated", { table: table(3, "free", 9) }));
    sync.apply(envelope(22, "order.closed", { order: order(10, 9, { status: "closed" }) }));
    await sync.flush();
    await vi.waitFor(() => expect(floorFetches).toBe(2));
    expect(menuFetches).toBe(1); // untouched

    sync.apply(envelope(23, "menu.item.availability", { menu_item_id: 5, is_available: false }));
    await vi.waitFor(() => expect(menuFetches).toBe(2));
    expect(floorFetches).toBe(2);
    stopFloor();
    stopMenu();
  });

  it("marks filtered lists stale but leaves the list it updated in place", async () => {
    client.setQueryData<TableList>(queryKeys.tables(RID), { items: [table(1, "free", 1)], total: 1 });
    client.setQueryData<TableList>(queryKeys.tablesFiltered(RID, { status: "free" }), { items: [table(1, "free", 1)], total: 1 });
    sync.apply(envelope(30, "table.updated", { table: table(1, "occupied", 2) }));
    await sync.flush();
    expect(client.getQueryState(queryKeys.tablesFiltered(RID, { status: "free" }))?.isInvalidated).toBe(true);
    expect(client.getQueryState(queryKeys.tables(RID))?.isInvalidated).toBe(false);
  });

  it("invalidates everything of the restaurant for an event type it does not know", async () => {
    client.setQueryData(queryKeys.order(RID, 10), order(10, 1));
    client.setQueryData(queryKeys.order(2, 10), order(10, 1));
    sync.apply(envelope(40, "loyalty.points.added", { points: 3 }));
    await sync.flush();
    expect(client.getQueryState(queryKeys.order(RID, 10))?.isInvalidated).toBe(true);
    expect(client.getQueryState(queryKeys.order(2, 10))?.isInvalidated).toBe(false); // another restaurant
  });
});
