import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { fakeServer, json, me, problem } from "../../test/fakeServer";
import { renderApp, signedInTokens } from "../../test/render";
import { getOutbox, storageKey } from "./outbox";
import { MENU, fakeOrderBackend, floorOf, itemOf, orderOf, tableOf } from "./testing";
import type { OrderRead } from "./types";

function padServer(order: OrderRead = orderOf()) {
  const server = fakeServer({
    "GET /api/v1/auth/me": () => json(me("waiter")),
    "GET /api/v1/restaurants/1/menu": () => json(MENU),
    "GET /api/v1/restaurants/1/floor": () =>
      json(floorOf([tableOf({ id: 4, name: "4", service_state: "seated", order_id: order.id, covers: 2 })])),
    "GET /api/v1/restaurants/1/orders/7/check": () => problem(404, "not-found", "Not found"),
  });
  const backend = fakeOrderBackend(server, order);
  return { server, backend };
}

function renderPad(order?: OrderRead) {
  const { server, backend } = padServer(order);
  const view = renderApp({ path: "/r/1/orders/7", server, tokens: signedInTokens() });
  return { ...view, server, backend, user: userEvent.setup() };
}

/** Tap an item that needs a choice: its compact picker opens beside the menu. */
async function openPicker(user: ReturnType<typeof userEvent.setup>, name: string) {
  await user.click(await screen.findByRole("button", { name }));
  return screen.findByRole("region", { name });
}

/** One tap on an item that needs nothing (its only size). */
async function tapItem(user: ReturnType<typeof userEvent.setup>, name: string) {
  await user.click(await screen.findByRole("button", { name }));
}

const total = () => screen.getByTestId("order-total").textContent;
/** The "To send" group of the order. */
const toSend = () => within(document.querySelector<HTMLElement>(".pad-to-send")!);

