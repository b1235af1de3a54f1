import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";

import { line, ticket } from "./testData";
import { TicketCard } from "./TicketCard";

const FIRED = "2026-01-01T19:00:00Z";
const at = (minutes: number, seconds = 0) => new Date(FIRED).getTime() + minutes * 60_000 + seconds * 1000;

function renderCard(props: Partial<Parameters<typeof TicketCard>[0]> = {}) {
  const onStep = vi.fn();
  const onLineStep = vi.fn();
  render(<TicketCard ticket={ticket(7, FIRED)} now={at(1)} onStep={onStep} onLineStep={onLineStep} {...props} />);
  return { onStep, onLineStep };
}

describe("TicketCard", () => {
  it("is an article named by ticket, table, order and course", () => {
    renderCard({ ticket: ticket(7, FIRED, { table_name: "4", order_id: 12, course: 2 }) });
    expect(screen.getByRole("article", { name: "Ticket 7 · Table 4 · Order 12 · Course 2" })).toBeInTheDocument();
  });

  it("says Takeaway for a ticket without a table", () => {
    renderCard({ ticket: ticket(7, FIRED, { table_name: null }) });
    expect(screen.getByRole("article", { name: /^Ticket 7 · Takeaway/ })).toBeInTheDocument();
    expect(screen.getByRole("heading", { name: "Takeaway" })).toBeInTheDocument();
  });

  it.each([
    [9, 59, "09:59", "ok", "On time"],
    [10, 0, "10:00", "warn", "Running behind"],
    [14, 59, "14:59", "warn", "Running behind"],
    [15, 0, "15:00", "late", "Late"],
    [42, 5, "42:05", "late", "Late"],
  ])("at %i:%i shows %s, level %s, in words: %s", (m, s, timer, level, words) => {
    renderCard({ now: at(m, s) });
    const age = screen.getByText(timer).closest(".kitchen-age");
    expect(age).toHaveAttribute("data-age-level", level);
    expect(age).toHaveClass(`kitchen-age-${level}`);
    expect(age).toHaveTextContent(words);
    expect(screen.getByRole("article")).toHaveClass(`kitchen-ticket-${level}`);
  });

  it("strikes a voided line through, says VOID, and does not let it be stepped", () => {
    const voided = line({ name: "Hawaiian", variation_name: "L", quantity: 2, voided: true, status: "voided" });
    const live = line({ name: "Margherita", variation_name: "S" });
    renderCard({ ticket: ticket(7, FIRED, { items: [voided, live] }) });
    const lines = within(screen.getByRole("list", { name: "Lines" })).getAllByRole("listitem");
    expect(lines).toHaveLength(2);
    const [voidLine, liveLine] = lines as [HTMLElement, HTMLElement];
    expect(within(voidLine).getByText("VOID")).toBeInTheDocument();
    const name = within(voidLine).getByText("Hawaiian");
    expect(name.closest("del")).not.toBeNull();
    expect(within(voidLine).queryByRole("button")).toBeNull();
    expect(within(liveLine).queryByText("VOID")).toBeNull();
    expect(within(liveLine).getByText("Margherita").closest("del")).toBeNull();
  });

  it("shows quantity × name (size), seat, modifiers and notes", () => {
    const item = line({
      name: "Barbecue Chicken",
      variation_name: "M",
      quantity: 2,
      seat: 3,
      notes: "no onions",
      modifiers: [
        { id: 1, name: "Extra cheese", price_delta: 0, label: "Extra cheese" },
        { id: 5, name: "Thin crust", price_delta: 0, label: "Thin crust" },
        { id: 9, name: "Red Onions", price_delta: 0, kind: "remove", label: "NO Red Onions" },
      ],
    });
    renderCard({ ticket: ticket(7, FIRED, { items: [item] }) });
    const button = screen.getByRole("button", { name: /2 × Barbecue Chicken \(M\)/ });
    expect(button).toHaveTextContent("Seat 3");
    expect(within(button).getByText("+ Extra cheese")).toHaveClass("kitchen-line-mod");
    expect(within(button).getByText("+ Thin crust")).toBeInTheDocument();
    // what is taken away prints as such, not as an extra
    expect(within(button).getByText("NO Red Onions")).toHaveClass("kind-remove");
    expect(button).toHaveAccessibleName(/\+ Thin crust · NO Red Onions · Note: no onions/);
    expect(within(button).getByText("no onions", { exact: false })).toHaveClass("kitchen-line-note");
  });

  it("steps a line with a tap: new → start, preparing → ready; a ready line is not a button", async () => {
    const user = userEvent.setup();
    const fresh = line({ name: "Margherita" });
    const cooking = line({ name: "Diavola", status: "preparing" });
    const done = line({ name: "Marinara", status: "ready" });
    const { onLineStep } = renderCard({ ticket: ticket(7, FIRED, { items: [fresh, cooking, done], status: "preparing" }) });
    await user.click(screen.getByRole("button", { name: /Margherita/ }));
    await user.click(screen.getByRole("button", { name: /Diavola/ }));
    expect(onLineStep.mock.calls).toEqual([
      [fresh, "start"],
      [cooking, "ready"],
    ]);
    expect(screen.queryByRole("button", { name: /Marinara/ })).toBeNull();
    expect(screen.getByText("Marinara")).toBeInTheDocument();
  });

  it("offers Start, Ready and Bump as the ticket's status allows", async () => {
    const user = userEvent.setup();
    const { onStep } = renderCard({ ticket: ticket(7, FIRED, { status: "preparing" }) });
    expect(screen.getByRole("button", { name: "Start" })).toBeDisabled();
    await user.click(screen.getByRole("button", { name: "Ready" }));
    await user.click(screen.getByRole("button", { name: "Bump" }));
    expect(onStep.mock.calls).toEqual([["ready"], ["bump"]]);
  });

  it("waits while a step is on its way, and shows a step's error on the ticket", () => {
    renderCard({ busy: true, error: new Error("The ticket was bumped already") });
    for (const name of ["Start", "Ready", "Bump"]) expect(screen.getByRole("button", { name })).toBeDisabled();
    expect(within(screen.getByRole("article")).getByRole("alert")).toHaveTextContent("The ticket was bumped already");
  });

  it("marks the lines a later send added, and says ADDED on the ticket", () => {
    const first = line({ name: "Margherita" });
    const added = line({ name: "Calzone", variation_name: "", batch: 2, added_at: FIRED });
    renderCard({ ticket: ticket(7, FIRED, { items: [first, added], added_at: FIRED }) });
    const card = screen.getByRole("article");
    expect(within(card).getByText("ADDED", { selector: ".kitchen-badge" })).toBeInTheDocument();
    expect(within(card).getByRole("button", { name: "1 × Calzone · ADDED · New" })).toBeInTheDocument();
    expect(within(card).getByRole("button", { name: "1 × Margherita (M) · New" })).toBeInTheDocument();
  });

  it("is late at its station's own target, and shows its bump-bar number and pick", () => {
    renderCard({ now: at(5), targetMs: 300_000, position: 3, selected: true });
    expect(screen.getByText("05:00").closest(".kitchen-age")).toHaveAttribute("data-age-level", "late");
    expect(screen.getByTitle("Bump bar key 3")).toHaveTextContent("3");
    expect(screen.getByRole("article")).toHaveAttribute("aria-current", "true");
    expect(screen.getByText("Picked")).toBeInTheDocument();
  });
});
