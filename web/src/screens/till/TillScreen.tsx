/**
 * `/r/:restaurantId/till` — the cashier's till, keyboard first.
 *
 * Left: the open orders with their checks (`GET …/orders?status=open`, `GET
 * …/checks?status=open`, table names from `GET …/tables`), kept live by the realtime
 * layer (order and check events invalidate these lists). Right: the selected check —
 * lines, subtotal, tax as the check says (included or added), total, paid, balance —
 * or, for an order without one, its lines and "Open check" (`POST …/orders/{id}/check`).
 * Then the payment panel (`PaymentPanel`). A payment that settles the check shows
 * "Paid — change $X.XX"; the order closes, so it leaves the open list (and its table
 * frees on the floor through the events).
 *
 * Keys: Alt+L list, Alt+K search, ↑/↓/Home/End move, Enter select, Alt+C/R/O method,
 * Alt+A amount, Alt+N tendered, Enter charge, Esc back to the list.
 *
 * Accessible names: heading "Till"; search "Find check"; listbox "Open checks" with
 * options "Table 4, 2 covers, $25.00, 12 min, check open"; region named after the
 * selection ("Table 4 · Order 12"); button "Open check"; the payment panel's names
 * (`PaymentPanel.tsx`); status "Paid — change $5.00".
 */
import { useQuery } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";

import { unwrap, type ApiClient } from "../../api/client";
import { queryKeys, restaurantQuery, tablesQuery } from "../../api/queries";
import type { CheckRead } from "../../api/types";
import { useRestaurantScope } from "../../auth/restaurant";
import { ErrorMessage } from "../../components/ErrorMessage";
import { formatMoney } from "../../lib/money";
import { useServices } from "../../services";
import { useNow } from "../kitchen/clock";
import { CheckDetails, OrderPreview } from "./CheckDetails";
import { OpenChecksList, type OpenChecksListHandle } from "./OpenChecksList";
import { METHODS } from "./payment";
import { PaymentPanel, type PaymentPanelHandle, type PaymentResult } from "./PaymentPanel";
import { filterRows, tillRows, type TillRow } from "./rows";
import "./till.css";

/** Most open orders / checks the till lists (the API's page limit). */
const LIST_LIMIT = 200;

function openOrdersQuery(api: ApiClient, rid: number) {
  return {
    queryKey: queryKeys.orderList(rid, { status: "open" }),
    queryFn: ({ signal }: { signal: AbortSignal }) =>
      unwrap(
        api.GET("/api/v1/restaurants/{restaurant_id}/orders", {
          params: { path: { restaurant_id: rid }, query: { status: "open", limit: LIST_LIMIT } },
          signal,
        }),
      ),
  };
}

function openChecksQuery(api: ApiClient, rid: number) {
  return {
    queryKey: queryKeys.checkList(rid, { status: "open" }),
    queryFn: ({ signal }: { signal: AbortSignal }) =>
      unwrap(
        api.GET("/api/v1/restaurants/{restaurant_id}/checks", {
          params: { path: { restaurant_id: rid }, query: { status: "open", limit: LIST_LIMIT } },
          signal,
        }),
      ),
  };
}

/** What the till says after a payment went through. */
export function paidMessage(result: PaymentResult): string {
  const c = result.check.currency;
  const method = METHODS.find((m) => m.method === result.method)?.label ?? result.method;
  const change = result.method === "cash" ? formatMoney(result.change, c) : null;
  if (result.check.status === "paid") {
    return change !== null ? `Paid — change ${change}` : `Paid — ${method} ${formatMoney(result.amount, c)}`;
  }
  return `Payment taken — ${method} ${formatMoney(result.amount, c)}${change !== null ? `, change ${change}` : ""}. Balance ${formatMoney(
    result.check.balance,
    c,
  )} left`;
}

interface Selection {
  orderId: number;
  label: string;
}

