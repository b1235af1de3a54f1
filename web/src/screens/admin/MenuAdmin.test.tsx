import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { json, problem } from "../../test/fakeServer";
import { envelope } from "../../test/fakeSocket";
import { renderApp, signedInTokens } from "../../test/render";
import type { MenuItemRead } from "./adminApi";
import { adminServer, item } from "./testData";

const BASE = "/api/v1/restaurants/1";

function openMenu(server = adminServer()) {
  return { server, ...renderApp({ path: "/r/1/admin/menu", server, tokens: signedInTokens() }) };
}

async function itemRow(name: string): Promise<HTMLElement> {
  return screen.findByRole("article", { name });
}

describe("menu editor: 86", () => {
  it("86 calls the availability route and the item says it is sold out", async () => {
    let current = item();
    const server = adminServer({
      [`GET ${BASE}/menu/items`]: () => json({ items: [current], total: 1 }),
      [`PUT ${BASE}/menu/items/10/availability`]: async (request) => {
        const body = (await request.json()) as { is_available: boolean };
        current = { ...current, is_available: body.is_available };
        return json(current);
      },
    });
    openMenu(server);
    const row = await itemRow("Margherita");
    expect(within(row).getByText("On the menu")).toBeInTheDocument();

    await userEvent.click(within(row).getByRole("button", { name: "86 Margherita" }));

    await waitFor(() => expect(server.calls(`PUT ${BASE}/menu/items/10/availability`)).toHaveLength(1));
    expect(server.calls(`PUT ${BASE}/menu/items/10/availability`)[0]?.body).toEqual({ is_available: false });
    const back = await within(row).findByRole("button", { name: "Back on Margherita" });
    expect(back).toHaveTextContent("Back on");
    expect(within(row).getByText("86'd: sold out")).toBeInTheDocument();

    await userEvent.click(back);
    await waitFor(() => expect(server.calls(`PUT ${BASE}/menu/items/10/availability`)).toHaveLength(2));
    expect(server.calls(`PUT ${BASE}/menu/items/10/availability`)[1]?.body).toEqual({ is_available: true });
    expect(await within(row).findByRole("button", { name: "86 Margherita" })).toHaveTextContent(/^86$/);
  });

  it("puts the item back and says why when the server refuses", async () => {
    const server = adminServer({
      [`PUT ${BASE}/menu/items/10/availability`]: () =>
        problem(403, "permission-denied", "Forbidden", { detail: "your role lacks menu:availability" }),
    });
    openMenu(server);
    const row = await itemRow("Margherita");
    await userEvent.click(within(row).getByRole("button", { name: "86 Margherita" }));
    expect(await within(row).findByRole("alert")).toHaveTextContent("Not allowed: your role lacks menu:availability");
    expect(within(row).getByRole("button", { name: "86 Margherita" })).toBeInTheDocument();
    expect(within(row).getByText("On the menu")).toBeInTheDocument();
  });

  it("shows an 86 made elsewhere (a menu event) without reloading", async () => {
    let current: MenuItemRead = item();
    const server = adminServer({ [`GET ${BASE}/menu/items`]: () => json({ items: [current], total: 1 }) });
    const { sockets } = openMenu(server);
    const row = await itemRow("Margherita");
    await waitFor(() => expect(sockets).toHaveLength(1));
    const socket = sockets[0]!;
    socket.connectOk({ last_seq: 0, replayed: 0 });
    // the first "ready" refetches what was loaded before the subscription; then the event
    await waitFor(() => expect(server.calls(`GET ${BASE}/menu/items`)).toHaveLength(2));
    expect(within(row).getByRole("button", { name: "86 Margherita" })).toBeInTheDocument();

    current = { ...current, is_available: false };
    socket.emitEvent(envelope(1, "menu.item.availability", { menu_item_id: 10, name: "Margherita", is_available: false }));

    expect(await within(row).findByRole("button", { name: "Back on Margherita" }, { timeout: 2000 })).toBeInTheDocument();
    expect(within(row).getByText("86'd: sold out")).toBeInTheDocument();
    expect(server.calls(`GET ${BASE}/menu/items`)).toHaveLength(3);
  });
});

