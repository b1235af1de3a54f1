import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeAll, describe, expect, it } from "vitest";

import { json, problem } from "../../test/fakeServer";
import { renderApp, signedInTokens } from "../../test/render";
import { freeSpot } from "./FloorPlanAdmin";
import { adminServer, restaurant, table } from "./testData";

const BASE = "/api/v1/restaurants/1";

beforeAll(() => {
  // jsdom has no PointerEvent: a MouseEvent with a pointer id stands in for it
  if (typeof window.PointerEvent === "undefined") {
    class PointerEventShim extends MouseEvent {
      pointerId: number;
      constructor(type: string, init: PointerEventInit = {}) {
        super(type, init);
        this.pointerId = init.pointerId ?? 1;
      }
    }
    window.PointerEvent = PointerEventShim as unknown as typeof PointerEvent;
  }
});

const TABLES = [
  table({ id: 1, name: "1", area_id: 1, plan_x: 100, plan_y: 100, version: 4 }),
  table({ id: 2, name: "2", area_id: 1, seats: 2 }),
  table({ id: 9, name: "9", area_id: 2, plan_x: 0, plan_y: 0 }),
];

function planServer(extra = {}) {
  return adminServer({
    [`GET ${BASE}/tables`]: () => json({ items: TABLES, total: TABLES.length }),
    ...extra,
  });
}

describe("placing tables", () => {
  it("finds the first free slot of the grid", () => {
    expect(freeSpot([], 80, 80)).toEqual({ x: 20, y: 20 });
    expect(freeSpot([table({ plan_x: 20, plan_y: 20 })], 80, 80)).toEqual({ x: 120, y: 20 });
  });
});