export function TillScreen() {
  const { restaurantId: rid } = useRestaurantScope();
  const { api, queryClient } = useServices();
  const now = useNow(30_000);
  const orders = useQuery(openOrdersQuery(api, rid));
  const checks = useQuery(openChecksQuery(api, rid));
  const tables = useQuery(tablesQuery(api, rid));
  const timeZone = useQuery(restaurantQuery(api, rid)).data?.time_zone;

  const [query, setQuery] = useState("");
  const [selected, setSelected] = useState<Selection | null>(null);
  const [message, setMessage] = useState<{ orderId: number; text: string } | null>(null);
  const [opening, setOpening] = useState(false);
  const [openError, setOpenError] = useState<unknown>(null);

  const listRef = useRef<OpenChecksListHandle>(null);
  const payRef = useRef<PaymentPanelHandle>(null);
  const openCheckRef = useRef<HTMLButtonElement>(null);
  /** Focus the first thing to do on the selected check once it is on screen. */
  const focusPending = useRef(false);

  const rows = tillRows(orders.data?.items ?? [], checks.data?.items ?? [], tables.data?.items ?? []);
  const shown = filterRows(rows, query);
  const row: TillRow | undefined = selected ? rows.find((r) => r.orderId === selected.orderId) : undefined;

  const checkQuery = useQuery({
    queryKey: queryKeys.orderCheck(rid, selected?.orderId ?? 0),
    queryFn: ({ signal }) =>
      unwrap(
        api.GET("/api/v1/restaurants/{restaurant_id}/orders/{order_id}/check", {
          params: { path: { restaurant_id: rid, order_id: selected?.orderId ?? 0 } },
          signal,
        }),
      ),
    enabled: selected !== null && row?.check != null,
  });
  const check: CheckRead | null = selected ? (checkQuery.data ?? row?.check ?? null) : null;

  useEffect(() => {
    if (!focusPending.current) return;
    if (check !== null && check.status === "open" && payRef.current) {
      focusPending.current = false;
      payRef.current.focusStart();
    } else if (check === null && openCheckRef.current) {
      focusPending.current = false;
      openCheckRef.current.focus();
    }
  });

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.altKey && !event.ctrlKey && !event.metaKey) {
        const method = METHODS.find((m) => m.code === event.code);
        if (event.code === "KeyL") listRef.current?.focusList();
        else if (event.code === "KeyK") listRef.current?.focusSearch();
        else if (method && payRef.current) payRef.current.chooseMethod(method.method);
        else if (event.code === "KeyA" && payRef.current) payRef.current.focusAmount();
        else if (event.code === "KeyN" && payRef.current) payRef.current.focusTendered();
        else return;
        event.preventDefault();
      } else if (event.key === "Escape") {
        const target = event.target as HTMLElement | null;
        if (target?.closest(".till-detail")) {
          event.preventDefault();
          listRef.current?.focusList();
        }
      }
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, []);

  const select = (next: TillRow) => {
    setSelected({ orderId: next.orderId, label: next.label });
    setMessage((current) => (current?.orderId === next.orderId ? current : null));
    setOpenError(null);
    focusPending.current = true;
  };

  const openCheck = async () => {
    if (selected === null || opening) return;
    setOpening(true);
    setOpenError(null);
    try {
      const opened = await unwrap(
        api.POST("/api/v1/restaurants/{restaurant_id}/orders/{order_id}/check", {
          params: { path: { restaurant_id: rid, order_id: selected.orderId } },
        }),
      );
      queryClient.setQueryData(queryKeys.orderCheck(rid, selected.orderId), opened);
      queryClient.setQueryData(queryKeys.check(rid, opened.id), opened);
      void queryClient.invalidateQueries({ queryKey: [...queryKeys.checks(rid), "list"] });
      focusPending.current = true;
    } catch (error) {
      setOpenError(error);
    } finally {
      setOpening(false);
    }
  };

  const onPaid = (result: PaymentResult) => {
    const orderId = result.check.order_id;
    queryClient.setQueryData(queryKeys.orderCheck(rid, orderId), result.check);
    queryClient.setQueryData(queryKeys.check(rid, result.check.id), result.check);
    void queryClient.invalidateQueries({ queryKey: [...queryKeys.checks(rid), "list"] });
    void queryClient.invalidateQueries({ queryKey: [...queryKeys.orders(rid), "list"] });
    setMessage({ orderId, text: paidMessage(result) });
    if (result.check.status === "paid") {
      // settled: on to the next check, with the whole list back
      setQuery("");
      listRef.current?.focusList();
    }
  };

  const listError = orders.error ?? checks.error;
  const detailTitle = selected ? `${selected.label} · Order ${selected.orderId}` : "No check selected";

  return (
    <section className="till" aria-labelledby="till-title">
      <header className="till-header">
        <h1 id="till-title">Till</h1>
        <p className="till-keys" aria-label="Keyboard shortcuts">
          <kbd>Alt+L</kbd> list · <kbd>Alt+K</kbd> search · <kbd>↑</kbd>
          <kbd>↓</kbd> move · <kbd>Enter</kbd> select / charge · <kbd>Alt+C</kbd> cash · <kbd>Alt+R</kbd> card ·{" "}
          <kbd>Alt+O</kbd> other · <kbd>Alt+A</kbd> amount · <kbd>Alt+N</kbd> tendered · <kbd>Esc</kbd> back to list
        </p>
      </header>
      <div className="till-layout">
        <div className="till-left">
          {orders.isPending || checks.isPending ? <p className="till-list-empty">Loading open checks…</p> : null}
          {listError ? (
            <div className="till-list-empty">
              <ErrorMessage error={listError} />
              <button
                type="button"
                className="button"
                onClick={() => {
                  void orders.refetch();
                  void checks.refetch();
                }}
              >
                Try again
              </button>
            </div>
          ) : null}
          {orders.isSuccess && checks.isSuccess ? (
            <OpenChecksList
              ref={listRef}
              rows={shown}
              query={query}
              onQueryChange={setQuery}
              selectedId={selected?.orderId ?? null}
              onSelect={select}
              now={now}
            />
          ) : null}
          {orders.data && orders.data.total > orders.data.items.length ? (
            <p className="till-hint">
              Showing the newest {orders.data.items.length} of {orders.data.total} open orders.
            </p>
          ) : null}
        </div>

        <section className="till-detail" aria-labelledby="till-detail-title">
          <h2 id="till-detail-title">{detailTitle}</h2>
          <div role="status" aria-live="polite" className="till-message-slot">
            {message !== null && message.orderId === selected?.orderId ? <p className="till-message">{message.text}</p> : null}
          </div>
          {selected === null ? (
            <p className="till-hint">Choose a check on the left (arrow keys and Enter, or tap it).</p>
          ) : check !== null ? (
            <>
              {row !== undefined ? (
                <p className="till-hint">
                  {row.covers} {row.covers === 1 ? "cover" : "covers"} · order #{row.order.id} · check #{check.id}
                </p>
              ) : null}
              <CheckDetails check={check} timeZone={timeZone} order={row?.order} />
              {check.status === "open" ? (
                <PaymentPanel key={check.id} ref={payRef} restaurantId={rid} check={check} onPaid={onPaid} />
              ) : (
                <p className="till-paid">This check is paid.</p>
              )}
            </>
          ) : row !== undefined ? (
            <>
              <p className="till-hint">No check yet for this order.</p>
              <OrderPreview order={row.order} />
              <button
                ref={openCheckRef}
                type="button"
                className="button button-primary"
                disabled={opening}
                onClick={() => void openCheck()}
              >
                Open check
              </button>
              <ErrorMessage error={openError} />
            </>
          ) : checkQuery.isPending && checkQuery.fetchStatus !== "idle" ? (
            <p className="till-hint">Loading the check…</p>
          ) : (
            <p className="till-hint">This order is no longer open.</p>
          )}
          {checkQuery.isError ? <ErrorMessage error={checkQuery.error} /> : null}
        </section>
      </div>
    </section>
  );
}
