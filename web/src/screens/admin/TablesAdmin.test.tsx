import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { json, problem } from "../../test/fakeServer";
import { renderApp, signedInTokens } from "../../test/render";
import { adminServer, table } from "./testData";

const BASE = "/api/v1/restaurants/1";
const tables = [
  table({ id: 1, name: "1", area_id: 1 }),
  table({ id: 2, name: "2", area_id: 1, seats: 2 }),
  table({ id: 9, name: "9", area_id: 2, status: "occupied", current_order_id: 42, version: 3 }),
  table({ id: 20, name: "Bar stool", area_id: null, seats: 1 }),
];

function tablesServer(extra = {}) {
  return adminServer({
    [`GET ${BASE}/tables`]: () => json({ items: tables, total: tables.length }),
    ...extra,
  });
}

const svg = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 8 8"><title>Menu</title></svg>';

describe("tables and areas", () => {
  it("lists the tables by area", async () => {
    renderApp({ path: "/r/1/admin/tables", server: tablesServer(), tokens: signedInTokens() });
    const panel = await screen.findByRole("region", { name: "Tables" });
    expect(within(panel).getByRole("heading", { name: "Dining room" })).toBeInTheDocument();
    expect(within(panel).getByRole("heading", { name: "No area" })).toBeInTheDocument();
    expect(within(panel).getByRole("button", { name: "Edit Table 9" })).toBeInTheDocument();
    expect(within(panel).getByRole("button", { name: "Edit Bar stool" })).toBeInTheDocument();
  });

  it("adds a table and shows a taken name next to the name", async () => {
    const server = tablesServer({
      [`POST ${BASE}/tables`]: () => problem(409, "table-name-taken", "Conflict", { detail: "a table named '2' exists" }),
    });
    renderApp({ path: "/r/1/admin/tables", server, tokens: signedInTokens() });
    const form = await screen.findByRole("form", { name: "New table" });
    await userEvent.type(within(form).getByLabelText("Table name"), "2");
    const seats = within(form).getByLabelText("Seats");
    await userEvent.clear(seats);
    await userEvent.type(seats, "6");
    await userEvent.selectOptions(within(form).getByLabelText("Area"), "Terrace");
    await userEvent.click(within(form).getByRole("button", { name: "Add table" }));

    const message = await within(form).findByText("There is already a table named 2.");
    expect(within(form).getByLabelText("Table name")).toHaveAttribute("aria-describedby", message.id);
    expect(server.calls(`POST ${BASE}/tables`)[0]?.body).toEqual({ name: "2", seats: 6, area_id: 2, position: 4 });
  });

  it("edits a table with its version", async () => {
    const server = tablesServer({
      [`PATCH ${BASE}/tables/9`]: () => json({ ...tables[2], seats: 8, version: 4 }),
    });
    renderApp({ path: "/r/1/admin/tables", server, tokens: signedInTokens() });
    await userEvent.click(await screen.findByRole("button", { name: "Edit Table 9" }));
    const form = screen.getByRole("form", { name: "Edit Table 9" });
    const seats = within(form).getByLabelText("Seats");
    await userEvent.clear(seats);
    await userEvent.type(seats, "8");
    await userEvent.click(within(form).getByRole("button", { name: "Save" }));
    await waitFor(() => expect(server.calls(`PATCH ${BASE}/tables/9`)).toHaveLength(1));
    expect(server.calls(`PATCH ${BASE}/tables/9`)[0]?.body).toEqual({ name: "9", seats: 8, area_id: 2, version: 3 });
  });

  it("says why a table with an open order cannot be deleted", async () => {
    const server = tablesServer({
      [`DELETE ${BASE}/tables/9`]: () => problem(409, "table-occupied", "Conflict", { detail: "table '9' has an open order" }),
    });
    renderApp({ path: "/r/1/admin/tables", server, tokens: signedInTokens() });
    await userEvent.click(await screen.findByRole("button", { name: "Delete Table 9" }));
    const dialog = screen.getByRole("dialog", { name: "Delete Table 9?" });
    await userEvent.click(within(dialog).getByRole("button", { name: "Delete table" }));
    expect(await within(dialog).findByRole("alert")).toHaveTextContent("Table 9 has an open order: close or move it first.");
    expect(new URL(server.calls(`DELETE ${BASE}/tables/9`)[0]!.url).searchParams.get("version")).toBe("3");
  });

  it("creates an area", async () => {
    const server = tablesServer({ [`POST ${BASE}/areas`]: () => json({ id: 3, name: "Bar", position: 2 }, 201) });
    renderApp({ path: "/r/1/admin/tables", server, tokens: signedInTokens() });
    const form = await screen.findByRole("form", { name: "New area" });
    await userEvent.type(within(form).getByLabelText("Area name"), "Bar");
    await userEvent.click(within(form).getByRole("button", { name: "Add area" }));
    await waitFor(() => expect(server.calls(`POST ${BASE}/areas`)).toHaveLength(1));
    expect(server.calls(`POST ${BASE}/areas`)[0]?.body).toEqual({ name: "Bar", position: 2 });
  });
});

