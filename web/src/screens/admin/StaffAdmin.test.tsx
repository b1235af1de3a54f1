import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { json, problem } from "../../test/fakeServer";
import { renderApp, signedInTokens } from "../../test/render";
import { adminServer } from "./testData";

const BASE = "/api/v1/restaurants/1";

describe("staff", () => {
  it("lists the staff with their roles", async () => {
    renderApp({ path: "/r/1/admin/staff", server: adminServer(), tokens: signedInTokens() });
    const table = await screen.findByRole("table", { name: "Staff" });
    expect(within(table).getByRole("rowheader", { name: /owner/ })).toBeInTheDocument();
    expect(within(table).getByLabelText("Role of waiter")).toHaveValue("waiter");
    expect(within(table).getByLabelText("Role of owner")).toHaveValue("owner");
  });

  it("changes a role, and shows the last-owner refusal on that member's row", async () => {
    const server = adminServer({
      [`PATCH ${BASE}/staff/2`]: () =>
        json({ user_id: 2, username: "waiter", full_name: "Walt Waiter", role: "cashier", is_active: true, joined_at: "2026-01-02T10:00:00Z" }),
      [`PATCH ${BASE}/staff/1`]: () =>
        problem(409, "last-owner", "Conflict", { detail: "promote another owner before changing this one's role" }),
    });
    renderApp({ path: "/r/1/admin/staff", server, tokens: signedInTokens() });
    await userEvent.selectOptions(await screen.findByLabelText("Role of waiter"), "cashier");
    await waitFor(() => expect(server.calls(`PATCH ${BASE}/staff/2`)).toHaveLength(1));
    expect(server.calls(`PATCH ${BASE}/staff/2`)[0]?.body).toEqual({ role: "cashier" });

    const ownerRole = screen.getByLabelText("Role of owner");
    await userEvent.selectOptions(ownerRole, "manager");
    const alert = await screen.findByText("owner is the last owner: make someone else an owner first.");
    expect(ownerRole).toHaveAttribute("aria-describedby", alert.id);
    await waitFor(() => expect(ownerRole).toHaveValue("owner")); // back to what the server has
  });

  it("adds a member and shows field errors under their fields", async () => {
    const server = adminServer({
      [`POST ${BASE}/staff`]: () => problem(400, "password-required", "Password required", { detail: "give a password" }),
    });
    renderApp({ path: "/r/1/admin/staff", server, tokens: signedInTokens() });
    const form = await screen.findByRole("form", { name: "Add a staff member" });
    await userEvent.type(within(form).getByLabelText("Username"), "newbie");
    await userEvent.type(within(form).getByLabelText("Full name"), "New Bie");
    await userEvent.selectOptions(within(form).getByLabelText("Role"), "kitchen");
    await userEvent.click(within(form).getByRole("button", { name: "Add staff member" }));

    const message = await within(form).findByText("Give a password to create the login.");
    expect(within(form).getByLabelText("Password")).toHaveAttribute("aria-describedby", expect.stringContaining(message.id));
    expect(server.calls(`POST ${BASE}/staff`)[0]?.body).toEqual({ username: "newbie", full_name: "New Bie", password: null, role: "kitchen" });

    server.on(`POST ${BASE}/staff`, () =>
      json({ user_id: 3, username: "newbie", full_name: "New Bie", role: "kitchen", is_active: true, joined_at: "2026-02-01T10:00:00Z" }, 201),
    );
    await userEvent.type(within(form).getByLabelText("Password"), "a-long-password");
    await userEvent.click(within(form).getByRole("button", { name: "Add staff member" }));
    expect(await within(form).findByRole("status")).toHaveTextContent("newbie added.");
    expect(server.calls(`POST ${BASE}/staff`)[1]?.body).toMatchObject({ password: "a-long-password" });
    expect(within(form).getByLabelText("Username")).toHaveValue("");
  });

  it("shows a taken username under the username", async () => {
    const server = adminServer({
      [`POST ${BASE}/staff`]: () => problem(409, "username-taken", "This username is taken", { detail: "username 'anna' is taken" }),
    });
    renderApp({ path: "/r/1/admin/staff", server, tokens: signedInTokens() });
    const form = await screen.findByRole("form", { name: "Add a staff member" });
    expect(within(form).getByText("For the new login: at least 8 characters, not a common password.")).toBeInTheDocument();
    await userEvent.type(within(form).getByLabelText("Username"), "anna");
    await userEvent.type(within(form).getByLabelText("Password"), "a long new password");
    await userEvent.click(within(form).getByRole("button", { name: "Add staff member" }));

    const message = await within(form).findByText("anna is taken: choose another username.");
    expect(within(form).getByLabelText("Username")).toHaveAttribute("aria-describedby", expect.stringContaining(message.id));
  });

  it("removes a member after confirmation, and keeps the dialog open with the reason when refused", async () => {
    const server = adminServer({
      [`DELETE ${BASE}/staff/1`]: () => problem(409, "last-owner", "Conflict", { detail: "promote another owner first" }),
      [`DELETE ${BASE}/staff/2`]: () => new Response(null, { status: 204 }),
    });
    renderApp({ path: "/r/1/admin/staff", server, tokens: signedInTokens() });
    await userEvent.click(await screen.findByRole("button", { name: "Remove owner" }));
    const dialog = screen.getByRole("dialog", { name: "Remove owner from the staff?" });
    await userEvent.click(within(dialog).getByRole("button", { name: "Remove" }));
    expect(await within(dialog).findByRole("alert")).toHaveTextContent("owner is the last owner");

    await userEvent.click(within(dialog).getByRole("button", { name: "Cancel" }));
    await userEvent.click(screen.getByRole("button", { name: "Remove waiter" }));
    const second = screen.getByRole("dialog", { name: "Remove waiter from the staff?" });
    expect(within(second).queryByRole("alert")).toBeNull();
    await userEvent.click(within(second).getByRole("button", { name: "Remove" }));
    await waitFor(() => expect(server.calls(`DELETE ${BASE}/staff/2`)).toHaveLength(1));
    await waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());
  });

  it("copes with a 403 on the staff list", async () => {
    const server = adminServer({
      [`GET ${BASE}/staff`]: () => problem(403, "permission-denied", "Forbidden", { detail: "staff:read" }),
    });
    renderApp({ path: "/r/1/admin/staff", server, tokens: signedInTokens() });
    expect(await screen.findByRole("heading", { name: "Not allowed" })).toBeInTheDocument();
    // the page still stands: tabs and heading are there
    expect(screen.getByRole("heading", { name: "Staff", level: 1 })).toBeInTheDocument();
    expect(screen.getByRole("navigation", { name: "Admin" })).toBeInTheDocument();
  });
});
