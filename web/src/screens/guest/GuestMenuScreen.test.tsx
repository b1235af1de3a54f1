import { screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";

import { fakeServer, json, problem } from "../../test/fakeServer";
import { renderApp } from "../../test/render";
import { guestMenu } from "../admin/testData";
import { BBQ, BRIE } from "../order-pad/testing";
import { sharedGroups } from "./GuestMenuScreen";

const ROUTE = "GET /api/v1/guest/menu";

/** What the browser shows for `minor` units of `currency` (the shared formatter's locale is the browser's). */
function money(minor: number, currency: string, digits = 2): string {
  return new Intl.NumberFormat(undefined, {
    style: "currency",
    currency,
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  }).format(minor / 10 ** digits);
}

describe("guest menu", () => {
  it("shows the restaurant, the table and prices in the restaurant's currency, without a login", async () => {
    const server = fakeServer({ [ROUTE]: () => json(guestMenu()) });
    renderApp({ path: "/guest/1?t=table-token-4", server });

    expect(await screen.findByRole("heading", { level: 1, name: "Chez Brigade" })).toBeInTheDocument();
    expect(screen.getByText("Table 4")).toBeInTheDocument();
    const call = server.calls(ROUTE)[0];
    expect(new URL(call!.url).searchParams.get("t")).toBe("table-token-4");
    expect(call?.authorization).toBeNull();

    const pizza = screen.getByRole("article", { name: "Margherita" });
    const sizes = within(pizza).getByRole("list", { name: "Sizes of Margherita" });
    expect(within(sizes).getByText("Small").parentElement).toHaveTextContent(money(1200, "EUR"));
    expect(within(sizes).getByText("Large").parentElement).toHaveTextContent(money(2050, "EUR"));
    expect(money(2050, "EUR")).toContain("€");
    expect(pizza).not.toHaveTextContent("$");
    const options = within(pizza).getByRole("list", { name: "Extra toppings options" });
    expect(within(options).getByText("Pepperoni")).toHaveTextContent(`Pepperoni +${money(150, "EUR")}`);
    expect(within(options).getByText("Extra cheese")).toHaveTextContent(/^Extra cheese$/);
    expect(within(pizza).queryByText("Sold out")).toBeNull();
    // read-only: nothing to press but the section links
    expect(screen.queryByRole("button")).toBeNull();
  });

  it("says Sold out for an 86'd item and hides its prices", async () => {
    const server = fakeServer({ [ROUTE]: () => json(guestMenu()) });
    renderApp({ path: "/guest/1?t=tok", server });
    const calzone = await screen.findByRole("article", { name: "Calzone" });
    expect(within(calzone).getByText("Sold out")).toBeInTheDocument();
    expect(calzone).not.toHaveTextContent(money(1450, "EUR"));
  });

  it("uses the currency's own minor digits (JPY has none)", async () => {
    const menu = guestMenu({ currency: "JPY" });
    const server = fakeServer({ [ROUTE]: () => json(menu) });
    renderApp({ path: "/guest/1?t=tok", server });
    const pizza = await screen.findByRole("article", { name: "Margherita" });
    expect(within(pizza).getByText("Small").parentElement).toHaveTextContent(money(1200, "JPY", 0));
    expect(money(1200, "JPY", 0)).toMatch(/1,200/);
  });

  it("says a dead or forged link does not work (401)", async () => {
    const server = fakeServer({
      [ROUTE]: () => problem(401, "invalid-table-token", "Invalid table link", { detail: "this table no longer exists" }),
    });
    renderApp({ path: "/guest/1?t=old-token", server });
    expect(await screen.findByRole("heading", { name: "This menu link does not work" })).toBeInTheDocument();
    expect(screen.getByText(/scan the code on your table again/)).toBeInTheDocument();
    expect(server.calls(ROUTE)).toHaveLength(1); // a 401 is not retried
  });

  it("says the same for a link without a token, and asks nothing of the server", async () => {
    const server = fakeServer({ [ROUTE]: () => json(guestMenu()) });
    renderApp({ path: "/guest/1", server });
    expect(await screen.findByRole("heading", { name: "This menu link does not work" })).toBeInTheDocument();
    expect(server.calls(ROUTE)).toHaveLength(0);
  });
});

describe("options shared by a whole category", () => {
  it("are the groups every item offers (two items or more), in the first item's order", () => {
    const other = { ...BBQ, id: 99, modifier_groups: [...BBQ.modifier_groups].reverse() };
    expect(sharedGroups([BBQ, other]).map((g) => g.name)).toEqual(["Extra toppings", "Crust"]);
    expect(sharedGroups([BBQ, BRIE])).toEqual([]);
    expect(sharedGroups([BBQ])).toEqual([]);
  });
});
