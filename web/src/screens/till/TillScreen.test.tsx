import { act, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import type { CheckRead, OrderRead } from "../../api/types";
import { fakeServer, json, me, problem, type FakeServer } from "../../test/fakeServer";
import { envelope } from "../../test/fakeSocket";
import { renderApp, signedInTokens } from "../../test/render";
import { check, order, table } from "./testData";

const R = "/api/v1/restaurants/1";

interface Backend {
  server: FakeServer;
  orders: OrderRead[];
  checks: CheckRead[];
}

/** The till's server: open orders, open checks and tables, answering from mutable state. */
function backend(orders: OrderRead[], checks: CheckRead[] = []): Backend {
  const state: Backend = { server: fakeServer(), orders, checks };
  const { server } = state;
  server.on("GET /api/v1/auth/me", () => json(me("cashier")));
  server.on(`GET ${R}/tables`, () => json({ items: [table(1), table(2), table(4), table(9)], total: 4 }));
  server.on(`GET ${R}/orders`, () => {
    const items = state.orders.filter((o) => o.status === "open");
    return json({ items, total: items.length });
  });
  server.on(`GET ${R}/checks`, () => {
    const items = state.checks.filter((c) => c.status === "open");
    return json({ items, total: items.length });
  });
  for (const o of orders) {
    server.on(`GET ${R}/orders/${o.id}/check`, () => {
      const c = state.checks.find((x) => x.order_id === o.id);
      return c ? json(c) : problem(404, "not-found", "Not found");
    });
  }
  return state;
}

function options(): HTMLElement[] {
  return within(screen.getByRole("listbox", { name: "Open checks" })).getAllByRole("option");
}

function names(): (string | null)[] {
  return options().map((o) => o.getAttribute("aria-label"));
}

describe("till", () => {
  it("lists open orders, checks first, each with table, covers, total and age", async () => {
    const state = backend(
      [
        order(4, { covers: 3, subtotal: 4100, opened_at: new Date(Date.now() - 40 * 60_000).toISOString() }),
        order(2, { covers: 1, subtotal: 1800 }),
        order(12, { table_id: null, kind: "takeaway", subtotal: 900 }),
      ],
      [],
    );
    state.checks = [check(70, 2, { total: 1980, balance: 1980 })];
    renderApp({ path: "/r/1/till", server: state.server, tokens: signedInTokens() });
    await waitFor(() => expect(options()).toHaveLength(3));
    expect(names()).toEqual([
      "Table 2, 1 cover, $19.80, 20 min, check open",
      "Table 4, 3 covers, $41.00, 40 min",
      "Takeaway #12, 2 covers, $9.00, 20 min",
    ]);
  });

  it("moves through the list with the arrow keys and selects with Enter; the search box filters", async () => {
    const user = userEvent.setup();
    const state = backend([order(1), order(2), order(4)]);
    renderApp({ path: "/r/1/till", server: state.server, tokens: signedInTokens() });
    const list = await screen.findByRole("listbox", { name: "Open checks" });
    await waitFor(() => expect(options()).toHaveLength(3));

    await user.keyboard("{Alt>}l{/Alt}");
    expect(list).toHaveFocus();
    expect(list).toHaveAttribute("aria-activedescendant", "till-row-1");
    await user.keyboard("{ArrowDown}{ArrowDown}{ArrowDown}"); // stops at the last
    expect(list).toHaveAttribute("aria-activedescendant", "till-row-4");
    await user.keyboard("{ArrowUp}");
    expect(list).toHaveAttribute("aria-activedescendant", "till-row-2");
    expect(screen.getByRole("option", { name: /^Table 2/ })).toHaveAttribute("aria-selected", "false");
    await user.keyboard("{Enter}");
    expect(screen.getByRole("option", { name: /^Table 2/ })).toHaveAttribute("aria-selected", "true");
    expect(screen.getByRole("heading", { name: "Table 2 · Order 2" })).toBeInTheDocument();
    // no check yet: the cursor goes to "Open check"
    await waitFor(() => expect(screen.getByRole("button", { name: "Open check" })).toHaveFocus());

    await user.keyboard("{Alt>}k{/Alt}");
    const search = screen.getByRole("searchbox", { name: "Find check" });
    expect(search).toHaveFocus();
    await user.keyboard("4");
    expect(names()).toEqual([expect.stringMatching(/^Table 4,/)]);
    await user.keyboard("{Enter}");
    expect(screen.getByRole("heading", { name: "Table 4 · Order 4" })).toBeInTheDocument();
    await user.clear(search);
    await user.type(search, "nothing here");
    expect(screen.getByText("No open check matches.")).toBeInTheDocument();
  });

  it("opens the check of an order without one and shows its amounts", async () => {
    const user = userEvent.setup();
    const state = backend([order(4, { items: [] })]);
    const opened = check(70, 4, { tax_inclusive: false, subtotal: 2500, tax_total: 250, total: 2750, balance: 2750 });
    state.server.on(`POST ${R}/orders/4/check`, () => {
      state.checks = [opened];
      return json(opened, 201);
    });
    renderApp({ path: "/r/1/till", server: state.server, tokens: signedInTokens() });
    await user.click(await screen.findByRole("option", { name: /^Table 4/ }));
    await user.click(screen.getByRole("button", { name: "Open check" }));

    const detail = screen.getByRole("region", { name: "Table 4 · Order 4" });
    await within(detail).findByText("Tax (10%)");
    expect(state.server.calls(`POST ${R}/orders/4/check`)).toHaveLength(1);
    expect(within(detail).getByText("Subtotal").nextSibling).toHaveTextContent("$25.00");
    expect(within(detail).getByText("Tax (10%)").nextSibling).toHaveTextContent("$2.50");
    expect(within(detail).getByText("Total").nextSibling).toHaveTextContent("$27.50");
    expect(within(detail).getByText("Balance").nextSibling).toHaveTextContent("$27.50");
    // the cursor goes to the cash handed over
    await waitFor(() => expect(screen.getByRole("textbox", { name: "Tendered" })).toHaveFocus());
    expect(screen.getByRole("textbox", { name: "Amount" })).toHaveValue("27.50");
    await waitFor(() => expect(screen.getByRole("option", { name: /^Table 4/ })).toHaveAccessibleName(/check open$/));
  });

  it("shows a refusal to open the check next to the button", async () => {
    const user = userEvent.setup();
    const state = backend([order(4)]);
    state.server.on(`POST ${R}/orders/4/check`, () =>
      problem(409, "nothing-to-bill", "The order has nothing to bill", { detail: "order 4 has no line to bill" }),
    );
    renderApp({ path: "/r/1/till", server: state.server, tokens: signedInTokens() });
    await user.click(await screen.findByRole("option", { name: /^Table 4/ }));
    await user.click(screen.getByRole("button", { name: "Open check" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("order 4 has no line to bill");
  });

  it("settles cash: refuses too little tendered, shows the change live, and says Paid — change", async () => {
    const user = userEvent.setup();
    const state = backend([order(4), order(1)], [check(70, 4, { version: 3 })]);
    const paid = check(70, 4, { status: "paid", paid_total: 2500, balance: 0, version: 4 });
    state.server.on(`POST ${R}/checks/70/payments`, () => {
      state.checks = [paid];
      state.orders = state.orders.filter((o) => o.id !== 4);
      return json({ id: 1, check_id: 70, method: "cash", amount: 2500, tendered: 3000, change: 500, tip: 0, reference: "", created_at: new Date().toISOString(), check: paid }, 201);
    });
    const { sockets } = renderApp({ path: "/r/1/till", server: state.server, tokens: signedInTokens() });
    await screen.findByRole("option", { name: /^Table 4/ });
    await user.type(screen.getByRole("searchbox", { name: "Find check" }), "4{Enter}");
    await waitFor(() => expect(screen.getByRole("textbox", { name: "Tendered" })).toHaveFocus());
    await user.keyboard("{Alt>}o{/Alt}");
    expect(screen.getByRole("radio", { name: "Other" })).toBeChecked();
    expect(screen.getByRole("textbox", { name: "Amount" })).toHaveFocus();
    await user.keyboard("{Alt>}c{/Alt}");
    const tendered = screen.getByRole("textbox", { name: "Tendered" });
    expect(tendered).toHaveFocus();
    expect(screen.getByRole("radio", { name: "Cash" })).toBeChecked();
    expect(screen.getByRole("textbox", { name: "Amount" })).toHaveValue("25.00");
    expect(screen.getByText("Tax included (10%)")).toBeInTheDocument();

    await user.type(tendered, "20");
    expect(within(tendered.closest(".field")!).getByRole("alert")).toHaveTextContent("Tendered is less than the amount.");
    expect(tendered).toHaveAttribute("aria-invalid", "true");
    await user.click(screen.getByRole("button", { name: "Charge" }));
    expect(state.server.calls(`POST ${R}/checks/70/payments`)).toHaveLength(0);

    await user.click(within(screen.getByRole("group", { name: "Quick cash" })).getByRole("button", { name: "$30.00" }));
    expect(tendered).toHaveValue("30.00");
    expect(screen.getByText("Change $5.00")).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Charge" })).toHaveFocus();
    await user.keyboard("{Enter}");

    expect(await screen.findByText("Paid — change $5.00")).toBeInTheDocument();
    const [call] = state.server.calls(`POST ${R}/checks/70/payments`);
    expect(call?.body).toEqual({ method: "cash", amount: 2500, tendered: 3000, reference: "", version: 3 });
    expect(screen.getByText("This check is paid.")).toBeInTheDocument();
    // the order closed: it leaves the open list (the events would say so too)
    await waitFor(() => expect(screen.queryByRole("option", { name: /^Table 4/ })).toBeNull());
    // on to the next check: the search is cleared and the cursor is in the list
    expect(screen.getByRole("searchbox", { name: "Find check" })).toHaveValue("");
    expect(screen.getByRole("listbox", { name: "Open checks" })).toHaveFocus();
    await waitFor(() => expect(sockets).toHaveLength(1));
    act(() => sockets[0]!.connectOk({ last_seq: 1, replayed: 0 }));
    act(() => sockets[0]!.emitEvent(envelope(2, "check.paid", { check: paid })));
    expect(screen.getByText("Paid — change $5.00")).toBeInTheDocument();
  });

  it("takes a partial card payment and then offers the rest", async () => {
    const user = userEvent.setup();
    const state = backend([order(4)], [check(70, 4, { version: 3 })]);
    const after = check(70, 4, { paid_total: 1000, balance: 1500, version: 4 });
    state.server.on(`POST ${R}/checks/70/payments`, () => {
      state.checks = [after];
      return json({ id: 1, check_id: 70, method: "card", amount: 1000, tendered: null, change: 0, tip: 0, reference: "4242", created_at: new Date().toISOString(), check: after }, 201);
    });
    renderApp({ path: "/r/1/till", server: state.server, tokens: signedInTokens() });
    await user.click(await screen.findByRole("option", { name: /^Table 4/ }));
    await screen.findByRole("textbox", { name: "Tendered" });
    await user.keyboard("{Alt>}r{/Alt}");
    expect(screen.getByRole("radio", { name: "Card" })).toBeChecked();
    expect(screen.queryByRole("textbox", { name: "Tendered" })).toBeNull();
    const amount = screen.getByRole("textbox", { name: "Amount" });
    expect(amount).toHaveFocus();
    await user.clear(amount);
    await user.type(amount, "10");
    await user.type(screen.getByRole("textbox", { name: "Reference (optional)" }), "4242");
    await user.click(screen.getByRole("button", { name: "Charge" }));
    expect(await screen.findByText("Payment taken — Card $10.00. Balance $15.00 left")).toBeInTheDocument();
    expect(state.server.calls(`POST ${R}/checks/70/payments`)[0]?.body).toEqual({
      method: "card",
      amount: 1000,
      reference: "4242",
      version: 3,
    });
    expect(screen.getByRole("textbox", { name: "Amount" })).toHaveValue("15.00");
    expect(screen.getByText("Balance").nextSibling).toHaveTextContent("$15.00");
  });

  it("retries a payment that got no answer with the same Idempotency-Key and body; a changed payment gets a new key", async () => {
    const user = userEvent.setup();
    const state = backend([order(4)], [check(70, 4, { version: 3 })]);
    const keys: (string | null)[] = [];
    let answer: "network" | "exceeds" = "network";
    state.server.on(`POST ${R}/checks/70/payments`, (request) => {
      keys.push(request.headers.get("Idempotency-Key"));
      if (answer === "network") return Promise.reject(new TypeError("Failed to fetch"));
      return problem(422, "payment-exceeds-balance", "The payment is more than the balance", {
        detail: "amount 2500 is more than the balance 2000",
      });
    });
    renderApp({ path: "/r/1/till", server: state.server, tokens: signedInTokens() });
    await user.click(await screen.findByRole("option", { name: /^Table 4/ }));
    await user.type(await screen.findByRole("textbox", { name: "Tendered" }), "50");

    await user.click(screen.getByRole("button", { name: "Charge" }));
    expect(await screen.findByText(/Cannot reach the server/)).toBeInTheDocument();
    expect(screen.getByText(/will not be taken twice/)).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Charge" }));
    await waitFor(() => expect(keys).toHaveLength(2));
    expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(keys[1]).toBe(keys[0]);
    const calls = state.server.calls(`POST ${R}/checks/70/payments`);
    expect(calls[1]?.body).toEqual(calls[0]?.body);

    // a definite refusal ends the attempt; the error sits next to the amount
    answer = "exceeds";
    await user.click(screen.getByRole("button", { name: "Charge" }));
    await waitFor(() => expect(keys).toHaveLength(3));
    expect(keys[2]).toBe(keys[0]); // still the same payment
    const amount = screen.getByRole("textbox", { name: "Amount" });
    expect(await within(amount.closest(".field")!).findByRole("alert")).toHaveTextContent("more than the balance 2000");
    expect(amount).toHaveAttribute("aria-invalid", "true");
    await user.click(screen.getByRole("button", { name: "Charge" }));
    await waitFor(() => expect(keys).toHaveLength(4));
    expect(keys[3]).not.toBe(keys[0]);

    // another payment: another key
    await user.clear(amount);
    await user.type(amount, "20");
    await user.click(screen.getByRole("button", { name: "Charge" }));
    await waitFor(() => expect(keys).toHaveLength(5));
    expect(new Set(keys.slice(3)).size).toBe(2);
    expect(state.server.calls(`POST ${R}/checks/70/payments`)[4]?.body).toMatchObject({ amount: 2000, tendered: 5000 });
  });
});
