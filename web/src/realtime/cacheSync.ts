/**
 * The default cache integration: every realtime event updates or invalidates the
 * TanStack Query keys it touches (`api/queries.ts`), so every screen shows the same
 * truth without reloading.
 *
 * - A resource carried whole by the event (`order`, `ticket`, `table`, `check`) is
 *   written into its detail key and into the lists that hold it, unless the cache
 *   already has a newer `version`.
 * - Anything whose new content the event does not carry (filtered lists, the floor,
 *   the menu) is invalidated: active queries refetch, once per burst of events
 *   (invalidations are batched for `batchMs`).
 * - The dashboard's figures of today follow every `order.*`, `ticket.*`, `check.*` and
 *   `payment.*` event; the reports over a range follow `order.closed` (a sale counted).
 */
import type { QueryClient, QueryKey } from "@tanstack/react-query";

import { queryKeys } from "../api/queries";
import type { CheckRead, OrderRead, TableList, TableRead, TicketList, TicketRead } from "../api/types";
import type { RealtimeEvent } from "./types";

interface Versioned {
  id: number;
  version: number;
}

interface ItemList<T> {
  items: T[];
  total: number;
}

export interface CacheSync {
  /** Apply one event to the cache. */
  apply(event: RealtimeEvent): void;
  /** Run the pending invalidations now (tests; otherwise they run after `batchMs`). */
  flush(): Promise<void>;
  /** Invalidate everything of the restaurant (after the first `ready`: fetched before the subscription). */
  invalidateAll(restaurantId: number): void;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

function isVersioned(value: unknown): value is Versioned {
  return isObject(value) && typeof value.id === "number" && typeof value.version === "number";
}

/** Whether `incoming` should replace `current` (same record, not older). */
function newer(current: Versioned | undefined, incoming: Versioned): boolean {
  return current === undefined || current.version <= incoming.version;
}

/** `list` with `item` replaced (by id, when not older), appended (`addIfMissing`) or removed (`remove`). */
function upsert<T extends Versioned>(
  list: ItemList<T> | undefined,
  item: T,
  { remove = false, addIfMissing = true }: { remove?: boolean; addIfMissing?: boolean } = {},
): ItemList<T> | undefined {
  if (list === undefined) return undefined;
  const index = list.items.findIndex((x) => x.id === item.id);
  if (index === -1) {
    if (remove || !addIfMissing) return list;
    return { ...list, items: [...list.items, item], total: list.total + 1 };
  }
  const current = list.items[index];
  if (current !== undefined && !newer(current, item)) return list;
  if (remove) return { ...list, items: list.items.filter((x) => x.id !== item.id), total: Math.max(0, list.total - 1) };
  const items = list.items.slice();
  items[index] = item;
  return { ...list, items };
}

/** Order events that move stock (see `brigade.inventory`): the stock screen refetches. */
const STOCK_MOVING_ORDER_EVENTS: ReadonlySet<string> = new Set(["order.sent", "order.course.fired", "order.item.voided"]);

/**
 * Build the cache integration for `queryClient`. Invalidations are batched for
 * `batchMs` (default 25 ms) so a burst (`check.paid`, `table.updated`, `order.closed`)
 * refetches each query once.
 */
export function createCacheSync(queryClient: QueryClient, { batchMs = 25 }: { batchMs?: number } = {}): CacheSync {
  const pending = new Map<string, { queryKey: QueryKey; exact: boolean; predicate?: (key: QueryKey) => boolean }>();
  let timer: ReturnType<typeof setTimeout> | undefined;

  const flush = async (): Promise<void> => {
    clearTimeout(timer);
    timer = undefined;
    const batch = [...pending.values()];
    pending.clear();
    await Promise.all(
      batch.map(({ queryKey, exact, predicate }) =>
        queryClient.invalidateQueries({
          queryKey,
          exact,
          ...(predicate ? { predicate: (query) => predicate(query.queryKey) } : {}),
        }),
      ),
    );
  };

  /** Invalidate `queryKey` (and, unless `exact`, the keys under it that `predicate` accepts). */
  const invalidate = (queryKey: QueryKey, exact = false, predicate?: (key: QueryKey) => boolean, tag = ""): void => {
    const id = JSON.stringify(queryKey) + (exact ? "!" : "") + tag;
    if (!pending.has(id)) pending.set(id, { queryKey, exact, ...(predicate ? { predicate } : {}) });
    if (timer === undefined) timer = setTimeout(() => void flush(), batchMs);
  };

  /** Only the keys deeper than `depth` (the filtered lists under a prefix, not the base list). */
  const deeperThan = (depth: number) => (key: QueryKey) => key.length > depth;

  const setDetail = <T extends Versioned>(key: QueryKey, value: T): void => {
    queryClient.setQueryData<T>(key, (current) => (current === undefined || newer(current, value) ? value : current));
  };

  const onOrder = (rid: number, order: OrderRead, type: string): void => {
    setDetail(queryKeys.order(rid, order.id), order);
    invalidate([...queryKeys.orders(rid), "list"]);
    invalidate(queryKeys.floor(rid), true);
    if (type === "order.closed" || type === "order.cancelled") invalidate(queryKeys.tables(rid));
    if (type === "order.items.added" || type === "order.item.voided") invalidate([...queryKeys.checks(rid), "order", order.id], true);
    // a closed order is a sale in every report over a range that holds today (and in today's figures)
    if (type === "order.closed") invalidate(queryKeys.reports(rid));
    else invalidate(queryKeys.reportsToday(rid), true);
  };

  const onTicket = (rid: number, ticket: TicketRead): void => {
    const open = ticket.status !== "bumped";
    for (const station of [ticket.station, null]) {
      const key = queryKeys.tickets(rid, station);
      queryClient.setQueryData<TicketList>(key, (list) => upsert(list, ticket, { remove: !open, addIfMissing: open }));
      invalidate(key, false, deeperThan(key.length), "lists");
    }
    invalidate(queryKeys.order(rid, ticket.order_id), true); // its lines changed status
    invalidate(queryKeys.floor(rid), true);
    invalidate(queryKeys.reportsToday(rid), true);
  };

  const onTable = (rid: number, table: TableRead, deleted: boolean): void => {
    const key = queryKeys.tables(rid);
    queryClient.setQueryData<TableList>(key, (list) => upsert(list, table, { remove: deleted }));
    invalidate(key, false, deeperThan(key.length), "filtered");
    invalidate(queryKeys.floor(rid), true);
  };

  const onCheck = (rid: number, check: CheckRead): void => {
    setDetail(queryKeys.check(rid, check.id), check);
    setDetail(queryKeys.orderCheck(rid, check.order_id), check);
    invalidate([...queryKeys.checks(rid), "list"]);
    invalidate(queryKeys.floor(rid), true);
    invalidate(queryKeys.reportsToday(rid), true);
  };

  const apply = (event: RealtimeEvent): void => {
    const rid = event.restaurant_id;
    const data = isObject(event.data) ? event.data : {};
    const [family] = event.type.split(".");
    switch (family) {
      case "order":
        if (isVersioned(data.order)) onOrder(rid, data.order as OrderRead, event.type);
        else invalidate(queryKeys.orders(rid));
        // firing uses stock, voiding before preparation gives it back (the Stock screen)
        if (STOCK_MOVING_ORDER_EVENTS.has(event.type)) invalidate(queryKeys.inventory(rid));
        break;
      case "ticket":
        if (isVersioned(data.ticket)) onTicket(rid, data.ticket as TicketRead);
        else invalidate(queryKeys.ticketsAll(rid));
        break;
      case "table":
        if (isVersioned(data.table)) onTable(rid, data.table as TableRead, event.type === "table.deleted");
        else invalidate(queryKeys.tables(rid));
        break;
      case "check":
      case "payment":
        if (isVersioned(data.check)) onCheck(rid, data.check as CheckRead);
        else invalidate(queryKeys.checks(rid));
        break;
      case "menu":
        invalidate(queryKeys.menu(rid));
        break;
      case "restaurant":
        invalidate(queryKeys.restaurant(rid), true);
        break;
      case "staff":
        invalidate(event.type.startsWith("staff.api_token") ? queryKeys.apiTokens(rid) : queryKeys.staff(rid));
        invalidate(queryKeys.me(), true); // a role may have changed
        break;
      case "stock":
        invalidate(queryKeys.inventory(rid));
        break;
      case "area":
        invalidate(queryKeys.floor(rid), true);
        invalidate(queryKeys.tables(rid));
        break;
      default:
        // an event this version does not know: refetch what is on screen
        invalidate(queryKeys.restaurantAll(rid));
    }
  };

  const invalidateAll = (restaurantId: number): void => invalidate(queryKeys.restaurantAll(restaurantId));

  return { apply, flush, invalidateAll };
}
