/**
 * Test fixtures of the waiter screens: a small menu with the demo's modifier groups, and
 * a fake order backend that keeps one order's lines and version the way the server does
 * (add, send, fire, void, serve with version checks), so tests can drop answers, fail
 * requests and look at what the "kitchen" got.
 */
import { json, problem, type FakeServer, type Handler } from "../../test/fakeServer";
import type { Floor, FloorTable } from "../floor/queries";
import type { MenuEntry, MenuRead, OrderItemRead, OrderLineCreate, OrderRead } from "./types";

const TOPPINGS = {
  id: 1,
  name: "Extra toppings",
  min_choices: 0,
  max_choices: 3,
  modifiers: [
    { id: 1, name: "Extra cheese", label: "Extra cheese", price_delta: 0, is_available: true },
    { id: 2, name: "Pepperoni", label: "Pepperoni", price_delta: 150, is_available: true },
    { id: 3, name: "Mushrooms", label: "Mushrooms", price_delta: 0, is_available: true },
    { id: 4, name: "Jalapeños", label: "Jalapeños", price_delta: 100, is_available: true },
  ],
};

const CRUST = {
  id: 2,
  name: "Crust",
  min_choices: 1,
  max_choices: 1,
  modifiers: [
    { id: 5, name: "Thin crust", label: "Thin crust", price_delta: 0, is_available: true },
    { id: 6, name: "Gluten-free crust", label: "Gluten-free crust", price_delta: 250, is_available: true },
  ],
};

export const BBQ: MenuEntry = {
  id: 1,
  name: "The Barbecue Chicken Pizza",
  description: "Barbecued chicken, peppers, onions",
  ingredients: [],
  station: "oven",
  is_available: true,
  position: 0,
  variations: [
    { id: 1, name: "Small", sku: "bbq_s", price: 1275, is_available: true },
    { id: 2, name: "Medium", sku: "bbq_m", price: 1675, is_available: true },
    { id: 3, name: "Large", sku: "bbq_l", price: 2075, is_available: true },
  ],
  modifier_groups: [TOPPINGS, CRUST],
};

export const BRIE: MenuEntry = {
  id: 2,
  name: "The Brie Carre Pizza",
  description: "",
  ingredients: [],
  station: "oven",
  is_available: true,
  position: 1,
  variations: [{ id: 4, name: "Small", sku: "brie_s", price: 2365, is_available: true }],
  modifier_groups: [],
};

export const SODA: MenuEntry = {
  id: 3,
  name: "Lemon Soda",
  description: "",
  ingredients: [],
  station: "bar",
  is_available: false,
  position: 0,
  variations: [{ id: 5, name: "Glass", sku: "soda", price: 350, is_available: true }],
  modifier_groups: [],
};

export const MENU: MenuRead = {
  restaurant_id: 1,
  currency: "USD",
  categories: [
    { id: 1, name: "Pizzas", position: 0, items: [BBQ, BRIE] },
    { id: 2, name: "Drinks", position: 1, items: [SODA] },
  ],
};

const MENU_ITEMS = new Map(MENU.categories.flatMap((c) => c.items.map((i) => [i.id, i] as const)));

/** An order as `GET …/orders/{id}` answers it. */
export function orderOf(overrides: Partial<OrderRead> = {}): OrderRead {
  return {
    id: 7,
    restaurant_id: 1,
    kind: "dine_in",
    status: "open",
    table_id: 4,
    covers: 2,
    notes: "",
    version: 1,
    opened_at: "2026-01-01T19:00:00Z",
    sent_at: null,
    closed_at: null,
    subtotal: 0,
    currency: "USD",
    items: [],
    cancel_reason: null,
    ...overrides,
  };
}

/** A line of an order. */
export function itemOf(overrides: Partial<OrderItemRead> = {}): OrderItemRead {
  return {
    id: 1,
    menu_item_id: BRIE.id,
    variation_id: 4,
    name: BRIE.name,
    variation_name: "Small",
    sku: "brie_s",
    category_name: "Pizzas",
    unit_price: 2365,
    modifiers: [],
    modifiers_total: 0,
    quantity: 1,
    line_total: 2365,
    notes: "",
    seat: null,
    course: 1,
    station: "oven",
    status: "pending",
    void_reason: null,
    created_at: "2026-01-01T19:00:00Z",
    fired_at: null,
    voided_at: null,
    ...overrides,
  };
}

