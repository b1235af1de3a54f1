import { describe, expect, it } from "vitest";

import { ApiError } from "../../api/errors";
import {
  changeDue,
  isPayable,
  mayHaveBeenTaken,
  nextAttempt,
  paymentBody,
  quickCashAmounts,
  readPayment,
  toInputAmount,
  type PaymentForm,
} from "./payment";

const cash = (amount: string, tendered: string): PaymentForm => ({ method: "cash", amount, tendered, reference: "" });

describe("change", () => {
  it("is tendered minus amount, none when too little was tendered", () => {
    expect(changeDue(2340, 5000)).toBe(2660);
    expect(changeDue(2340, 2340)).toBe(0);
    expect(changeDue(2340, 2000)).toBeNull();
  });

  it("is computed from what the cashier typed, in minor units", () => {
    expect(readPayment(cash("23.40", "50"), 2340, "USD")).toEqual({ amount: 2340, tendered: 5000, change: 2660, errors: {} });
    expect(readPayment(cash("23.40", ""), 2340, "USD")).toMatchObject({ tendered: 2340, change: 0, errors: {} }); // exact
    expect(readPayment(cash("10", "20"), 2340, "USD")).toMatchObject({ amount: 1000, change: 1000, errors: {} }); // partial
    expect(readPayment(cash("2500", "3000"), 2500, "JPY")).toMatchObject({ amount: 2500, change: 500 });
  });
});

describe("validation", () => {
  it("refuses tendered below the amount", () => {
    const reading = readPayment(cash("23.40", "20"), 2340, "USD");
    expect(reading.errors).toEqual({ tendered: "Tendered is less than the amount." });
    expect(reading.change).toBeNull();
    expect(isPayable(reading)).toBe(false);
  });

  it("refuses a missing, malformed, zero or too large amount", () => {
    expect(readPayment(cash("", ""), 2340, "USD").errors.amount).toBe("Enter the amount to charge.");
    expect(readPayment(cash("abc", ""), 2340, "USD").errors.amount).toBe("Enter an amount like 12.50.");
    expect(readPayment(cash("0", ""), 2340, "USD").errors.amount).toBe("The amount must be more than zero.");
    expect(readPayment(cash("23.41", ""), 2340, "USD").errors.amount).toBe("The amount is more than the balance.");
    expect(readPayment(cash("23.40", "x"), 2340, "USD").errors.tendered).toBe("Enter the cash handed over, like 50.00.");
  });

  it("takes no tendered for card and other", () => {
    const reading = readPayment({ method: "card", amount: "23.40", tendered: "5", reference: "" }, 2340, "USD");
    expect(reading).toEqual({ amount: 2340, tendered: null, change: null, errors: {} });
    expect(isPayable(reading)).toBe(true);
  });
});

describe("amounts", () => {
  it("writes minor units as typed", () => {
    expect(toInputAmount(2500, "USD")).toBe("25.00");
    expect(toInputAmount(5, "USD")).toBe("0.05");
    expect(toInputAmount(2500, "JPY")).toBe("2500");
    expect(toInputAmount(1234, "KWD")).toBe("1.234");
  });

  it("offers the next round sums as quick cash", () => {
    expect(quickCashAmounts(2340, "USD")).toEqual([2400, 2500, 3000, 4000]);
    expect(quickCashAmounts(2500, "USD")).toEqual([2600, 3000, 4000, 5000]);
    expect(quickCashAmounts(5725, "USD")).toEqual([5800, 6000, 10000, 20000]);
    expect(quickCashAmounts(25000, "JPY")).toEqual([25500, 26000, 30000, 40000]);
    expect(quickCashAmounts(23000, "USD")).toEqual([23500, 24000, 25000, 30000]);
    expect(quickCashAmounts(0, "USD")).toEqual([]);
  });
});

describe("payment attempts", () => {
  const form = cash("23.40", "50");
  const reading = readPayment(form, 2340, "USD");

  it("send method, amount, tendered, reference and the check's version", () => {
    expect(paymentBody(form, reading, 4)).toEqual({ method: "cash", amount: 2340, tendered: 5000, reference: "", version: 4 });
    const card = { method: "card" as const, amount: "23.40", tendered: "", reference: " 4242 " };
    expect(paymentBody(card, readPayment(card, 2340, "USD"), 4)).toEqual({ method: "card", amount: 2340, reference: "4242", version: 4 });
  });

  it("reuse key and body for the same payment, even after the check's version moved", () => {
    const first = nextAttempt(null, 7, form, reading, 4);
    const retry = nextAttempt(first, 7, form, reading, 5);
    expect(retry.idempotencyKey).toBe(first.idempotencyKey);
    expect(retry.body).toEqual(first.body);
    expect(retry.body.version).toBe(4);
  });

  it("start a new key for another payment", () => {
    const first = nextAttempt(null, 7, form, reading, 4);
    const other = cash("23.40", "100");
    const changed = nextAttempt(first, 7, other, readPayment(other, 2340, "USD"), 4);
    expect(changed.idempotencyKey).not.toBe(first.idempotencyKey);
    expect(nextAttempt(first, 8, form, reading, 4).idempotencyKey).not.toBe(first.idempotencyKey);
  });

  it("are kept for a retry only when the failure may have taken the payment", () => {
    const problem = (status: number, slug: string) =>
      new ApiError({ type: `https://brigade.dev/problems/${slug}`, title: slug, status });
    expect(mayHaveBeenTaken(ApiError.network(new TypeError("Failed to fetch")))).toBe(true);
    expect(mayHaveBeenTaken(problem(500, "internal-error"))).toBe(true);
    expect(mayHaveBeenTaken(problem(409, "idempotent-request-in-progress"))).toBe(true);
    expect(mayHaveBeenTaken(problem(422, "invalid-payment"))).toBe(false);
    expect(mayHaveBeenTaken(problem(409, "stale-version"))).toBe(false);
  });
});