describe("menu editor: sizes and prices", () => {
  it("sends a decimal price as exact minor units when creating an item", async () => {
    const server = adminServer({
      [`POST ${BASE}/menu/items`]: () => json(item({ id: 30, name: "Diavola", modifier_group_ids: [] }), 201),
    });
    openMenu(server);
    await userEvent.click(await screen.findByRole("button", { name: "New item" }));
    const form = screen.getByRole("form", { name: "New item" });
    await userEvent.type(within(form).getByLabelText("Item name"), "Diavola");
    const size = within(form).getByRole("group", { name: "Size 1" });
    await userEvent.type(within(size).getByLabelText("SKU"), "DIA-R");
    await userEvent.type(within(size).getByLabelText("Price (USD)"), "12.35");
    await userEvent.click(within(form).getByRole("button", { name: "Add another size" }));
    const second = within(form).getByRole("group", { name: "Size 2" });
    await userEvent.type(within(second).getByLabelText("Size name"), "Slice");
    await userEvent.type(within(second).getByLabelText("SKU"), "DIA-SL");
    await userEvent.type(within(second).getByLabelText("Price (USD)"), "0.1");
    await userEvent.click(within(form).getByRole("button", { name: "Create item" }));

    await waitFor(() => expect(server.calls(`POST ${BASE}/menu/items`)).toHaveLength(1));
    expect(server.calls(`POST ${BASE}/menu/items`)[0]?.body).toMatchObject({
      category_id: 1,
      name: "Diavola",
      station: "oven",
      variations: [
        { name: "Regular", sku: "DIA-R", price: 1235, position: 0 },
        { name: "Slice", sku: "DIA-SL", price: 10, position: 1 },
      ],
    });
  });

  it("refuses a price with too many decimals next to the price, sending nothing", async () => {
    const server = adminServer();
    openMenu(server);
    await userEvent.click(await screen.findByRole("button", { name: "New item" }));
    const form = screen.getByRole("form", { name: "New item" });
    await userEvent.type(within(form).getByLabelText("Item name"), "Diavola");
    await userEvent.type(within(form).getByLabelText("SKU"), "DIA-R");
    const price = within(form).getByLabelText("Price (USD)");
    await userEvent.type(price, "12.345");
    await userEvent.click(within(form).getByRole("button", { name: "Create item" }));

    expect(await within(form).findByText("Price has at most 2 decimal places.")).toBeInTheDocument();
    expect(price).toHaveAttribute("aria-invalid", "true");
    expect(server.calls(`POST ${BASE}/menu/items`)).toHaveLength(0);
  });

  it("shows a taken SKU next to the SKU field of the size", async () => {
    const server = adminServer({
      [`PATCH ${BASE}/menu/items/10/variations/12`]: () =>
        problem(409, "sku-taken", "Conflict", { detail: "SKU 'CAL' is taken" }),
    });
    openMenu(server);
    await userEvent.click(await screen.findByRole("button", { name: "Edit Margherita" }));
    const size = await screen.findByRole("form", { name: "Size: Large" });
    const sku = within(size).getByLabelText("SKU");
    expect(within(size).getByLabelText("Price (USD)")).toHaveValue("20.50");
    await userEvent.clear(sku);
    await userEvent.type(sku, "CAL");
    await userEvent.click(within(size).getByRole("button", { name: "Save size" }));

    const message = await within(size).findByText("SKU CAL is taken by another size.");
    expect(sku).toHaveAttribute("aria-describedby", message.id);
    expect(sku).toHaveAttribute("aria-invalid", "true");
    expect(server.calls(`PATCH ${BASE}/menu/items/10/variations/12`)[0]?.body).toEqual({ sku: "CAL" });
  });

  it("moves the focus into the item editor and back to the item's Edit button", async () => {
    openMenu();
    await userEvent.click(await screen.findByRole("button", { name: "Edit Margherita" }));
    expect(await screen.findByRole("heading", { name: "Edit Margherita" })).toHaveFocus();
    await userEvent.click(screen.getByRole("button", { name: "Back to Pizzas" }));
    expect(await screen.findByRole("button", { name: "Edit Margherita" })).toHaveFocus();
  });

  it("changes a price exactly", async () => {
    const server = adminServer({
      [`PATCH ${BASE}/menu/items/10/variations/11`]: () =>
        json({ id: 11, item_id: 10, name: "Small", sku: "MAR-S", price: 1115, position: 0, is_available: true }),
    });
    openMenu(server);
    await userEvent.click(await screen.findByRole("button", { name: "Edit Margherita" }));
    const size = await screen.findByRole("form", { name: "Size: Small" });
    const price = within(size).getByLabelText("Price (USD)");
    await userEvent.clear(price);
    await userEvent.type(price, "11.15");
    await userEvent.click(within(size).getByRole("button", { name: "Save size" }));
    await waitFor(() => expect(server.calls(`PATCH ${BASE}/menu/items/10/variations/11`)).toHaveLength(1));
    expect(server.calls(`PATCH ${BASE}/menu/items/10/variations/11`)[0]?.body).toEqual({ price: 1115 });
  });
});

