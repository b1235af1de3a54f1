import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { json, problem } from "../../test/fakeServer";
import { renderApp, signedInTokens } from "../../test/render";
import { adminServer, restaurant } from "./testData";

const ROUTE = "PATCH /api/v1/restaurants/1";

async function openSettings(server = adminServer()) {
  renderApp({ path: "/r/1/admin/settings", server, tokens: signedInTokens() });
  return screen.findByRole("form", { name: "Restaurant settings" });
}

describe("settings", () => {
  it("shows the settings, the tax rate in percent", async () => {
    const form = await openSettings();
    expect(within(form).getByLabelText("Restaurant name")).toHaveValue("The Pizza Place");
    expect(within(form).getByLabelText("Currency")).toHaveValue("USD");
    expect(within(form).getByLabelText("Time zone")).toHaveValue("America/New_York");
    expect(within(form).getByLabelText("Tax rate (%)")).toHaveValue("8.25");
    expect(within(form).getByRole("radio", { name: /Exclude tax/ })).toBeChecked();
  });

  it("saves only what changed, the tax rate as basis points", async () => {
    const server = adminServer({ [ROUTE]: () => json(restaurant({ tax_rate_bp: 2000, tax_inclusive: true, time_zone: "Europe/Paris" })) });
    const form = await openSettings(server);
    const tax = within(form).getByLabelText("Tax rate (%)");
    await userEvent.clear(tax);
    await userEvent.type(tax, "20");
    await userEvent.click(within(form).getByRole("radio", { name: /Include tax/ }));
    await userEvent.selectOptions(within(form).getByLabelText("Time zone"), "Europe/Paris");
    await userEvent.click(within(form).getByRole("button", { name: "Save settings" }));

    await waitFor(() => expect(server.calls(ROUTE)).toHaveLength(1));
    expect(server.calls(ROUTE)[0]?.body).toEqual({ tax_rate_bp: 2000, tax_inclusive: true, time_zone: "Europe/Paris" });
    expect(await within(form).findByRole("status")).toHaveTextContent("Settings saved.");
  });

  it("turns 8.25 % into 825 exactly and refuses 3 decimals without sending", async () => {
    const server = adminServer({ [ROUTE]: () => json(restaurant({ tax_rate_bp: 1015 })) });
    const form = await openSettings(server);
    const tax = within(form).getByLabelText("Tax rate (%)");
    await userEvent.clear(tax);
    await userEvent.type(tax, "8.125");
    await userEvent.click(within(form).getByRole("button", { name: "Save settings" }));
    expect(await within(form).findByText("Tax rate has at most 2 decimal places.")).toBeInTheDocument();
    expect(server.calls(ROUTE)).toHaveLength(0);

    await userEvent.clear(tax);
    await userEvent.type(tax, "10.15"); // 10.15 * 100 = 1014.9999999999999 in floating point
    await userEvent.click(within(form).getByRole("button", { name: "Save settings" }));
    await waitFor(() => expect(server.calls(ROUTE)).toHaveLength(1));
    expect(server.calls(ROUTE)[0]?.body).toEqual({ tax_rate_bp: 1015 });
  });

  it("takes another currency code, checks it, and shows the server's refusal under it", async () => {
    const server = adminServer({
      [ROUTE]: () => problem(422, "unknown-currency", "Unknown currency", { detail: "ISK is not a currency we can use" }),
    });
    const form = await openSettings(server);
    await userEvent.selectOptions(within(form).getByLabelText("Currency"), "other");
    const code = within(form).getByLabelText("Currency code");
    await userEvent.type(code, "zz");
    await userEvent.click(within(form).getByRole("button", { name: "Save settings" }));
    expect(await within(form).findByText("Enter an ISO 4217 code of 3 letters, e.g. EUR.")).toBeInTheDocument();
    expect(server.calls(ROUTE)).toHaveLength(0);

    await userEvent.clear(code);
    await userEvent.type(code, "isk");
    expect(within(form).getByRole("note")).toHaveTextContent("Prices are not converted");
    await userEvent.click(within(form).getByRole("button", { name: "Save settings" }));
    await waitFor(() => expect(server.calls(ROUTE)).toHaveLength(1));
    expect(server.calls(ROUTE)[0]?.body).toEqual({ currency: "ISK" });
    const message = await within(form).findByText("ISK is not a currency we can use");
    expect(code).toHaveAttribute("aria-describedby", expect.stringContaining(message.id));
  });

  it("shows a validation error under its field", async () => {
    const server = adminServer({
      [ROUTE]: () =>
        problem(422, "validation-error", "Request validation failed", {
          errors: [{ loc: ["body", "name"], msg: "String should have at most 200 characters" }],
        }),
    });
    const form = await openSettings(server);
    await userEvent.type(within(form).getByLabelText("Restaurant name"), " & Bar");
    await userEvent.click(within(form).getByRole("button", { name: "Save settings" }));
    const message = await within(form).findByText("String should have at most 200 characters");
    expect(within(form).getByLabelText("Restaurant name")).toHaveAttribute("aria-describedby", message.id);
  });
});