export interface FakeOrderBackend {
  /** The order as the server has it now. */
  order: OrderRead;
  /** Lines the kitchen received (one entry per fired line id, in firing order). */
  fired: number[];
  /**
   * What happens to the next requests of a route (`"items"`, `"send"`, `"fire"`,
   * `"void"`, `"serve"`, `"get"`): `"network"` (never reaches the server), `"lost"` (the
   * server does it, the answer is lost), `"500"`, `"hang"` (no answer ever), or a Response.
   */
  failNext(route: FakeRoute, ...outcomes: FakeOutcome[]): void;
  /** Forget the outcomes queued by {@link failNext}. */
  clearFailures(): void;
  /** Another device writes: the version moves on (optionally with other lines). */
  otherDeviceWrites(lines?: OrderLineCreate[]): void;
  /** The kitchen bumps fired lines to ready. */
  kitchenReady(itemIds?: number[]): void;
  /** Install `POST …/items/{item}/void` for these line ids. */
  allowVoid(itemIds: number[]): void;
}

export type FakeRoute = "items" | "send" | "fire" | "void" | "serve" | "get";
export type FakeOutcome = "network" | "lost" | "500" | "hang" | Response;

const ORDER_PATH = "/api/v1/restaurants/1/orders/";

/** Install the order routes of order `initial.id` on `server`. */
export function fakeOrderBackend(server: FakeServer, initial: OrderRead = orderOf()): FakeOrderBackend {
  const queues = new Map<FakeRoute, FakeOutcome[]>();
  let nextItemId = Math.max(100, ...initial.items.map((i) => i.id + 1));
  const backend: FakeOrderBackend = {
    order: structuredClone(initial),
    fired: [],
    failNext(route, ...outcomes) {
      queues.set(route, [...(queues.get(route) ?? []), ...outcomes]);
    },
    clearFailures() {
      queues.clear();
    },
    otherDeviceWrites(lines = []) {
      addLines(lines);
    },
    kitchenReady(itemIds) {
      for (const item of backend.order.items) {
        if ((itemIds === undefined || itemIds.includes(item.id)) && (item.status === "fired" || item.status === "preparing")) {
          item.status = "ready";
        }
      }
    },
    allowVoid() {
      throw new Error("replaced below");
    },
  };

  const subtotal = () => backend.order.items.filter((i) => i.status !== "voided").reduce((s, i) => s + i.line_total, 0);
  const bump = () => {
    backend.order.version += 1;
    backend.order.subtotal = subtotal();
  };

  function addLines(lines: OrderLineCreate[]): void {
    for (const line of lines) {
      const menuItem = MENU_ITEMS.get(line.menu_item_id);
      if (!menuItem) throw new Error(`fake backend: unknown menu item ${line.menu_item_id}`);
      const variation = menuItem.variations.find((v) => v.id === (line.variation_id ?? menuItem.variations[0]?.id));
      const modifiers = menuItem.modifier_groups
        .flatMap((g) => g.modifiers)
        .filter((m) => (line.modifier_ids ?? []).includes(m.id))
        .map((m) => ({ id: m.id, name: m.name, price_delta: m.price_delta, kind: m.kind ?? "add", label: m.label }));
      const modifiersTotal = modifiers.reduce((s, m) => s + m.price_delta, 0);
      const quantity = line.quantity ?? 1;
      backend.order.items.push(
        itemOf({
          id: nextItemId++,
          menu_item_id: menuItem.id,
          variation_id: variation?.id ?? null,
          name: menuItem.name,
          variation_name: variation?.name ?? "",
          unit_price: variation?.price ?? 0,
          modifiers,
          modifiers_total: modifiersTotal,
          quantity,
          line_total: quantity * ((variation?.price ?? 0) + modifiersTotal),
          notes: line.notes ?? "",
          seat: line.seat ?? null,
          course: line.course ?? 1,
        }),
      );
    }
    bump();
  }

  const stale = () =>
    new Response(
      JSON.stringify({
        type: "https://brigade.dev/problems/stale-version",
        title: "Stale version",
        status: 409,
        detail: `order is at version ${backend.order.version}`,
        current_version: backend.order.version,
      }),
      { status: 409, headers: { "content-type": "application/problem+json" } },
    );

  /** Run `apply` under the route's next outcome. */
  const route =
    (name: FakeRoute, apply: (request: Request, body: Record<string, unknown>) => Response): Handler =>
    async (request) => {
      const outcome = queues.get(name)?.shift();
      if (outcome === "network") throw new TypeError("Failed to fetch");
      if (outcome === "500") return problem(500, "internal-error", "Internal Server Error");
      if (outcome === "hang") return new Promise<Response>(() => undefined);
      if (outcome instanceof Response) return outcome;
      const text = await request.text();
      const body = (text ? JSON.parse(text) : {}) as Record<string, unknown>;
      if (name !== "get" && backend.order.status !== "open") return problem(409, "order-closed", "Order closed");
      if (typeof body.version === "number" && body.version !== backend.order.version) return stale();
      const response = apply(request, body);
      if (outcome === "lost") throw new TypeError("Failed to fetch");
      return response;
    };

  const fire = (lo: number, hi: number): Response => {
    const lines = backend.order.items.filter((i) => i.status === "pending" && i.course >= lo && i.course <= hi);
    if (lines.length === 0) return problem(409, "nothing-to-fire", "Nothing to fire", { detail: "no pending line" });
    for (const line of lines) {
      line.status = "fired";
      line.fired_at = "2026-01-01T19:05:00Z";
      backend.fired.push(line.id);
    }
    backend.order.sent_at ??= "2026-01-01T19:05:00Z";
    bump();
    return json(backend.order);
  };

  const id = initial.id;
  server.on(`GET ${ORDER_PATH}${id}`, route("get", () => json(backend.order)));
  server.on(
    `POST ${ORDER_PATH}${id}/items`,
    route("items", (_request, body) => {
      addLines(body.items as OrderLineCreate[]);
      return json(backend.order);
    }),
  );
  server.on(
    `POST ${ORDER_PATH}${id}/send`,
    route("send", () => {
      const highest = Math.max(1, ...backend.order.items.filter((i) => i.fired_at !== null).map((i) => i.course));
      return fire(1, highest);
    }),
  );
  for (let course = 1; course <= 9; course += 1) {
    server.on(`POST ${ORDER_PATH}${id}/courses/${course}/fire`, route("fire", () => fire(course, course)));
  }
  server.on(
    `POST ${ORDER_PATH}${id}/serve`,
    route("serve", (_request, body) => {
      const ids = body.order_item_ids as number[] | undefined;
      const ready = backend.order.items.filter((i) => i.status === "ready" && (ids === undefined || ids.includes(i.id)));
      if (ready.length === 0) return problem(409, "nothing-to-serve", "Nothing to serve");
      for (const line of ready) line.status = "served";
      bump();
      return json(backend.order);
    }),
  );
  backend.allowVoid = (itemIds) => {
    for (const itemId of itemIds) {
      server.on(
        `POST ${ORDER_PATH}${id}/items/${itemId}/void`,
        route("void", (_request, body) => {
          const line = backend.order.items.find((i) => i.id === itemId);
          if (!line) return problem(404, "not-found", "Not found", { detail: `line ${itemId} not found` });
          if (line.status === "voided") return problem(409, "item-already-voided", "Line already voided");
          line.status = "voided";
          line.void_reason = String(body.reason);
          bump();
          return json(backend.order);
        }),
      );
    }
  };
  return backend;
}


/** A floor table; free unless overridden. */
export function tableOf(overrides: Partial<FloorTable> = {}): FloorTable {
  return {
    id: 4,
    area_id: 1,
    name: "4",
    seats: 4,
    status: "free",
    current_order_id: null,
    seated_at: null,
    version: 1,
    position: 4,
    service_state: "free",
    order_id: null,
    order_version: null,
    covers: null,
    order_subtotal: null,
    currency: "USD",
    check_id: null,
    lines_pending: 0,
    lines_in_kitchen: 0,
    lines_ready: 0,
    waiter_id: null,
    plan_x: null,
    plan_y: null,
    plan_width: 80,
    plan_height: 80,
    shape: "square",
    waiter_name: null,
    opened_by: null,
    opened_by_name: null,
    held_course: null,
    last_fired_at: null,
    next_fire_course: null,
    next_fire_at: null,
    ...overrides,
  };
}

/** `GET …/floor` with a dining room and a terrace. */
export function floorOf(tables: FloorTable[]): Floor {
  return {
    areas: [
      { id: 1, name: "Dining room", position: 0 },
      { id: 2, name: "Terrace", position: 1 },
    ],
    tables,
  };
}
