import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it } from "vitest";

import { fakeServer, json, me, problem } from "../../test/fakeServer";
import { renderApp, signedInTokens } from "../../test/render";
import { MENU, floorOf, itemOf, orderOf, tableOf } from "./testing";
import type { OrderRead } from "./types";

const VOID = "POST /api/v1/restaurants/1/orders/7/items/1/void";

function started(): OrderRead {
  return orderOf({
    items: [itemOf({ id: 1, status: "preparing", fired_at: "2026-01-01T19:05:00Z" })],
    subtotal: 2365,
    version: 3,
  });
}

function voidServer(order: OrderRead, voidReasons: string[] = []) {
  const calls: { body: unknown; device: string | null }[] = [];
  const answers: Response[] = [];
  const server = fakeServer({
    "GET /api/v1/auth/me": () => json(me("waiter")),
    "GET /api/v1/restaurants/1": () => json({ id: 1, name: "The Pizza Place", void_reasons: voidReasons }),
    "GET /api/v1/restaurants/1/menu": () => json(MENU),
    "GET /api/v1/restaurants/1/orders/7": () => json(order),
    "GET /api/v1/restaurants/1/floor": () =>
      json(floorOf([tableOf({ id: 4, name: "4", service_state: "in_kitchen", order_id: 7, covers: 2 })])),
    "GET /api/v1/restaurants/1/orders/7/check": () => problem(404, "not-found", "Not found"),
    "GET /api/v1/devices/current": () =>
      json({
        device: { id: 5, restaurant_id: 1, name: "Tablet", kind: "tablet", prefix: "brd_t", created_by: 1 },
        idle_seconds: 300,
        staff: [
          { user_id: 2, full_name: "Marco Manager", username: "manager", role: "manager" },
          { user_id: 3, full_name: "Wendy Waiter", username: "waiter", role: "waiter" },
        ],
      }),
    [VOID]: async (request) => {
      calls.push({ body: await request.clone().json(), device: request.headers.get("X-Brigade-Device") });
      return answers.shift() ?? json(order);
    },
  });
  return { server, calls, answers };
}

function pairDevice() {
  localStorage.setItem(
    "brigade.device",
    JSON.stringify({ secret: "brd_tablet", id: 5, name: "Tablet", kind: "tablet", restaurantId: 1, idleSeconds: 300 }),
  );
}

afterEach(() => localStorage.clear());

describe("a void after preparation", () => {
  it("asks a waiter for a manager's PIN on a registered device, and sends it with the device's secret", async () => {
    pairDevice();
    const order = started();
    const { server, calls, answers } = voidServer(order, ["Burnt", "Guest changed mind"]);
    renderApp({ path: "/r/1/orders/7", server, tokens: signedInTokens() });
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: "Void 1 × The Brie Carre Pizza (Small)" }));
    const dialog = await screen.findByRole("dialog", { name: "Void 1 × The Brie Carre Pizza" });
    const approval = within(dialog).getByRole("group", { name: "Manager approval" });
    expect(approval).toHaveTextContent("being prepared");

    // the restaurant's reasons to pick from; only managers may approve
    await user.click(within(dialog).getByRole("radio", { name: "Burnt" }));
    await within(approval).findByRole("radio", { name: "Marco Manager" });
    expect(within(approval).queryByRole("radio", { name: "Wendy Waiter" })).not.toBeInTheDocument();

    await user.click(within(dialog).getByRole("button", { name: "Approve and void" }));
    expect(within(approval).getByText("Choose the manager who approves.")).toBeInTheDocument();
    expect(calls).toHaveLength(0);

    await user.click(within(approval).getByRole("radio", { name: "Marco Manager" }));
    await user.type(within(approval).getByLabelText("Manager PIN"), "9999");
    answers.push(problem(403, "approval-invalid", "The approval is not valid", { detail: "the approver's PIN is wrong" }));
    await user.click(within(dialog).getByRole("button", { name: "Approve and void" }));
    expect(await within(approval).findByText("the approver's PIN is wrong")).toBeInTheDocument();

    const voided: OrderRead = {
      ...order,
      version: 4,
      subtotal: 0,
      items: [{ ...order.items[0]!, status: "voided", void_reason: "Burnt", void_approval_method: "pin" }],
    };
    answers.push(json(voided));
    await user.type(within(approval).getByLabelText("Manager PIN"), "4321");
    await user.click(within(dialog).getByRole("button", { name: "Approve and void" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
    expect(await screen.findByText("Reason: Burnt")).toBeInTheDocument();
    expect(calls.map((c) => c.body)).toEqual([
      { reason: "Burnt", approval: { method: "pin", approver_id: 2, pin: "9999" } },
      { reason: "Burnt", approval: { method: "pin", approver_id: 2, pin: "4321" } },
    ]);
    expect(calls.every((c) => c.device === "brd_tablet")).toBe(true);
    // the PIN is never kept on the device
    expect(JSON.stringify(localStorage)).not.toContain("4321");
  });

  it("asks for a manager's username and password off a registered device", async () => {
    const order = started();
    const { server, calls } = voidServer(order);
    renderApp({ path: "/r/1/orders/7", server, tokens: signedInTokens() });
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: "Void 1 × The Brie Carre Pizza (Small)" }));
    const dialog = await screen.findByRole("dialog", { name: "Void 1 × The Brie Carre Pizza" });
    await user.type(within(dialog).getByLabelText("Reason"), "burnt");
    await user.type(within(dialog).getByLabelText("Manager's username"), "manager");
    await user.type(within(dialog).getByLabelText("Manager's password"), "s3cret-pass");
    await user.click(within(dialog).getByRole("button", { name: "Approve and void" }));
    await waitFor(() => expect(calls).toHaveLength(1));
    expect(calls[0]).toEqual({
      body: { reason: "burnt", approval: { method: "password", username: "manager", password: "s3cret-pass" } },
      device: null,
    });
  });

  it("voids a line not started without asking for a manager", async () => {
    const order = orderOf({ items: [itemOf({ id: 1, status: "fired" })], subtotal: 2365, version: 3 });
    const { server } = voidServer(order);
    renderApp({ path: "/r/1/orders/7", server, tokens: signedInTokens() });
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: "Void 1 × The Brie Carre Pizza (Small)" }));
    const dialog = await screen.findByRole("dialog", { name: "Void 1 × The Brie Carre Pizza" });
    expect(within(dialog).queryByRole("group", { name: "Manager approval" })).not.toBeInTheDocument();
    expect(within(dialog).getByRole("button", { name: "Void line" })).toBeInTheDocument();
  });
});
