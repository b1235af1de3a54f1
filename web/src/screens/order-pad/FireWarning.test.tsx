import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { fakeServer, json, me, problem } from "../../test/fakeServer";
import { renderApp, signedInTokens } from "../../test/render";
import { earlierCourseNotReady } from "./orderLogic";
import { fakeOrderBackend, floorOf, itemOf, orderOf, tableOf, MENU } from "./testing";
import type { OrderRead } from "./types";

const FIRED = "2026-01-01T19:05:00Z";

function renderPad(order: OrderRead) {
  const server = fakeServer({
    "GET /api/v1/auth/me": () => json(me("waiter")),
    "GET /api/v1/restaurants/1/menu": () => json(MENU),
    "GET /api/v1/restaurants/1/floor": () =>
      json(floorOf([tableOf({ id: 4, name: "4", service_state: "seated", order_id: order.id, covers: 2 })])),
    "GET /api/v1/restaurants/1/orders/7/check": () => problem(404, "not-found", "Not found"),
  });
  const backend = fakeOrderBackend(server, order);
  renderApp({ path: "/r/1/orders/7", server, tokens: signedInTokens() });
  return { server, backend, user: userEvent.setup() };
}

const twoCourses = (status: "fired" | "preparing" | "ready") =>
  orderOf({
    version: 3,
    sent_at: FIRED,
    items: [itemOf({ id: 1, status, fired_at: FIRED }), itemOf({ id: 2, course: 2 })],
  });

describe("the server's pacing rule, on the pad", () => {
  it("names the first earlier course not ready and its least advanced state", () => {
    expect(earlierCourseNotReady(twoCourses("fired"), 2)).toEqual({ course: 1, state: "fired" });
    expect(earlierCourseNotReady(twoCourses("preparing"), 2)).toEqual({ course: 1, state: "preparing" });
    expect(earlierCourseNotReady(twoCourses("ready"), 2)).toBeNull();
    const mixed = orderOf({
      items: [
        itemOf({ id: 1, status: "ready", fired_at: FIRED }),
        itemOf({ id: 2, course: 2, status: "preparing", fired_at: FIRED }),
        itemOf({ id: 3, course: 2 }),
        itemOf({ id: 4, course: 3 }),
      ],
    });
    expect(earlierCourseNotReady(mixed, 3)).toEqual({ course: 2, state: "held" });
    const done = orderOf({
      items: [itemOf({ id: 1, status: "voided" }), itemOf({ id: 2, status: "served", fired_at: FIRED }), itemOf({ id: 3, course: 2 })],
    });
    expect(earlierCourseNotReady(done, 2)).toBeNull();
  });
});

describe("firing a course while an earlier one is not ready", () => {
  it("asks first; Wait fires nothing", async () => {
    const { server, user } = renderPad(twoCourses("preparing"));
    await user.click(await screen.findByRole("button", { name: "Fire course 2" }));
    const dialog = await screen.findByRole("dialog", { name: "Fire course 2 now?" });
    expect(dialog).toHaveTextContent("Course 1 is still being prepared.");
    await user.click(within(dialog).getByRole("button", { name: "Wait" }));
    expect(screen.queryByRole("dialog")).not.toBeInTheDocument();
    expect(server.calls("POST /api/v1/restaurants/1/orders/7/courses/2/fire")).toHaveLength(0);
  });

  it("fires with confirm: true after Fire anyway", async () => {
    const { server, backend, user } = renderPad(twoCourses("fired"));
    await user.click(await screen.findByRole("button", { name: "Fire course 2" }));
    const dialog = await screen.findByRole("dialog", { name: "Fire course 2 now?" });
    expect(dialog).toHaveTextContent("Course 1 is in the kitchen, not started.");
    await user.click(within(dialog).getByRole("button", { name: "Fire course 2 anyway" }));
    await waitFor(() => expect(backend.fired).toContain(2));
    const [call] = server.calls("POST /api/v1/restaurants/1/orders/7/courses/2/fire");
    expect(call?.body).toEqual({ version: 3, confirm: true });
  });

  it("fires at once, unconfirmed, when course 1 is ready", async () => {
    const { server, backend, user } = renderPad(twoCourses("ready"));
    await user.click(await screen.findByRole("button", { name: "Fire course 2" }));
    await waitFor(() => expect(backend.fired).toContain(2));
    expect(screen.queryByRole("dialog")).not.toBeInTheDocument();
    const [call] = server.calls("POST /api/v1/restaurants/1/orders/7/courses/2/fire");
    expect(call?.body).toEqual({ version: 3 });
  });
});
