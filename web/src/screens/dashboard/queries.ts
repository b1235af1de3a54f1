/**
 * The dashboard's queries. Keys come from the shared factory (`api/queries.ts`): the
 * realtime cache integration reads today's figures again on every `order.*`,
 * `ticket.*`, `check.*` and `payment.*` event, and the reports over a range on
 * `order.closed` (`realtime/cacheSync.ts`). Each report query asks for JSON.
 */
import { queryOptions } from "@tanstack/react-query";

import type { ApiClient } from "../../api/client";
import { unwrap } from "../../api/client";
import { queryKeys } from "../../api/queries";
import type { components } from "../../api/schema";
import type { DateRange } from "./dashboardLogic";

export type TodayFigures = components["schemas"]["TodayFigures"];
export type StationToday = components["schemas"]["StationToday"];
export type ProductReport = components["schemas"]["ProductReport"];
export type SalesReport = components["schemas"]["SalesReport"];
export type SalesGroupBy = components["schemas"]["SalesGroupBy"];
export type PrepTimesReport = components["schemas"]["PrepTimesReport"];
export type PrepTime = components["schemas"]["PrepTime"];

const R = "/api/v1/restaurants/{restaurant_id}/reports";

/**
 * A report's JSON answer. The reports also answer `text/csv` (`format=csv`), which the
 * dashboard never asks for; a string here is a server that ignored `Accept`.
 */
function json<T extends object>(data: T | string): T {
  if (typeof data === "string") throw new TypeError("the report came as CSV, not JSON");
  return data;
}

/** `GET …/reports/today`: today's figures so far. */
export function todayQuery(api: ApiClient, rid: number) {
  return queryOptions({
    queryKey: queryKeys.reportsToday(rid),
    queryFn: ({ signal }) => unwrap(api.GET(`${R}/today`, { params: { path: { restaurant_id: rid } }, signal })),
  });
}

/** `GET …/reports/products?sort=revenue&limit=`: the best sellers of the range by net sales. */
export function topSellersQuery(api: ApiClient, rid: number, range: DateRange, limit = 10) {
  const query = { start_date: range.start, end_date: range.end, sort: "revenue" as const, limit };
  return queryOptions({
    queryKey: queryKeys.report(rid, "products", query),
    queryFn: async ({ signal }) =>
      json(await unwrap(api.GET(`${R}/products`, { params: { path: { restaurant_id: rid }, query }, signal }))),
  });
}

/** `GET …/reports/sales?group_by=`: the range's sales split by `groupBy` (hour, day, category, size, …). */
export function salesGroupsQuery(api: ApiClient, rid: number, range: DateRange, groupBy: SalesGroupBy) {
  const query = { start_date: range.start, end_date: range.end, group_by: groupBy };
  return queryOptions({
    queryKey: queryKeys.report(rid, "sales", query),
    queryFn: async ({ signal }) =>
      json(await unwrap(api.GET(`${R}/sales`, { params: { path: { restaurant_id: rid }, query }, signal }))),
  });
}

/** `GET …/reports/prep-times?by=station`: fire → ready per station against its target. */
export function prepTimesQuery(api: ApiClient, rid: number, range: DateRange) {
  const query = { start_date: range.start, end_date: range.end, by: "station" as const };
  return queryOptions({
    queryKey: queryKeys.report(rid, "prep-times", query),
    queryFn: async ({ signal }) =>
      json(await unwrap(api.GET(`${R}/prep-times`, { params: { path: { restaurant_id: rid }, query }, signal }))),
  });
}