describe("adding lines", () => {
  it("keeps the picker's sizes disabled, saying why, until every required choice is made", async () => {
    const { user } = renderPad();
    const picker = await openPicker(user, "The Barbecue Chicken Pizza");
    const medium = within(picker).getByRole("button", { name: /^Medium/ });

    expect(medium).toBeDisabled();
    expect(within(picker).getByText("Crust: choose 1 more.")).toBeInTheDocument();
    // focus where the next action is: the required crust
    expect(within(picker).getByRole("button", { name: "Thin crust" })).toHaveFocus();

    await user.click(within(picker).getByRole("button", { name: /^Gluten-free crust/ }));
    expect(medium).toBeEnabled();
    await user.click(medium);
    // $16.75 + $2.50; the picker stays open for the next one, its choices cleared
    expect(toSend().getByText("1 × The Barbecue Chicken Pizza (Medium)")).toBeInTheDocument();
    expect(toSend().getByText("Gluten-free crust")).toBeInTheDocument();
    expect(total()).toBe("$19.25");
    expect(within(picker).getByRole("button", { name: /^Gluten-free crust/ })).toHaveAttribute("aria-pressed", "false");
    expect(medium).toBeDisabled();
  });

  it("never lets a group exceed its maximum; a one-choice group swaps its choice", async () => {
    const { user } = renderPad();
    const picker = await openPicker(user, "The Barbecue Chicken Pizza");
    const toppings = within(picker).getByRole("group", { name: "Extra toppings" });
    const chip = (name: string | RegExp) => within(toppings).getByRole("button", { name });

    await user.click(chip("Extra cheese"));
    await user.click(chip(/^Pepperoni/));
    await user.click(chip("Mushrooms"));
    await user.click(chip(/^Jalapeños/));
    expect(chip(/^Jalapeños/)).toHaveAttribute("aria-pressed", "false");
    await user.click(chip("Mushrooms"));
    await user.click(chip(/^Jalapeños/));
    expect(chip(/^Jalapeños/)).toHaveAttribute("aria-pressed", "true");

    const crust = within(picker).getByRole("group", { name: "Crust" });
    await user.click(within(crust).getByRole("button", { name: "Thin crust" }));
    await user.click(within(crust).getByRole("button", { name: /^Gluten-free crust/ }));
    expect(within(crust).getByRole("button", { name: "Thin crust" })).toHaveAttribute("aria-pressed", "false");
    expect(within(crust).getByRole("button", { name: /^Gluten-free crust/ })).toHaveAttribute("aria-pressed", "true");
  });

  it("adds in one tap for the seat and course set on the bar; steppers, same again, edit, remove", async () => {
    const order = orderOf({
      items: [itemOf({ id: 1, status: "fired", fired_at: "2026-01-01T19:05:00Z" })],
      subtotal: 2365,
      version: 3,
    });
    const { user } = renderPad(order);
    await screen.findByRole("heading", { name: "Table 4" });
    expect(total()).toBe("$23.65");

    await user.click(screen.getByRole("button", { name: "Seat 2" }));
    await user.click(screen.getByRole("button", { name: "Course 2" }));
    await tapItem(user, "The Brie Carre Pizza");
    expect(toSend().getByText("1 × The Brie Carre Pizza (Small)")).toBeInTheDocument();
    expect(toSend().getByText("Seat 2")).toBeInTheDocument();
    expect(toSend().getByText("Draft · course 2")).toBeInTheDocument();
    expect(total()).toBe("$47.30");

    await user.click(screen.getByRole("button", { name: "One more The Brie Carre Pizza" }));
    expect(toSend().getByText("2 × The Brie Carre Pizza (Small)")).toBeInTheDocument();
    expect(total()).toBe("$70.95");
    await user.click(toSend().getByRole("button", { name: "Same again: 1 × The Brie Carre Pizza (Small)" }));
    expect(toSend().getAllByText("Seat 2")).toHaveLength(2);
    expect(total()).toBe("$94.60");

    // the full line dialog edits a draft
    await user.click(screen.getByRole("button", { name: "Edit 2 × The Brie Carre Pizza (Small)" }));
    const edit = await screen.findByRole("dialog", { name: "The Brie Carre Pizza" });
    await user.click(within(edit).getByRole("button", { name: "Minus one" }));
    await user.click(within(edit).getByRole("button", { name: "Save line" }));
    expect(total()).toBe("$70.95");

    await user.click(toSend().getAllByRole("button", { name: "Remove 1 × The Brie Carre Pizza (Small)" })[0]!);
    expect(total()).toBe("$47.30");
  });

  it("adds the highlighted search result with Enter and sends with Alt+S", async () => {
    const { user, backend } = renderPad();
    const search = await screen.findByLabelText("Search menu");
    await user.type(search, "brie{Enter}");
    expect(screen.getByText("1 × The Brie Carre Pizza (Small)")).toBeInTheDocument();
    expect(search).toHaveValue("");
    expect(search).toHaveFocus();
    await user.keyboard("{Alt>}s{/Alt}");
    await waitFor(() => expect(backend.order.items).toHaveLength(1));
    await waitFor(() => expect(backend.order.items[0]?.status).toBe("fired"));
  });

  it("shows 86'd items but does not let them be ordered, and search filters across categories", async () => {
    const { user } = renderPad();
    await screen.findByRole("button", { name: "The Barbecue Chicken Pizza" });
    await user.click(screen.getByRole("button", { name: "Drinks" }));
    const soda = screen.getByRole("button", { name: "Lemon Soda" });
    expect(soda).toBeDisabled();
    expect(soda).toHaveAccessibleDescription("86'd — not available");

    await user.type(screen.getByLabelText("Search menu"), "brie");
    expect(screen.getByRole("button", { name: "The Brie Carre Pizza" })).toBeEnabled();
    expect(screen.queryByRole("button", { name: "The Barbecue Chicken Pizza" })).not.toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Lemon Soda" })).not.toBeInTheDocument();
  });
});