describe("the floor plan editor", () => {
  it("drags a table and saves where it lands with the table's version", async () => {
    const server = planServer({
      [`PATCH ${BASE}/tables/1`]: async (request: Request) =>
        json({ ...TABLES[0], ...((await request.json()) as object), version: 5 }),
    });
    renderApp({ path: "/r/1/admin/floor-plan", server, tokens: signedInTokens() });
    const plan = await screen.findByRole("group", { name: "Floor plan" });
    const one = within(plan).getByRole("button", { name: "Table 1, at 100, 100" });
    expect(within(plan).queryByRole("button", { name: /Table 9/ })).not.toBeInTheDocument(); // the terrace's

    fireEvent.pointerDown(one, { clientX: 10, clientY: 10, button: 0, pointerId: 1 });
    fireEvent.pointerMove(one, { clientX: 60, clientY: 40, pointerId: 1 });
    fireEvent.pointerUp(one, { clientX: 60, clientY: 40, pointerId: 1 });

    await waitFor(() => expect(server.calls(`PATCH ${BASE}/tables/1`)).toHaveLength(1));
    expect(server.calls(`PATCH ${BASE}/tables/1`)[0]?.body).toEqual({ plan_x: 150, plan_y: 130, version: 4 });
    expect(await within(plan).findByRole("button", { name: "Table 1, at 150, 130" })).toBeInTheDocument();
  });

  it("says so when someone else changed the table, and re-reads the plan", async () => {
    let reads = 0;
    const server = planServer({
      [`GET ${BASE}/tables`]: () => {
        reads += 1;
        return json({ items: TABLES, total: TABLES.length });
      },
      [`PATCH ${BASE}/tables/1`]: () => problem(409, "stale-version", "Conflict", { detail: "table 1 is at version 5, not 4" }),
    });
    renderApp({ path: "/r/1/admin/floor-plan", server, tokens: signedInTokens() });
    const plan = await screen.findByRole("group", { name: "Floor plan" });
    const one = within(plan).getByRole("button", { name: "Table 1, at 100, 100" });
    one.focus();
    await userEvent.setup().keyboard("{ArrowRight}");
    expect(await screen.findByText(/Someone else changed this table meanwhile/)).toBeInTheDocument();
    expect(server.calls(`PATCH ${BASE}/tables/1`)[0]?.body).toEqual({ plan_x: 110, plan_y: 100, version: 4 });
    await waitFor(() => expect(reads).toBeGreaterThan(1));
  });

  it("sets the selected table's shape, size, seats and waiter", async () => {
    const server = planServer({
      [`PATCH ${BASE}/tables/1`]: async (request: Request) =>
        json({ ...TABLES[0], ...((await request.json()) as object), version: 5 }),
    });
    renderApp({ path: "/r/1/admin/floor-plan", server, tokens: signedInTokens() });
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: "Table 1, at 100, 100" }));
    const form = screen.getByRole("form", { name: "Table 1 on the plan" });
    await user.selectOptions(within(form).getByLabelText("Shape"), "rectangle");
    await user.clear(within(form).getByLabelText("Width"));
    await user.type(within(form).getByLabelText("Width"), "160");
    await user.clear(within(form).getByLabelText("Seats"));
    await user.type(within(form).getByLabelText("Seats"), "6");
    await user.selectOptions(within(form).getByLabelText("Waiter (section)"), "Walt Waiter");
    await user.click(within(form).getByRole("button", { name: "Save table" }));
    await waitFor(() => expect(server.calls(`PATCH ${BASE}/tables/1`)).toHaveLength(1));
    expect(server.calls(`PATCH ${BASE}/tables/1`)[0]?.body).toEqual({
      shape: "rectangle",
      plan_width: 160,
      plan_height: 80,
      seats: 6,
      waiter_id: 2,
      plan_x: 100,
      plan_y: 100,
      version: 4,
    });
  });

  it("refuses a size off the limits before asking the server", async () => {
    const server = planServer();
    renderApp({ path: "/r/1/admin/floor-plan", server, tokens: signedInTokens() });
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: "Table 1, at 100, 100" }));
    const form = screen.getByRole("form", { name: "Table 1 on the plan" });
    await user.clear(within(form).getByLabelText("Height"));
    await user.type(within(form).getByLabelText("Height"), "5");
    await user.click(within(form).getByRole("button", { name: "Save table" }));
    expect(within(form).getByRole("alert")).toHaveTextContent("Width and height: whole numbers from 30 to 400.");
    expect(server.calls(`PATCH ${BASE}/tables/1`)).toHaveLength(0);
  });

  it("places a table that is not on the plan", async () => {
    const server = planServer({
      [`PATCH ${BASE}/tables/2`]: async (request: Request) =>
        json({ ...TABLES[1], ...((await request.json()) as object), version: 2 }),
    });
    renderApp({ path: "/r/1/admin/floor-plan", server, tokens: signedInTokens() });
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: "Place Table 2 on the plan" }));
    await waitFor(() => expect(server.calls(`PATCH ${BASE}/tables/2`)).toHaveLength(1));
    expect(server.calls(`PATCH ${BASE}/tables/2`)[0]?.body).toEqual({ plan_x: 20, plan_y: 20, version: 1 });
  });

  it("sets the restaurant's course pacing", async () => {
    const server = planServer({
      [`PATCH ${BASE}`]: async (request: Request) => json({ ...restaurant(), ...((await request.json()) as object) }),
    });
    renderApp({ path: "/r/1/admin/floor-plan", server, tokens: signedInTokens() });
    const user = userEvent.setup();
    const form = await screen.findByRole("form", { name: "Course pacing" });
    const field = within(form).getByLabelText(/minutes after the previous one is bumped/);
    await user.clear(field);
    await user.type(field, "12");
    await user.click(within(form).getByRole("button", { name: "Save pacing" }));
    await waitFor(() => expect(server.calls(`PATCH ${BASE}`)).toHaveLength(1));
    expect(server.calls(`PATCH ${BASE}`)[0]?.body).toEqual({ course_auto_fire_minutes: 12 });
  });
});
