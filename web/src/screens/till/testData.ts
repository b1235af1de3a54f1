/** Test data of the till's tests (not part of the app). */
import type { CheckRead, OrderRead, TableRead } from "../../api/types";

export function order(id: number, extra: Partial<OrderRead> = {}): OrderRead {
  return {
    id,
    restaurant_id: 1,
    table_id: id,
    kind: "dine_in",
    status: "open",
    covers: 2,
    notes: "",
    currency: "USD",
    subtotal: 2500,
    items: [],
    opened_at: new Date(Date.now() - 20 * 60_000).toISOString(),
    sent_at: null,
    closed_at: null,
    version: 3,
    ...extra,
  };
}

export function table(id: number, name = String(id)): TableRead {
  return {
    id,
    name,
    area_id: null,
    seats: 4,
    position: id,
    status: "occupied",
    current_order_id: null,
    seated_at: null,
    version: 1,
    waiter_id: null,
    plan_x: null,
    plan_y: null,
    plan_width: 80,
    plan_height: 80,
    shape: "square",
  };
}

/** An open check of `orderId` for $25.00 with 10% tax included, nothing paid. */
export function check(id: number, orderId: number, extra: Partial<CheckRead> = {}): CheckRead {
  return {
    id,
    order_id: orderId,
    status: "open",
    currency: "USD",
    subtotal: 2500,
    discount_total: 0,
    tax_total: 227,
    total: 2500,
    paid_total: 0,
    balance: 2500,
    tax_rate_bp: 1000,
    tax_inclusive: true,
    version: 1,
    created_at: new Date(Date.now() - 5 * 60_000).toISOString(),
    paid_at: null,
    lines: [
      { order_item_id: 1, name: "Margherita", variation_name: "M", quantity: 2, unit_price: 1250, modifiers_total: 0, line_total: 2500 },
    ],
    payments: [],
    ...extra,
  };
}
