/**
 * A check as the cashier reads it: its lines, subtotal, discount, tax (included in the
 * prices or added on top, as the check says), total, paid and balance, and the
 * payments taken. Money in the check's currency via the shared formatter. Each line says
 * its modifiers as the kitchen read them ("NO Red Onions", "Extra cheese") and its seat,
 * from the order's lines when the order is given.
 */
import type { CheckRead, OrderRead } from "../../api/types";
import { formatMoney } from "../../lib/money";
import { formatClock } from "../../lib/time";
import type { PaymentMethod } from "./payment";

const METHOD_TEXT: Readonly<Record<PaymentMethod, string>> = { cash: "Cash", card: "Card", other: "Other" };

/** "10%", "8.875%" from basis points. */
export function formatRate(basisPoints: number): string {
  return `${(basisPoints / 100).toLocaleString("en", { maximumFractionDigits: 3 })}%`;
}

interface Row {
  key: number;
  qty: number;
  name: string;
  size: string;
  total: number;
  /** The chosen modifiers' labels, and the seat (null: the table). */
  modifiers?: readonly string[];
  seat?: number | null;
}

/** What a line's details say under its name: "Extra cheese, NO Red Onions · seat 2". */
export function lineDetails(row: Pick<Row, "modifiers" | "seat">): string {
  const parts = [];
  if (row.modifiers && row.modifiers.length > 0) parts.push(row.modifiers.join(", "));
  if (row.seat != null) parts.push(`seat ${row.seat}`);
  return parts.join(" · ");
}

function LineRows({ lines, currency }: { lines: Row[]; currency: string }) {
  return (
    <table className="till-lines">
      <caption className="till-sr-only">Lines</caption>
      <thead>
        <tr>
          <th scope="col">Qty</th>
          <th scope="col">Item</th>
          <th scope="col" className="till-num">
            Amount
          </th>
        </tr>
      </thead>
      <tbody>
        {lines.map((line) => (
          <tr key={line.key}>
            <td>{line.qty} ×</td>
            <td>
              {line.name}
              {line.size ? ` (${line.size})` : ""}
              {lineDetails(line) ? <span className="till-line-details">{lineDetails(line)}</span> : null}
            </td>
            <td className="till-num">{formatMoney(line.total, currency)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** `timeZone`: the restaurant's IANA zone for the payments' clock times (default: the device's). */
export function CheckDetails({
  check,
  timeZone,
  order,
}: {
  check: CheckRead;
  timeZone?: string | undefined;
  /** The check's order: its lines' modifiers and seats. */
  order?: OrderRead | undefined;
}) {
  const c = check.currency;
  const items = new Map((order?.items ?? []).map((i) => [i.id, i] as const));
  const rate = formatRate(check.tax_rate_bp);
  return (
    <div className="till-check">
      <LineRows
        currency={c}
        lines={check.lines.map((l) => ({
          key: l.order_item_id,
          qty: l.quantity,
          name: l.name,
          size: l.variation_name,
          total: l.line_total,
          modifiers: items.get(l.order_item_id)?.modifiers.map((m) => m.label),
          seat: items.get(l.order_item_id)?.seat ?? null,
        }))}
      />
      <dl className="till-totals">
        <div>
          <dt>Subtotal</dt>
          <dd>{formatMoney(check.subtotal, c)}</dd>
        </div>
        {check.discount_total > 0 ? (
          <div>
            <dt>Discount</dt>
            <dd>−{formatMoney(check.discount_total, c)}</dd>
          </div>
        ) : null}
        <div>
          <dt>{check.tax_inclusive ? `Tax included (${rate})` : `Tax (${rate})`}</dt>
          <dd>{formatMoney(check.tax_total, c)}</dd>
        </div>
        <div className="till-total">
          <dt>Total</dt>
          <dd>{formatMoney(check.total, c)}</dd>
        </div>
        <div>
          <dt>Paid</dt>
          <dd>{formatMoney(check.paid_total, c)}</dd>
        </div>
        <div className="till-balance">
          <dt>Balance</dt>
          <dd>{formatMoney(check.balance, c)}</dd>
        </div>
      </dl>
      {check.payments.length > 0 ? (
        <section className="till-payments" aria-labelledby="till-payments-title">
          <h3 id="till-payments-title">Payments</h3>
          <ul>
            {check.payments.map((p) => (
              <li key={p.id}>
                <span>
                  {METHOD_TEXT[p.method]} {formatMoney(p.amount, c)}
                  {p.tendered !== null ? ` · tendered ${formatMoney(p.tendered, c)} · change ${formatMoney(p.change, c)}` : ""}
                  {p.reference ? ` · ref ${p.reference}` : ""}
                </span>
                <span className="till-payment-time">{formatClock(p.created_at, timeZone)}</span>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </div>
  );
}

/** The lines of an order that has no check yet (voided lines left out), with its subtotal. */
export function OrderPreview({ order }: { order: OrderRead }) {
  const lines = order.items.filter((i) => i.status !== "voided");
  return (
    <div className="till-check">
      <LineRows
        currency={order.currency}
        lines={lines.map((l) => ({
          key: l.id,
          qty: l.quantity,
          name: l.name,
          size: l.variation_name,
          total: l.line_total,
          modifiers: l.modifiers.map((m) => m.label),
          seat: l.seat,
        }))}
      />
      <dl className="till-totals">
        <div>
          <dt>Subtotal</dt>
          <dd>{formatMoney(order.subtotal, order.currency)}</dd>
        </div>
      </dl>
    </div>
  );
}
