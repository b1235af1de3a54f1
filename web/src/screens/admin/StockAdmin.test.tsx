import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { json, problem } from "../../test/fakeServer";
import { renderApp, signedInTokens } from "../../test/render";
import type { IngredientRead, ReorderList } from "./stock";
import { adminServer, item } from "./testData";

const BASE = "/api/v1/restaurants/1/inventory";

function ingredient(overrides: Partial<IngredientRead> = {}): IngredientRead {
  return {
    id: 1,
    name: "Mozzarella",
    unit: "kg",
    kind: "mass",
    on_hand: 0.5,
    reorder_level: 2,
    supplier: "Latteria Rossi",
    cost: 1200,
    stock_value: 600,
    low: true,
    out: false,
    ...overrides,
  };
}

function stockServer() {
  let items = [
    ingredient(),
    ingredient({ id: 2, name: "Basil", unit: "g", on_hand: 0, reorder_level: 50, supplier: "", cost: 2, stock_value: 0, out: true }),
    ingredient({ id: 3, name: "Flour", on_hand: 20, reorder_level: 5, supplier: "Mill", cost: 90, stock_value: 1800, low: false }),
  ];
  const reorder: ReorderList = {
    suppliers: [
      {
        supplier: "Latteria Rossi",
        lines: [{ ingredient_id: 1, name: "Mozzarella", unit: "kg", on_hand: 0.5, reorder_level: 2, suggested: 3.5, estimated_cost: 4200 }],
        estimated_cost: 4200,
      },
    ],
    estimated_cost: 4200,
  };
  const keys: (string | null)[] = [];
  const server = adminServer({
    [`GET ${BASE}/ingredients`]: () => json({ items, total: items.length }),
    [`GET ${BASE}/reorder-list`]: () => json(reorder),
    [`POST ${BASE}/deliveries`]: async (request) => {
      keys.push(request.headers.get("Idempotency-Key"));
      const body = (await request.json()) as { ingredient_id: number; quantity: string };
      const after = ingredient({ on_hand: 0.5 + Number(body.quantity), low: false, stock_value: 3000 });
      items = items.map((i) => (i.id === after.id ? after : i));
      return json(
        {
          movement: {
            id: 9,
            ingredient_id: 1,
            kind: "delivery",
            quantity: Number(body.quantity),
            counted: null,
            cost: null,
            reason: "",
            order_item_id: null,
            created_by: 1,
            created_at: "2026-12-03T12:00:00Z",
          },
          ingredient: after,
        },
        201,
      );
    },
  });
  return { server, keys };
}

describe("Stock", () => {
  it("lists ingredients with on hand, reorder level and low or out flags, and the reorder list", async () => {
    const { server } = stockServer();
    renderApp({ path: "/r/1/admin/stock", server, tokens: signedInTokens() });
    const table = await screen.findByRole("table", { name: "Ingredients" });
    const mozzarella = within(table).getByRole("row", { name: /Mozzarella/ });
    expect(mozzarella).toHaveTextContent("0.5 kg");
    expect(mozzarella).toHaveTextContent("2 kg");
    expect(mozzarella).toHaveTextContent("Low");
    expect(within(table).getByRole("row", { name: /Basil/ })).toHaveTextContent("Out");
    expect(within(table).getByRole("row", { name: /Flour/ })).toHaveTextContent("OK");
    expect(screen.getByRole("status", { name: "Low stock" })).toHaveTextContent("Out: Basil");
    const order = await screen.findByRole("table", { name: "Order from Latteria Rossi" });
    expect(order).toHaveTextContent("3.5 kg");
    expect(order).toHaveTextContent("$42.00");
  });

  it("records a delivery with an Idempotency-Key and shows the stock after it", async () => {
    const { server, keys } = stockServer();
    renderApp({ path: "/r/1/admin/stock", server, tokens: signedInTokens() });
    const form = await screen.findByRole("form", { name: "Record stock" });
    await userEvent.type(within(form).getByLabelText("Quantity"), "2");
    await userEvent.click(within(form).getByRole("button", { name: "Record delivery" }));
    await waitFor(() => expect(server.calls(`POST ${BASE}/deliveries`)).toHaveLength(1));
    expect(server.calls(`POST ${BASE}/deliveries`)[0]?.body).toEqual({ ingredient_id: 1, unit: "kg", quantity: "2" });
    expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(await within(form).findByText("Delivery of 2 kg: Mozzarella now 2.5 kg.")).toBeInTheDocument();
    const table = screen.getByRole("table", { name: "Ingredients" });
    await waitFor(() => expect(within(table).getByRole("row", { name: /Mozzarella/ })).toHaveTextContent("2.5 kg"));
  });

  it("asks for a reason before recording waste, and offers only units of the ingredient's kind", async () => {
    const { server } = stockServer();
    renderApp({ path: "/r/1/admin/stock", server, tokens: signedInTokens() });
    const form = await screen.findByRole("form", { name: "Record stock" });
    await userEvent.click(within(form).getByRole("radio", { name: "Waste" }));
    await userEvent.type(within(form).getByLabelText("Quantity"), "0.2");
    await userEvent.click(within(form).getByRole("button", { name: "Record waste" }));
    expect(await within(form).findByText("Say why it was wasted.")).toBeInTheDocument();
    expect(server.calls(`POST ${BASE}/waste`)).toHaveLength(0);
    const units = within(within(form).getByLabelText("Unit")).getAllByRole("option").map((o) => o.textContent);
    expect(units).toEqual(["mg", "g", "kg"]);
  });

  it("shows the server's refusal of a unit of another kind", async () => {
    const { server } = stockServer();
    server.on(`POST ${BASE}/deliveries`, () =>
      problem(422, "unit-mismatch", "The unit does not convert to the ingredient's", { detail: "l (volume) does not convert to kg (mass)" }),
    );
    renderApp({ path: "/r/1/admin/stock", server, tokens: signedInTokens() });
    const form = await screen.findByRole("form", { name: "Record stock" });
    await userEvent.type(within(form).getByLabelText("Quantity"), "1");
    await userEvent.click(within(form).getByRole("button", { name: "Record delivery" }));
    expect(await within(form).findByText(/does not convert to kg/)).toBeInTheDocument();
  });

  it("tells in the menu editor an item the stock 86'd from one 86'd by hand", async () => {
    const server = adminServer(
      {},
      {
        items: [
          item({ is_available: false, unavailable_reason: "stock" }),
          item({ id: 20, name: "Calzone", is_available: false, unavailable_reason: "manual", variations: [] }),
        ],
      },
    );
    renderApp({ path: "/r/1/admin/menu", server, tokens: signedInTokens() });
    const margherita = await screen.findByRole("article", { name: "Margherita" });
    expect(within(margherita).getByText(/an ingredient ran out/)).toBeInTheDocument();
    const calzone = screen.getByRole("article", { name: "Calzone" });
    expect(within(calzone).getByText("86'd: sold out")).toBeInTheDocument();
  });
});
