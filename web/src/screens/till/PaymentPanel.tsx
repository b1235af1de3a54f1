/**
 * Take a payment on an open check: method (Cash / Card / Other, Alt+C / Alt+R / Alt+O),
 * amount (defaults to the balance; less is a partial payment), for cash the cash
 * "Tendered" with quick-cash buttons and the change shown as it is typed, a reference
 * for card and other. "Charge" (or Enter) sends `POST …/checks/{id}/payments` with an
 * `Idempotency-Key` made once per payment attempt and reused when the same payment is
 * retried after no answer (see `payment.ts`), so a retry never charges twice.
 *
 * Errors appear next to what caused them: the amount, the tendered cash, or under
 * "Charge" for the rest.
 *
 * Accessible names: radio group "Method" with radios "Cash", "Card", "Other"; text
 * fields "Amount", "Tendered", "Reference"; group "Quick cash" with "Exact" and the
 * amounts ("$30.00"); status "Change $5.00"; button "Charge".
 */
import { useImperativeHandle, useLayoutEffect, useRef, useState, type FormEvent, type Ref } from "react";

import { unwrap } from "../../api/client";
import { ApiError } from "../../api/errors";
import { queryKeys } from "../../api/queries";
import type { CheckRead } from "../../api/types";
import type { components } from "../../api/schema";
import { ErrorMessage } from "../../components/ErrorMessage";
import { formatMoney } from "../../lib/money";
import { useServices } from "../../services";
import {
  METHODS,
  isPayable,
  mayHaveBeenTaken,
  nextAttempt,
  quickCashAmounts,
  readPayment,
  toInputAmount,
  type PaymentAttempt,
  type PaymentForm,
  type PaymentMethod,
} from "./payment";

export type PaymentResult = components["schemas"]["PaymentResult"];

export interface PaymentPanelHandle {
  /** Choose a method and put the cursor where the cashier types next. */
  chooseMethod(method: PaymentMethod): void;
  focusAmount(): void;
  focusTendered(): void;
  /** Focus the first field to fill: tendered for cash, else the amount. */
  focusStart(): void;
}

export interface PaymentPanelProps {
  restaurantId: number;
  check: CheckRead;
  onPaid: (result: PaymentResult) => void;
  ref?: Ref<PaymentPanelHandle>;
}

const PATH = "/api/v1/restaurants/{restaurant_id}/checks/{check_id}/payments";

/** Which field a server error belongs next to: "amount", "tendered", or the form ("form"). */
function errorPlace(error: unknown, method: PaymentMethod): "amount" | "tendered" | "form" {
  if (!(error instanceof ApiError)) return "form";
  if (error.fieldMessage("amount") !== undefined || error.is("payment-exceeds-balance")) return "amount";
  if (error.fieldMessage("tendered") !== undefined) return "tendered";
  if (error.is("invalid-payment") && method === "cash" && /tendered/i.test(error.detail ?? "")) return "tendered";
  return "form";
}

