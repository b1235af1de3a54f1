/**
 * The dashboard's queries. Keys come from the shared factory (`api/queries.ts`): the
 * realtime cache integration reads today's figures again on every `order.*`,
 * `ticket.*`, `check.*` and `payment.*` event, and the reports over a range on
 * `order.closed` (`realtime/cacheSync.ts`).
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

const R = "/api/v1/restaurants/{restaurant_id}/reports";

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
    queryFn: ({ signal }) => unwrap(api.GET(`${R}/products`, { params: { path: { restaurant_id: rid }, query }, signal })),
  });
}