describe("printable QR codes", () => {
  const created: Blob[] = [];
  // jsdom has no object URLs: give URL the two functions for these tests only
  const names = ["createObjectURL", "revokeObjectURL"] as const;
  const original = names.map((name) => [name, Object.getOwnPropertyDescriptor(URL, name)] as const);
  let revoke = vi.fn((_url: string) => undefined);
  beforeEach(() => {
    created.length = 0;
    URL.createObjectURL = vi.fn((blob: Blob) => {
      created.push(blob);
      return `blob:qr-${created.length}`;
    });
    revoke = vi.fn((_url: string) => undefined);
    URL.revokeObjectURL = revoke;
  });
  afterEach(() => {
    for (const [name, descriptor] of original) {
      if (descriptor === undefined) Reflect.deleteProperty(URL, name);
      else Object.defineProperty(URL, name, descriptor);
    }
  });

  it("prints one table's QR code on its own", async () => {
    const server = tablesServer();
    for (const t of tables) {
      server.on(`GET ${BASE}/tables/${t.id}/qr.svg`, () => new Response(svg, { headers: { "content-type": "image/svg+xml" } }));
    }
    const print = vi.fn();
    vi.stubGlobal("print", print);
    const { router } = renderApp({ path: "/r/1/admin/tables", server, tokens: signedInTokens("access-qr") });

    await userEvent.click(await screen.findByRole("button", { name: "Print the QR code of Table 9" }));
    expect(router.state.location.search).toBe("?view=qr&table=9");
    const sheet = await screen.findByRole("list", { name: "QR code cards" });
    expect(within(sheet).getAllByRole("listitem").map((c) => c.getAttribute("aria-label"))).toEqual(["Table 9"]);
    expect(server.calls(`GET ${BASE}/tables/1/qr.svg`)).toHaveLength(0);
    for (const img of await within(sheet).findAllByRole("img")) fireEvent.load(img);
    await userEvent.click(screen.getByRole("button", { name: "Print" }));
    expect(print).toHaveBeenCalledTimes(1);
  });

  it("shows one card per table with its QR code fetched with the login, and prints", async () => {
    const server = tablesServer();
    for (const t of tables) {
      server.on(`GET ${BASE}/tables/${t.id}/qr.svg`, () => new Response(svg, { headers: { "content-type": "image/svg+xml" } }));
    }
    const print = vi.fn();
    vi.stubGlobal("print", print);
    const { router } = renderApp({ path: "/r/1/admin/tables", server, tokens: signedInTokens("access-qr") });

    await userEvent.click(await screen.findByRole("button", { name: "Print QR codes" }));
    expect(router.state.location.search).toBe("?view=qr");
    const sheet = await screen.findByRole("list", { name: "QR code cards" });
    const cards = within(sheet).getAllByRole("listitem");
    expect(cards.map((c) => c.getAttribute("aria-label"))).toEqual(["Table 1", "Table 2", "Table 9", "Bar stool"]);

    const card = within(sheet).getByRole("listitem", { name: "Table 9" });
    const image = await within(card).findByRole("img", { name: "QR code: the menu at Table 9" });
    expect(image.getAttribute("src")).toMatch(/^blob:qr-/);
    expect(within(card).getByText("The Pizza Place")).toBeInTheDocument();
    const call = server.calls(`GET ${BASE}/tables/9/qr.svg`)[0];
    expect(call?.authorization).toBe("Bearer access-qr");
    expect(await created[0]?.text()).toContain("<svg");

    for (const img of await within(sheet).findAllByRole("img")) fireEvent.load(img);
    expect(await screen.findByText("4 cards, ready to print.")).toBeInTheDocument();

    await userEvent.click(screen.getByRole("button", { name: "Print" }));
    expect(print).toHaveBeenCalledTimes(1);

    await userEvent.click(screen.getByRole("button", { name: "Back to tables" }));
    expect(await screen.findByRole("heading", { name: "Tables and QR codes" })).toBeInTheDocument();
    expect(revoke).toHaveBeenCalledTimes(4);
  });
});
