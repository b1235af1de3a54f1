/**
 * TanStack Query keys of every server resource, in one place, so the realtime cache
 * integration (`realtime/cacheSync.ts`) and the screens agree on them. Everything of a
 * restaurant starts with `["r", restaurantId]`; sign-out clears the whole cache.
 *
 * | key | holds |
 * | --- | --- |
 * | `["auth", "me"]` | `MeRead` |
 * | `["r", rid, "restaurant"]` | `RestaurantRead` |
 * | `["r", rid, "floor"]` | the floor with each table's service state |
 * | `["r", rid, "tables"]` | `TableList` of every table (filtered lists add a 4th part) |
 * | `["r", rid, "orders", id]` | `OrderRead` |
 * | `["r", rid, "orders", "list", filters]` | `OrderList` |
 * | `["r", rid, "tickets", station]` | `TicketList` of the **open** tickets of `station` (`null`: every station, expo) |
 * | `["r", rid, "tickets", station, filters]` | other ticket lists (`status=all`, pages) |
 * | `["r", rid, "checks", id]` | `CheckRead` |
 * | `["r", rid, "checks", "order", orderId]` | the `CheckRead` of an order |
 * | `["r", rid, "checks", "list", filters]` | `CheckList` |
 * | `["r", rid, "menu"]` | `MenuRead` (the whole menu); admin lists add parts |
 * | `["r", rid, "staff"]`, `["r", rid, "api-tokens"]` | admin lists |
 * | `["r", rid, "inventory", …]` | the Stock screen's ingredients and reorder list |
 * | `["r", rid, "reports", "today"]` | `TodayFigures`: the dashboard's figures of the day so far |
 * | `["r", rid, "reports", name, filters]` | a report over a range (`sales`, `products`, …) |
 * | `["guest", token]` | the guest menu of a table token |
 */
import { queryOptions } from "@tanstack/react-query";

import type { ApiClient } from "./client";
import { unwrap } from "./client";

export type Filters = Readonly<Record<string, string | number | boolean | null | undefined>>;

export const queryKeys = {
  me: () => ["auth", "me"] as const,
  restaurantAll: (rid: number) => ["r", rid] as const,
  restaurant: (rid: number) => ["r", rid, "restaurant"] as const,
  floor: (rid: number) => ["r", rid, "floor"] as const,
  tables: (rid: number) => ["r", rid, "tables"] as const,
  tablesFiltered: (rid: number, filters: Filters) => ["r", rid, "tables", filters] as const,
  orders: (rid: number) => ["r", rid, "orders"] as const,
  order: (rid: number, orderId: number) => ["r", rid, "orders", orderId] as const,
  orderList: (rid: number, filters: Filters = {}) => ["r", rid, "orders", "list", filters] as const,
  ticketsAll: (rid: number) => ["r", rid, "tickets"] as const,
  tickets: (rid: number, station: string | null) => ["r", rid, "tickets", station] as const,
  ticketsFiltered: (rid: number, station: string | null, filters: Filters) =>
    ["r", rid, "tickets", station, filters] as const,
  checks: (rid: number) => ["r", rid, "checks"] as const,
  check: (rid: number, checkId: number) => ["r", rid, "checks", checkId] as const,
  orderCheck: (rid: number, orderId: number) => ["r", rid, "checks", "order", orderId] as const,
  checkList: (rid: number, filters: Filters = {}) => ["r", rid, "checks", "list", filters] as const,
  menu: (rid: number) => ["r", rid, "menu"] as const,
  staff: (rid: number) => ["r", rid, "staff"] as const,
  apiTokens: (rid: number) => ["r", rid, "api-tokens"] as const,
  inventory: (rid: number) => ["r", rid, "inventory"] as const,
  reports: (rid: number) => ["r", rid, "reports"] as const,
  reportsToday: (rid: number) => ["r", rid, "reports", "today"] as const,
  report: (rid: number, name: string, filters: Filters) => ["r", rid, "reports", name, filters] as const,
  guestMenu: (token: string) => ["guest", token] as const,
};

/** `GET /api/v1/auth/me`: the user and their restaurants with role. */
export function meQuery(api: ApiClient) {
  return queryOptions({
    queryKey: queryKeys.me(),
    queryFn: ({ signal }) => unwrap(api.GET("/api/v1/auth/me", { signal })),
    staleTime: 60_000,
  });
}

/** `GET /api/v1/restaurants/{rid}`: name, currency, time zone, tax. */
export function restaurantQuery(api: ApiClient, rid: number) {
  return queryOptions({
    queryKey: queryKeys.restaurant(rid),
    queryFn: ({ signal }) =>
      unwrap(api.GET("/api/v1/restaurants/{restaurant_id}", { params: { path: { restaurant_id: rid } }, signal })),
    staleTime: 5 * 60_000,
  });
}

/** `GET /api/v1/restaurants`: the restaurants the caller may open (the platform admin: all). */
export function restaurantListQuery(api: ApiClient) {
  return queryOptions({
    queryKey: ["restaurants"] as const,
    queryFn: ({ signal }) => unwrap(api.GET("/api/v1/restaurants", { signal })),
  });
}

/** `GET …/tables`: every table of the restaurant, by position. */
export function tablesQuery(api: ApiClient, rid: number) {
  return queryOptions({
    queryKey: queryKeys.tables(rid),
    queryFn: ({ signal }) =>
      unwrap(api.GET("/api/v1/restaurants/{restaurant_id}/tables", { params: { path: { restaurant_id: rid } }, signal })),
  });
}

/** `GET …/orders/{id}`: one order with its lines. */
export function orderQuery(api: ApiClient, rid: number, orderId: number) {
  return queryOptions({
    queryKey: queryKeys.order(rid, orderId),
    queryFn: ({ signal }) =>
      unwrap(
        api.GET("/api/v1/restaurants/{restaurant_id}/orders/{order_id}", {
          params: { path: { restaurant_id: rid, order_id: orderId } },
          signal,
        }),
      ),
  });
}

/** `GET …/kitchen/tickets?station=`: the open tickets of `station` (null: every station). */
export function openTicketsQuery(api: ApiClient, rid: number, station: string | null) {
  return queryOptions({
    queryKey: queryKeys.tickets(rid, station),
    queryFn: ({ signal }) =>
      unwrap(
        api.GET("/api/v1/restaurants/{restaurant_id}/kitchen/tickets", {
          params: { path: { restaurant_id: rid }, query: { status: "open", limit: 500, ...(station ? { station } : {}) } },
          signal,
        }),
      ),
  });
}

/** `GET …/menu`: the whole menu in one document. */
export function menuQuery(api: ApiClient, rid: number) {
  return queryOptions({
    queryKey: queryKeys.menu(rid),
    queryFn: ({ signal }) =>
      unwrap(api.GET("/api/v1/restaurants/{restaurant_id}/menu", { params: { path: { restaurant_id: rid } }, signal })),
  });
}