describe("service settings", () => {
  async function openService(server = adminServer()) {
    renderApp({ path: "/r/1/admin/settings", server, tokens: signedInTokens() });
    return screen.findByRole("form", { name: "Service settings" });
  }

  it("adds opening hours, a station target and a switch, and sends only those", async () => {
    const server = adminServer({
      [ROUTE]: async (request) => {
        const body = (await request.json()) as Record<string, unknown>;
        return json(
          restaurant({
            opening_hours: body.opening_hours as [],
            station_prep_targets: body.station_prep_targets as Record<string, number>,
            features: { coursing: true, tips: false, loyalty: false, guest_ordering: false },
          }),
        );
      },
    });
    const form = await openService(server);
    expect(within(form).getByText("No opening hours set.")).toBeInTheDocument();
    await userEvent.click(within(form).getByRole("button", { name: "Add opening period" }));
    await userEvent.selectOptions(within(form).getByLabelText("Weekday of period 1"), "Friday");
    const closes = within(form).getByLabelText("Closes (period 1)");
    await userEvent.clear(closes);
    await userEvent.type(closes, "02:00");
    await userEvent.click(within(form).getByRole("button", { name: "Add station target" }));
    const station = within(form).getByLabelText("Station 1");
    await userEvent.clear(station);
    await userEvent.type(station, "grill");
    const minutes = within(form).getByLabelText("Target minutes (station 1)");
    await userEvent.clear(minutes);
    await userEvent.type(minutes, "12.5");
    await userEvent.click(within(form).getByRole("checkbox", { name: "Tips on card payments" }));
    await userEvent.click(within(form).getByRole("button", { name: "Save service settings" }));

    await waitFor(() => expect(server.calls(ROUTE)).toHaveLength(1));
    expect(server.calls(ROUTE)[0]?.body).toEqual({
      opening_hours: [{ weekday: 5, opens: "11:00", closes: "02:00" }],
      station_prep_targets: { grill: 750 },
      features: { tips: false },
    });
    expect(await within(form).findByRole("status")).toHaveTextContent("Service settings saved.");
    expect(within(form).getByRole("checkbox", { name: "Tips on card payments" })).not.toBeChecked();
  });

  it("refuses overlapping hours and a bad target without sending", async () => {
    const server = adminServer({
      "GET /api/v1/restaurants/1": () =>
        json(
          restaurant({
            opening_hours: [
              { weekday: 1, opens: "11:00", closes: "15:00" },
              { weekday: 1, opens: "14:00", closes: "22:00" },
            ],
          }),
        ),
    });
    const form = await openService(server);
    await userEvent.click(within(form).getByRole("button", { name: "Save service settings" }));
    expect(await within(form).findByText("Monday 11:00–15:00 overlaps Monday 14:00–22:00.")).toBeInTheDocument();
    await userEvent.click(within(form).getAllByRole("button", { name: "Remove" })[1]!);
    await userEvent.click(within(form).getByRole("button", { name: "Add station target" }));
    await userEvent.type(within(form).getByLabelText("Station 1"), "bar");
    const minutes = within(form).getByLabelText("Target minutes (station 1)");
    await userEvent.clear(minutes);
    await userEvent.type(minutes, "-3");
    await userEvent.click(within(form).getByRole("button", { name: "Save service settings" }));
    expect(await within(form).findByText(/The target of .*bar must be more than 0/)).toBeInTheDocument();
    expect(server.calls(ROUTE)).toHaveLength(0);
  });

  it("shows the server's refusal of the hours under them", async () => {
    const server = adminServer({
      [ROUTE]: () => problem(422, "invalid-opening-hours", "Opening hours are empty or overlap", { detail: "Sunday 22:00–01:00 overlaps Monday 00:30–09:00" }),
    });
    const form = await openService(server);
    await userEvent.click(within(form).getByRole("button", { name: "Add opening period" }));
    await userEvent.click(within(form).getByRole("button", { name: "Save service settings" }));
    expect(await within(form).findByText("Sunday 22:00–01:00 overlaps Monday 00:30–09:00")).toBeInTheDocument();
  });
});
