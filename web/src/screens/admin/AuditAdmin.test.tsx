import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { json, problem } from "../../test/fakeServer";
import { renderApp, signedInTokens } from "../../test/render";
import { shown } from "./AuditAdmin";
import { adminServer } from "./testData";

const ROUTE = "GET /api/v1/restaurants/1/audit";

function entry(overrides: Record<string, unknown> = {}) {
  return {
    id: 7,
    restaurant_id: 1,
    at: "2026-12-03T20:15:00Z",
    kind: "line.voided",
    user_id: 3,
    username: "wally",
    actor: "user:3",
    address: "10.0.0.7",
    subject: "order_item:12",
    summary: "1 × Margherita on order 4: guest left",
    before: { name: "Margherita", quantity: 1 },
    after: { status: "voided", void_reason: "guest left" },
    ...overrides,
  };
}

describe("audit log", () => {
  it("lists who did what, from where, before and after", async () => {
    const server = adminServer({ [ROUTE]: () => json({ items: [entry()], total: 1 }) });
    renderApp({ path: "/r/1/admin/audit", server, tokens: signedInTokens() });
    const table = await screen.findByRole("table");
    const row = within(table).getAllByRole("row")[1]!;
    expect(row).toHaveTextContent("wally");
    expect(row).toHaveTextContent("10.0.0.7");
    expect(row).toHaveTextContent("Line voided");
    expect(row).toHaveTextContent("name: Margherita, quantity: 1");
    expect(row).toHaveTextContent("status: voided, void_reason: guest left");
    expect(screen.getByText("1 entry")).toHaveAttribute("role", "status");
  });

  it("sends the filters: person, kind and dates", async () => {
    const server = adminServer({ [ROUTE]: () => json({ items: [], total: 0 }) });
    renderApp({ path: "/r/1/admin/audit", server, tokens: signedInTokens() });
    expect(await screen.findByText("No entries match.")).toBeInTheDocument();
    const form = screen.getByRole("form", { name: "Audit filters" });
    const person = within(form).getByLabelText("Person");
    await waitFor(() => expect(within(person).getAllByRole("option").length).toBeGreaterThan(1));
    const someone = within(person).getAllByRole("option")[1]!;
    await userEvent.selectOptions(person, someone);
    await userEvent.selectOptions(within(form).getByLabelText("What"), "Refund");
    await userEvent.type(within(form).getByLabelText("From"), "2026-12-01");
    await userEvent.type(within(form).getByLabelText("To"), "2026-12-03");
    await userEvent.click(within(form).getByRole("button", { name: "Show" }));
    await waitFor(() => expect(server.calls(ROUTE).length).toBeGreaterThan(1));
    const url = new URL(server.calls(ROUTE).at(-1)!.url);
    expect(url.searchParams.get("user_id")).toBe(someone.getAttribute("value"));
    expect(url.searchParams.get("kind")).toBe("payment.refunded");
    expect(url.searchParams.get("start_date")).toBe("2026-12-01");
    expect(url.searchParams.get("end_date")).toBe("2026-12-03");
  });

  it("refuses a range that ends before it starts", async () => {
    const server = adminServer({ [ROUTE]: () => json({ items: [], total: 0 }) });
    renderApp({ path: "/r/1/admin/audit", server, tokens: signedInTokens() });
    const form = await screen.findByRole("form", { name: "Audit filters" });
    await userEvent.type(within(form).getByLabelText("From"), "2026-12-05");
    await userEvent.type(within(form).getByLabelText("To"), "2026-12-01");
    expect(within(form).getByRole("alert")).toHaveTextContent("The start date is after the end date.");
    expect(within(form).getByRole("button", { name: "Show" })).toBeDisabled();
  });

  it("says when the role may not read it", async () => {
    const server = adminServer({ [ROUTE]: () => problem(403, "permission-denied", "Permission denied") });
    renderApp({ path: "/r/1/admin/audit", server, tokens: signedInTokens() });
    expect(await screen.findByRole("heading", { name: "Not allowed" })).toBeInTheDocument();
  });

  it("shows values compactly", () => {
    expect(shown(null)).toBe("—");
    expect(shown({})).toBe("—");
    expect(shown({ price: 1250, sizes: ["S", "L"] })).toBe('price: 1250, sizes: ["S","L"]');
    expect(shown("x")).toBe("x");
  });
});