export function PaymentPanel({ restaurantId, check, onPaid, ref }: PaymentPanelProps) {
  const { api, queryClient } = useServices();
  const currency = check.currency;
  const [method, setMethod] = useState<PaymentMethod>("cash");
  /** What was typed in Amount; null while it follows the balance. */
  const [amountTyped, setAmountTyped] = useState<string | null>(null);
  const [tendered, setTendered] = useState("");
  const [reference, setReference] = useState("");
  const [showErrors, setShowErrors] = useState(false);
  const [sending, setSending] = useState(false);
  const [error, setError] = useState<unknown>(null);
  /** The failed attempt may have been taken: pressing Charge again resends it as it was. */
  const [retryable, setRetryable] = useState(false);
  const attempt = useRef<PaymentAttempt | null>(null);
  const amountRef = useRef<HTMLInputElement>(null);
  const tenderedRef = useRef<HTMLInputElement>(null);
  const chargeRef = useRef<HTMLButtonElement>(null);

  const form: PaymentForm = { method, amount: amountTyped ?? toInputAmount(check.balance, currency), tendered, reference };
  const reading = readPayment(form, check.balance, currency);

  const focusField = (field: "amount" | "tendered") => {
    const input = field === "amount" ? amountRef.current : tenderedRef.current;
    input?.focus();
    input?.select();
  };

  /** A field to focus once the next render is on screen (the tendered field comes and goes with cash). */
  const focusAfterRender = useRef<"amount" | "tendered" | null>(null);
  useLayoutEffect(() => {
    const field = focusAfterRender.current;
    if (field === null) return;
    focusAfterRender.current = null;
    focusField(field);
  });

  useImperativeHandle(ref, () => ({
    chooseMethod(next) {
      const field = next === "cash" ? "tendered" : "amount";
      if (next === method) {
        focusField(field);
        return;
      }
      setMethod(next);
      setError(null);
      focusAfterRender.current = field;
    },
    focusAmount: () => focusField("amount"),
    focusTendered: () => (method === "cash" ? focusField("tendered") : focusField("amount")),
    focusStart: () => (method === "cash" ? focusField("tendered") : focusField("amount")),
  }));

  const submit = async (event?: FormEvent) => {
    event?.preventDefault();
    if (sending) return;
    setShowErrors(true);
    if (!isPayable(reading)) {
      focusField(reading.errors.amount !== undefined ? "amount" : "tendered");
      return;
    }
    const current = nextAttempt(attempt.current, check.id, form, reading, check.version);
    attempt.current = current;
    setSending(true);
    setError(null);
    try {
      const result = await unwrap(
        api.POST(PATH, {
          params: {
            path: { restaurant_id: restaurantId, check_id: current.checkId },
            header: { "Idempotency-Key": current.idempotencyKey },
          },
          body: current.body,
        }),
      );
      attempt.current = null;
      setAmountTyped(null);
      setTendered("");
      setReference("");
      setShowErrors(false);
      onPaid(result);
    } catch (caught) {
      const ambiguous = mayHaveBeenTaken(caught);
      if (!ambiguous) attempt.current = null;
      setRetryable(ambiguous);
      setError(caught);
      if (caught instanceof ApiError && (caught.is("stale-version") || caught.is("check-paid"))) {
        // the check changed under us: show it as it is now
        void queryClient.invalidateQueries({ queryKey: queryKeys.orderCheck(restaurantId, check.order_id) });
      }
      const place = errorPlace(caught, method);
      if (place !== "form") focusField(place);
    } finally {
      setSending(false);
    }
  };

  const place = error === null ? null : errorPlace(error, method);
  const amountError = showErrors || amountTyped !== null ? reading.errors.amount : undefined;
  const tenderedError = tendered.trim() !== "" || showErrors ? reading.errors.tendered : undefined;
  const quick = reading.amount !== null ? quickCashAmounts(reading.amount, currency) : [];

  return (
    <form className="till-pay" aria-labelledby="till-pay-title" onSubmit={(e) => void submit(e)} noValidate>
      <h3 id="till-pay-title">Take payment</h3>
      <fieldset className="till-methods">
        <legend>Method</legend>
        {METHODS.map((m) => (
          <label key={m.method} className={`till-method${method === m.method ? " till-method-on" : ""}`}>
            <input
              type="radio"
              name={`till-method-${check.id}`}
              value={m.method}
              checked={method === m.method}
              aria-keyshortcuts={`Alt+${m.key}`}
              onChange={() => {
                setMethod(m.method);
                setError(null);
              }}
            />
            {m.label}
            <kbd aria-hidden="true">Alt+{m.key}</kbd>
          </label>
        ))}
      </fieldset>

      <div className="field">
        <label htmlFor="till-amount">
          Amount <kbd aria-hidden="true">Alt+A</kbd>
        </label>
        <input
          id="till-amount"
          ref={amountRef}
          inputMode="decimal"
          autoComplete="off"
          value={form.amount}
          aria-keyshortcuts="Alt+A"
          aria-invalid={amountError !== undefined || place === "amount"}
          aria-describedby="till-amount-hint till-amount-error"
          onChange={(e) => {
            setAmountTyped(e.target.value);
            setError(null);
          }}
        />
        <p id="till-amount-hint" className="till-hint">
          Balance {formatMoney(check.balance, currency)} · less is a partial payment
        </p>
        <div id="till-amount-error">
          {amountError !== undefined ? (
            <p role="alert" className="error-message">
              {amountError}
            </p>
          ) : null}
          {place === "amount" ? <ErrorMessage error={error} /> : null}
        </div>
      </div>

      {method === "cash" ? (
        <div className="field" key="cash">
          <label htmlFor="till-tendered">
            Tendered <kbd aria-hidden="true">Alt+N</kbd>
          </label>
          <input
            id="till-tendered"
            ref={tenderedRef}
            inputMode="decimal"
            autoComplete="off"
            placeholder={reading.amount !== null ? `${toInputAmount(reading.amount, currency)} (exact)` : ""}
            value={tendered}
            aria-keyshortcuts="Alt+N"
            aria-invalid={tenderedError !== undefined || place === "tendered"}
            aria-describedby="till-tendered-error till-change"
            onChange={(e) => {
              setTendered(e.target.value);
              setError(null);
            }}
          />
          <div id="till-tendered-error">
            {tenderedError !== undefined ? (
              <p role="alert" className="error-message">
                {tenderedError}
              </p>
            ) : null}
            {place === "tendered" ? <ErrorMessage error={error} /> : null}
          </div>
          <div className="till-quick" role="group" aria-label="Quick cash">
            <button
              type="button"
              className="button"
              disabled={reading.amount === null}
              onClick={() => {
                setTendered("");
                chargeRef.current?.focus();
              }}
            >
              Exact
            </button>
            {quick.map((value) => (
              <button
                key={value}
                type="button"
                className="button"
                onClick={() => {
                  setTendered(toInputAmount(value, currency));
                  chargeRef.current?.focus();
                }}
              >
                {formatMoney(value, currency)}
              </button>
            ))}
          </div>
          <p id="till-change" className="till-change" role="status" aria-live="polite">
            {reading.change !== null ? `Change ${formatMoney(reading.change, currency)}` : "Change —"}
          </p>
        </div>
      ) : (
        <div className="field" key="reference">
          <label htmlFor="till-reference">Reference (optional)</label>
          <input
            id="till-reference"
            autoComplete="off"
            maxLength={100}
            value={reference}
            placeholder={method === "card" ? "Slip or last 4 digits" : "Voucher, account…"}
            onChange={(e) => setReference(e.target.value)}
          />
        </div>
      )}

      <p className="till-summary">
        {reading.amount !== null
          ? `${METHODS.find((m) => m.method === method)?.label ?? method} ${formatMoney(reading.amount, currency)}${
              reading.amount < check.balance ? ` of ${formatMoney(check.balance, currency)} (partial)` : ""
            }`
          : " "}
      </p>
      <button ref={chargeRef} type="submit" className="button button-primary button-block till-charge" disabled={sending}>
        {sending ? "Charging…" : "Charge"}
      </button>
      {place === "form" ? (
        <div className="till-form-error">
          <ErrorMessage error={error} />
          {retryable ? (
            <p className="till-hint">
              Press Charge to try again: the same payment is sent again and will not be taken twice.
            </p>
          ) : null}
        </div>
      ) : null}
    </form>
  );
}