describe("sending", () => {
  it("sends the draft: the lines are added, course 1 fires, course 2 waits for Fire course 2", async () => {
    const { user, server, backend } = renderPad();
    await tapItem(user, "The Brie Carre Pizza");
    await user.click(screen.getByRole("button", { name: "Course 2" }));
    await tapItem(user, "The Brie Carre Pizza");

    await user.click(screen.getByRole("button", { name: "Send" }));
    expect(await screen.findByText("Fired")).toBeInTheDocument();
    expect(screen.getByText("Held")).toBeInTheDocument();
    expect(backend.fired).toHaveLength(1);
    const [add] = server.calls("POST /api/v1/restaurants/1/orders/7/items");
    expect(add?.body).toMatchObject({ version: 1, items: [{ menu_item_id: 2, course: 1 }, { menu_item_id: 2, course: 2 }] });
    expect(total()).toBe("$47.30");

    await user.click(screen.getByRole("button", { name: "Fire course 2" }));
    // course 1 is still in the kitchen: the pad asks first (FireWarning.test.tsx)
    await user.click(await screen.findByRole("button", { name: "Fire course 2 anyway" }));
    await waitFor(() => expect(backend.fired).toHaveLength(2));
    await waitFor(() => expect(screen.queryByRole("button", { name: "Fire course 2" })).not.toBeInTheDocument());
    expect(screen.getAllByText("Fired")).toHaveLength(2);
  });

  it("shows a send that got no answer as pending, keeps it across a reload and sends it once with its key", async () => {
    const { server, backend } = padServer();
    const keys: (string | null)[] = [];
    const recording = {
      ...server,
      fetch: (request: Request) => {
        if (request.method === "POST" && request.url.endsWith("/items")) keys.push(request.headers.get("Idempotency-Key"));
        return server.fetch(request);
      },
    };
    const first = renderApp({ path: "/r/1/orders/7", server: recording, tokens: signedInTokens() });
    const user = userEvent.setup();
    await tapItem(user, "The Brie Carre Pizza");
    backend.failNext("items", "network", "network", "network", "network");
    await user.click(screen.getByRole("button", { name: "Send" }));
    expect(await screen.findByText(/^Pending — no connection, retrying/)).toBeInTheDocument();
    expect(screen.getByText(/Not confirmed yet/)).toBeInTheDocument();
    expect(total()).toBe("$23.65"); // still counted in the order's total
    expect(window.localStorage.getItem(storageKey(1, 7))).toContain('"kind":"add"');

    // the page goes away and is loaded again (a new app on the same storage); the connection is back
    getOutbox(first.services, 1, 7).dispose();
    first.unmount();
    backend.clearFailures();
    renderApp({ path: "/r/1/orders/7", server: recording, tokens: signedInTokens() });
    expect(await screen.findByText("Fired")).toBeInTheDocument();
    expect(backend.order.items).toHaveLength(1);
    expect(backend.fired).toHaveLength(1);
    expect(keys.length).toBeGreaterThanOrEqual(2);
    expect(new Set(keys)).toEqual(new Set([keys[0]]));
    expect(new Set(server.calls("POST /api/v1/restaurants/1/orders/7/items").map((r) => JSON.stringify(r.body))).size).toBe(1);
    expect(window.localStorage.getItem(storageKey(1, 7))).toBeNull();
  });

  it("shows a refused add next to the draft, with the server's message, and keeps the lines", async () => {
    const { user, backend, server } = renderPad();
    await tapItem(user, "The Brie Carre Pizza");
    backend.failNext("items", problem(409, "item-unavailable", "Item unavailable", { detail: "The Brie Carre Pizza was just 86'd." }));
    await user.click(screen.getByRole("button", { name: "Send" }));

    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("Not sent: The Brie Carre Pizza was just 86'd.");
    expect(screen.getByText("Draft")).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Remove 1 × The Brie Carre Pizza (Small)" })).toBeInTheDocument();
    expect(server.calls("POST /api/v1/restaurants/1/orders/7/send")).toHaveLength(0);
  });
});