describe("menu editor: categories and groups", () => {
  it("says a category with items cannot be deleted, on its row", async () => {
    const server = adminServer({
      [`DELETE ${BASE}/menu/categories/1`]: () =>
        problem(409, "category-not-empty", "Conflict", { detail: "category 'Pizzas' still has items" }),
    });
    openMenu(server);
    await userEvent.click(await screen.findByRole("button", { name: "Delete Pizzas" }));
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("Pizzas still has items: move or delete them first.");
    expect(alert.closest("li")).toContainElement(screen.getByRole("button", { name: "Delete Pizzas" }));
  });

  it("moves a category down by renumbering the positions", async () => {
    const server = adminServer({
      [`PATCH ${BASE}/menu/categories/1`]: () => json({ id: 1, name: "Pizzas", position: 1 }),
      [`PATCH ${BASE}/menu/categories/2`]: () => json({ id: 2, name: "Drinks", position: 0 }),
    });
    openMenu(server);
    await userEvent.click(await screen.findByRole("button", { name: "Move Pizzas down" }));
    await waitFor(() => expect(server.calls(`PATCH ${BASE}/menu/categories/1`)).toHaveLength(1));
    expect(server.calls(`PATCH ${BASE}/menu/categories/2`)[0]?.body).toEqual({ position: 0 });
    expect(server.calls(`PATCH ${BASE}/menu/categories/1`)[0]?.body).toEqual({ position: 1 });
  });

  it("offers modifier groups to an item in order", async () => {
    const server = adminServer({
      [`PUT ${BASE}/menu/items/10/modifier-groups`]: () => json(item({ modifier_group_ids: [100, 200] })),
    });
    openMenu(server);
    await userEvent.click(await screen.findByRole("button", { name: "Edit Margherita" }));
    await userEvent.selectOptions(await screen.findByLabelText("Modifier group to offer"), "Crust");
    await userEvent.click(screen.getByRole("button", { name: "Offer group" }));
    await waitFor(() => expect(server.calls(`PUT ${BASE}/menu/items/10/modifier-groups`)).toHaveLength(1));
    expect(server.calls(`PUT ${BASE}/menu/items/10/modifier-groups`)[0]?.body).toEqual({ group_ids: [100, 200] });
  });

  it("creates a modifier group with exact price deltas", async () => {
    const server = adminServer({
      [`POST ${BASE}/menu/modifier-groups`]: () =>
        json({ id: 300, name: "Dips", min_choices: 0, max_choices: 2, position: 2, modifiers: [] }, 201),
    });
    openMenu(server);
    await userEvent.click(await screen.findByRole("button", { name: "New modifier group" }));
    const form = screen.getByRole("form", { name: "New modifier group" });
    await userEvent.type(within(form).getByLabelText("Group name"), "Dips");
    const max = within(form).getByLabelText("Maximum choices");
    await userEvent.clear(max);
    await userEvent.type(max, "2");
    await userEvent.type(within(form).getByLabelText("Modifier name"), "Garlic");
    const price = within(form).getByLabelText("Extra price (USD)");
    await userEvent.clear(price);
    await userEvent.type(price, "0.35");
    await userEvent.click(within(form).getByRole("button", { name: "Create group" }));
    await waitFor(() => expect(server.calls(`POST ${BASE}/menu/modifier-groups`)).toHaveLength(1));
    expect(server.calls(`POST ${BASE}/menu/modifier-groups`)[0]?.body).toEqual({
      name: "Dips",
      min_choices: 0,
      max_choices: 2,
      position: 2,
      modifiers: [{ name: "Garlic", price_delta: 35 }],
    });
  });

  it("copes with a role that may not read the menu admin lists (403)", async () => {
    const server = adminServer({
      [`GET ${BASE}/menu/categories`]: () => problem(403, "permission-denied", "Forbidden", { detail: "menu:write" }),
    });
    openMenu(server);
    expect(await screen.findByRole("heading", { name: "Not allowed" })).toBeInTheDocument();
    expect(screen.getByText(/cannot open the menu/)).toBeInTheDocument();
  });
});
