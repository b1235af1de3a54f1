/**
 * The floor's queries and the order creation the floor starts. Keys come from the
 * shared factory (`api/queries.ts`), so the realtime cache integration keeps them fresh
 * (`table.*`, `order.*`, `ticket.*`, `check.*` events invalidate the floor).
 */
import { queryOptions } from "@tanstack/react-query";

import type { ApiClient } from "../../api/client";
import { unwrap } from "../../api/client";
import type { ApiError } from "../../api/errors";
import { queryKeys } from "../../api/queries";
import type { components } from "../../api/schema";
import { isTransient } from "../order-pad/outbox";

export type Floor = components["schemas"]["Floor"];
export type FloorTable = components["schemas"]["FloorTable"];
export type AreaRead = components["schemas"]["AreaRead"];
export type OrderCreate = components["schemas"]["OrderCreate"];
export type OrderRead = components["schemas"]["OrderRead"];
export type OrderList = components["schemas"]["OrderList"];

/** `GET …/floor`: every area and table with the service state of its open order. */
export function floorQuery(api: ApiClient, rid: number) {
  return queryOptions({
    queryKey: queryKeys.floor(rid),
    queryFn: ({ signal }) =>
      unwrap(api.GET("/api/v1/restaurants/{restaurant_id}/floor", { params: { path: { restaurant_id: rid } }, signal })),
  });
}

/** `GET …/orders?status=open`: the open orders (the floor lists the takeaway ones). */
export function openOrdersQuery(api: ApiClient, rid: number) {
  return queryOptions({
    queryKey: queryKeys.orderList(rid, { status: "open" }),
    queryFn: ({ signal }) =>
      unwrap(
        api.GET("/api/v1/restaurants/{restaurant_id}/orders", {
          params: { path: { restaurant_id: rid }, query: { status: "open", limit: 200 } },
          signal,
        }),
      ),
  });
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * `POST …/orders` with `Idempotency-Key: key`, retried with the same key (and body)
 * after no answer or a 5xx, up to `attempts` times with `delaysMs` between them; a retry
 * of a create that did happen gets the first answer back, so the table is opened once.
 * Resolves to the order; rejects with the last `ApiError` (4xx at once).
 */
export async function createOrderOnce(
  api: ApiClient,
  rid: number,
  body: OrderCreate,
  key: string,
  { attempts = 4, delaysMs = [500, 1000, 2000] }: { attempts?: number; delaysMs?: number[] } = {},
): Promise<OrderRead> {
  let lastError: ApiError | undefined;
  for (let attempt = 0; attempt < attempts; attempt += 1) {
    if (attempt > 0) await sleep(delaysMs[Math.min(attempt - 1, delaysMs.length - 1)] ?? 1000);
    try {
      return await unwrap(
        api.POST("/api/v1/restaurants/{restaurant_id}/orders", {
          params: { path: { restaurant_id: rid }, header: { "Idempotency-Key": key } },
          body,
        }),
      );
    } catch (error) {
      const apiError = error as ApiError;
      if (!isTransient(apiError) || apiError.status === 401) throw apiError;
      lastError = apiError;
    }
  }
  throw lastError ?? new Error("order not created");
}