describe("voiding and the other actions", () => {
  it("voids a line only with a reason and shows the server's refusal in the dialog", async () => {
    const order = orderOf({
      items: [itemOf({ id: 1, status: "fired", fired_at: "2026-01-01T19:05:00Z" }), itemOf({ id: 2, course: 2 })],
      subtotal: 4730,
      version: 3,
    });
    const { user, backend } = renderPad(order);
    backend.allowVoid([1, 2]);
    const voids = await screen.findAllByRole("button", { name: "Void 1 × The Brie Carre Pizza (Small)" });
    await user.click(voids[0]!);
    let dialog = await screen.findByRole("dialog", { name: "Void 1 × The Brie Carre Pizza" });
    await user.click(within(dialog).getByRole("button", { name: "Void line" }));
    expect(within(dialog).getByRole("alert")).toHaveTextContent("Give a reason for the void.");
    expect(within(dialog).getByLabelText("Reason")).toHaveAttribute("aria-invalid", "true");

    backend.failNext("void", problem(403, "permission-denied", "Permission denied", { detail: "Voiding a fired line needs a manager." }));
    await user.type(within(dialog).getByLabelText("Reason"), "Sent to the wrong table");
    await user.click(within(dialog).getByRole("button", { name: "Void line" }));
    expect(await within(dialog).findByText("Voiding a fired line needs a manager.")).toBeInTheDocument();
    expect(backend.order.items[0]?.status).toBe("fired");

    await user.click(within(dialog).getByRole("button", { name: "Keep line" }));
    await user.click(screen.getAllByRole("button", { name: "Void 1 × The Brie Carre Pizza (Small)" })[1]!);
    dialog = await screen.findByRole("dialog", { name: "Void 1 × The Brie Carre Pizza" });
    await user.type(within(dialog).getByLabelText("Reason"), "Guest changed their mind");
    await user.click(within(dialog).getByRole("button", { name: "Void line" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
    expect(await screen.findByText("Reason: Guest changed their mind")).toBeInTheDocument();
    expect(total()).toBe("$23.65");
    // the held course had only that line: nothing left to fire
    expect(screen.queryByRole("button", { name: "Fire course 2" })).not.toBeInTheDocument();
  });

  it("offers Mark served for ready lines and Cancel order only while nothing was fired", async () => {
    const ready = orderOf({
      items: [itemOf({ id: 1, status: "ready", fired_at: "2026-01-01T19:05:00Z" })],
      subtotal: 2365,
      version: 4,
    });
    const { user, backend } = renderPad(ready);
    expect(await screen.findByText("Ready")).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Cancel order" })).not.toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Mark served" }));
    expect(await screen.findByText("Served")).toBeInTheDocument();
    expect(backend.order.items[0]?.status).toBe("served");
    expect(screen.queryByRole("button", { name: "Mark served" })).not.toBeInTheDocument();
  });

  it("cancels an order with nothing fired, with a reason, and goes back to the floor", async () => {
    const order = orderOf({ items: [itemOf({ id: 1 })], subtotal: 2365 });
    const { user, server, router } = renderPad(order);
    server.on("POST /api/v1/restaurants/1/orders/7/cancel", () =>
      json({ ...order, status: "cancelled", cancel_reason: "Guests left", version: 2 }),
    );
    await user.click(await screen.findByRole("button", { name: "Cancel order" }));
    const dialog = await screen.findByRole("dialog", { name: "Cancel this order?" });
    await user.type(within(dialog).getByLabelText("Reason"), "Guests left");
    await user.click(within(dialog).getByRole("button", { name: "Confirm cancel" }));
    await waitFor(() => expect(router.state.location.pathname).toBe("/r/1/floor"));
    expect(server.calls("POST /api/v1/restaurants/1/orders/7/cancel")[0]?.body).toEqual({ reason: "Guests left", version: 1 });
  });

  it("shows a refused check request next to its button", async () => {
    const order = orderOf({ items: [itemOf({ id: 1, status: "fired", fired_at: "2026-01-01T19:05:00Z" })], subtotal: 2365 });
    const { user, server } = renderPad(order);
    server.on("POST /api/v1/restaurants/1/orders/7/check", () =>
      problem(403, "permission-denied", "Permission denied", { detail: "this action needs the 'billing:write' permission" }),
    );
    await user.click(await screen.findByRole("button", { name: "Request check" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("this action needs the 'billing:write' permission");

    server.on("POST /api/v1/restaurants/1/orders/7/check", () => json({ id: 3, order_id: 7, version: 1 }, 201));
    await user.click(screen.getByRole("button", { name: "Request check" }));
    expect(await screen.findByText("Check requested")).toBeInTheDocument();
  });
});
