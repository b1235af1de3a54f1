/**
 * The till's list: every open order joined with its open check (if one was opened)
 * and its table's name, pure so it can be tested without a server.
 */
import type { CheckRead, OrderRead, TableRead } from "../../api/types";
import { destinationLabel } from "../kitchen/tickets";

export interface TillRow {
  orderId: number;
  /** "Table 4", or "Takeaway #12". */
  label: string;
  covers: number;
  currency: string;
  /** The check's total when it has one, else the order's subtotal (minor units). */
  total: number;
  /** What is left to pay (minor units): the check's balance, else `total`. */
  balance: number;
  openedAt: string;
  /** The order's open check, null when none was opened yet. */
  check: CheckRead | null;
  order: OrderRead;
}

/** The label of an order: its table's ("Table 4"), or "Takeaway #12". */
export function orderLabel(order: Pick<OrderRead, "id" | "table_id">, tableNames: ReadonlyMap<number, string>): string {
  if (order.table_id === null) return `Takeaway #${order.id}`;
  const name = tableNames.get(order.table_id);
  return name === undefined ? `Table #${order.table_id}` : destinationLabel(name);
}

/**
 * One row per open order: those with an open check first (the guests asked for it),
 * then the rest, each part oldest first.
 */
export function tillRows(
  orders: readonly OrderRead[],
  checks: readonly CheckRead[],
  tables: readonly TableRead[],
): TillRow[] {
  const names = new Map(tables.map((t) => [t.id, t.name]));
  const checkOf = new Map<number, CheckRead>();
  for (const check of checks) if (check.status === "open") checkOf.set(check.order_id, check);
  const rows = orders
    .filter((o) => o.status === "open")
    .map((order): TillRow => {
      const check = checkOf.get(order.id) ?? null;
      return {
        orderId: order.id,
        label: orderLabel(order, names),
        covers: order.covers,
        currency: check?.currency ?? order.currency,
        total: check?.total ?? order.subtotal,
        balance: check?.balance ?? order.subtotal,
        openedAt: order.opened_at,
        check,
        order,
      };
    });
  const time = (iso: string) => new Date(iso).getTime();
  return rows.sort(
    (a, b) => Number(b.check !== null) - Number(a.check !== null) || time(a.openedAt) - time(b.openedAt) || a.orderId - b.orderId,
  );
}

/** The rows matching what was typed in the search box: table name, "takeaway", or order number ("12", "#12"). */
export function filterRows(rows: readonly TillRow[], query: string): TillRow[] {
  const q = query.trim().toLowerCase().replace(/^#/, "");
  if (q === "") return [...rows];
  return rows.filter((row) => {
    const label = row.label.toLowerCase();
    return label.includes(q) || String(row.orderId) === q || `order ${row.orderId}`.includes(q);
  });
}
