/**
 * The till's payment rules, pure: what the form's fields mean in minor units, what is
 * wrong with them (shown next to the field), the change for cash, the quick-cash
 * amounts, and the Idempotency-Key of a payment attempt.
 */
import { ApiError } from "../../api/errors";
import type { components } from "../../api/schema";
import { newIdempotencyKey } from "../../lib/idempotency";
import { minorUnitDigits, parseMoney } from "../../lib/money";

export type PaymentMethod = components["schemas"]["PaymentMethod"];
export type PaymentCreate = components["schemas"]["PaymentCreate"];

/** What the cashier typed. */
export interface PaymentForm {
  method: PaymentMethod;
  /** The amount to settle, as typed ("25", "25.00"). */
  amount: string;
  /** Cash handed over, as typed; empty means exact. */
  tendered: string;
  /** Card slip or voucher number (card and other). */
  reference: string;
}

/** The form read against the check: amounts in minor units, and a message per field in error. */
export interface PaymentReading {
  /** The amount to settle (minor units), null when it is not a valid amount. */
  amount: number | null;
  /** Cash handed over (minor units); equals `amount` when left empty; null for card/other or when invalid. */
  tendered: number | null;
  /** Change to give back for cash (minor units), null when it cannot be computed. */
  change: number | null;
  errors: { amount?: string; tendered?: string };
}

/** The payment methods in the order of the radio group, with their keyboard shortcut (Alt + key). */
export const METHODS: readonly { method: PaymentMethod; label: string; key: string; code: string }[] = [
  { method: "cash", label: "Cash", key: "C", code: "KeyC" },
  { method: "card", label: "Card", key: "R", code: "KeyR" },
  { method: "other", label: "Other", key: "O", code: "KeyO" },
];

/** Change for cash: `tendered - amount` (minor units), null when less was tendered than the amount. */
export function changeDue(amount: number, tendered: number): number | null {
  return tendered >= amount ? tendered - amount : null;
}

/**
 * Read `form` against an open check's `balance` (minor units of `currency`). The amount
 * must be at least one minor unit and at most the balance (partial payments are
 * allowed); for cash, the tendered amount (empty: exact) must cover it.
 */
export function readPayment(form: PaymentForm, balance: number, currency: string): PaymentReading {
  const errors: PaymentReading["errors"] = {};
  let amount = form.amount.trim() === "" ? null : parseMoney(form.amount, currency);
  if (form.amount.trim() === "") {
    errors.amount = "Enter the amount to charge.";
  } else if (amount === null) {
    errors.amount = "Enter an amount like 12.50.";
  } else if (amount < 1) {
    errors.amount = "The amount must be more than zero.";
    amount = null;
  } else if (amount > balance) {
    errors.amount = "The amount is more than the balance.";
    amount = null;
  }
  if (form.method !== "cash") return { amount, tendered: null, change: null, errors };

  let tendered: number | null;
  if (form.tendered.trim() === "") {
    tendered = amount;
  } else {
    tendered = parseMoney(form.tendered, currency);
    if (tendered === null || tendered < 1) {
      errors.tendered = "Enter the cash handed over, like 50.00.";
      tendered = null;
    } else if (amount !== null && tendered < amount) {
      errors.tendered = "Tendered is less than the amount.";
    }
  }
  const change = amount !== null && tendered !== null ? changeDue(amount, tendered) : null;
  return { amount, tendered, change, errors };
}

/** Whether the reading can be sent. */
export function isPayable(reading: PaymentReading): boolean {
  return reading.amount !== null && Object.keys(reading.errors).length === 0;
}

/** `minor` units as the cashier types them: `2500` USD → `"25.00"`, JPY → `"2500"`. */
export function toInputAmount(minor: number, currency: string): string {
  const digits = minorUnitDigits(currency);
  const sign = minor < 0 ? "-" : "";
  const abs = Math.abs(minor);
  if (digits === 0) return `${sign}${abs}`;
  const unit = 10 ** digits;
  return `${sign}${Math.floor(abs / unit)}.${String(abs % unit).padStart(digits, "0")}`;
}

/** Bank-note steps in major units, smallest first. */
const ROUND_STEPS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000, 100000];

/**
 * Quick-cash amounts above `amount` (minor units of `currency`): the next round sums a
 * guest is likely to hand over, e.g. $23.40 → $24, $25, $30, $40; $57.25 → $58, $60,
 * $100, $200 (steps finer than a hundredth of the amount are skipped: ¥25,000 →
 * ¥25,500, ¥26,000, ¥30,000, ¥40,000); at most `count`,
 * ascending, each above `amount`.
 */
export function quickCashAmounts(amount: number, currency: string, count = 4): number[] {
  if (amount < 1) return [];
  const unit = 10 ** minorUnitDigits(currency);
  const found = new Set<number>();
  for (const step of ROUND_STEPS) {
    const size = step * unit;
    if (size * 100 < amount) continue; // too fine for this sum: ¥25,000 is not paid with ¥25,001

    const next = Math.ceil(amount / size) * size;
    if (next > amount) found.add(next);
    else found.add(next + size);
  }
  return [...found].sort((a, b) => a - b).slice(0, count);
}

/** The body of a payment on a check at `version` from a payable reading. */
export function paymentBody(form: PaymentForm, reading: PaymentReading, version: number): PaymentCreate {
  if (reading.amount === null) throw new Error("paymentBody needs a payable reading");
  const body: PaymentCreate = { method: form.method, amount: reading.amount, reference: form.reference.trim(), version };
  if (form.method === "cash") body.tendered = reading.tendered ?? reading.amount;
  return body;
}

/** One payment as sent: its key and body are reused as they are for every retry. */
export interface PaymentAttempt {
  /** What the cashier asked for (check, method, amounts, reference). */
  fingerprint: string;
  idempotencyKey: string;
  checkId: number;
  body: PaymentCreate;
}

/** The fingerprint of what the cashier asked for (not the check's version). */
export function fingerprintOf(checkId: number, form: PaymentForm, reading: PaymentReading): string {
  return JSON.stringify([checkId, form.method, reading.amount, form.method === "cash" ? reading.tendered : null, form.reference.trim()]);
}

/**
 * The attempt to send: `previous` again (same key, same body — so the server answers
 * a retry of a payment it took with that payment instead of taking it twice) when the
 * cashier asks for the same payment, else a new attempt with a fresh key.
 */
export function nextAttempt(
  previous: PaymentAttempt | null,
  checkId: number,
  form: PaymentForm,
  reading: PaymentReading,
  version: number,
): PaymentAttempt {
  const fingerprint = fingerprintOf(checkId, form, reading);
  if (previous !== null && previous.fingerprint === fingerprint) return previous;
  return { fingerprint, idempotencyKey: newIdempotencyKey(), checkId, body: paymentBody(form, reading, version) };
}

/**
 * Whether a failed attempt may have been taken (no answer, a server error, or the
 * first try still running), so a retry must reuse its key. A definite refusal (4xx)
 * wrote nothing: the next press starts a new attempt.
 */
export function mayHaveBeenTaken(error: unknown): boolean {
  if (!(error instanceof ApiError)) return true;
  if (error.status === 0 || error.status >= 500 || error.status === 408 || error.status === 429) return true;
  return error.is("idempotent-request-in-progress");
}
