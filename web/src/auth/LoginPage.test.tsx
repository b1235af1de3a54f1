import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { queryKeys } from "../api/queries";
import { fakeServer, json, me, problem, tokenPair } from "../test/fakeServer";
import { renderApp, signedInTokens } from "../test/render";
import { STORAGE_KEY } from "./tokens";

async function signIn(username: string, password: string): Promise<void> {
  const user = userEvent.setup();
  await user.type(await screen.findByLabelText("Username"), username);
  await user.type(screen.getByLabelText("Password"), password);
  await user.click(screen.getByRole("button", { name: "Sign in" }));
}

function loginServer(role: string | null) {
  return fakeServer({
    "POST /api/v1/auth/login": () => json(tokenPair()),
    "GET /api/v1/auth/me": () => json(me(role)),
    "GET /api/v1/restaurants": () =>
      json({ items: [{ id: 1, name: "The Pizza Place", slug: "pizza", currency: "USD", time_zone: "UTC", tax_inclusive: false, tax_rate_bp: 0 }], total: 1 }),
  });
}

describe("sign in", () => {
  it("shows a refused login's problem next to the form and stays signed out", async () => {
    const server = fakeServer({
      "POST /api/v1/auth/login": () =>
        problem(401, "invalid-credentials", "Wrong username or password", { detail: "Wrong username or password" }),
    });
    renderApp({ path: "/login", server });
    await signIn("waiter", "not-the-password");

    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("Wrong username or password");
    const form = screen.getByRole("form", { name: "Sign in to Brigade" });
    expect(form).toContainElement(alert);
    expect(screen.getByRole("button", { name: "Sign in" })).toBeEnabled();
    expect(window.localStorage.getItem(STORAGE_KEY)).toBeNull();
    expect(server.calls("POST /api/v1/auth/login")[0]?.body).toEqual({ username: "waiter", password: "not-the-password" });
  });

  it("shows a field's validation message under that field", async () => {
    const server = fakeServer({
      "POST /api/v1/auth/login": () =>
        problem(422, "validation-error", "Request validation failed", {
          errors: [{ loc: ["body", "password"], msg: "String should have at least 1 character", type: "string_too_short" }],
        }),
    });
    renderApp({ path: "/login", server });
    await signIn("waiter", " ");

    const message = await screen.findByText("String should have at least 1 character");
    expect(message.id).toBe("login-password-error");
    expect(screen.getByLabelText("Password")).toHaveAttribute("aria-invalid", "true");
    expect(screen.getByLabelText("Username")).not.toHaveAttribute("aria-invalid");
  });

  it("says when the server cannot be reached", async () => {
    const server = fakeServer({
      "POST /api/v1/auth/login": () => Promise.reject(new TypeError("Failed to fetch")),
    });
    renderApp({ path: "/login", server });
    await signIn("waiter", "secret-password");
    expect(await screen.findByRole("alert")).toHaveTextContent("Cannot reach the server");
  });

  it.each([
    ["waiter", "Floor", "/r/1/floor"],
    ["kitchen", "Kitchen", "/r/1/kitchen"],
    ["cashier", "Till", "/r/1/till"],
    ["owner", "Floor", "/r/1/floor"],
    ["manager", "Floor", "/r/1/floor"],
  ])("opens the %s's screen after signing in", async (role, link, path) => {
    const { router } = renderApp({ path: "/login", server: loginServer(role) });
    await signIn(role, "secret-password");
    const nav = await screen.findByRole("navigation", { name: "Screens" });
    expect(router.state.location.pathname).toBe(path);
    expect(within(nav).getByRole("link", { name: link })).toHaveClass("active");
    expect(screen.queryByRole("heading", { name: "Not allowed" })).not.toBeInTheDocument();
    const admin = within(nav).queryByRole("link", { name: "Admin" });
    if (role === "owner" || role === "manager") expect(admin).toBeInTheDocument();
    else expect(admin).not.toBeInTheDocument();
  });

  it("sends a platform admin to the restaurant picker", async () => {
    const { router } = renderApp({ path: "/login", server: loginServer(null) });
    await signIn("admin", "secret-password");
    expect(await screen.findByRole("heading", { name: "Choose a restaurant" })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe("/restaurants");
    expect(screen.getByRole("link", { name: /The Pizza Place/ })).toHaveAttribute("href", "/r/1/floor");
  });

  it("goes back to the page the visitor was sent from", async () => {
    const { router } = renderApp({ path: "/r/1/till", server: loginServer("cashier") });
    await waitFor(() => expect(router.state.location.pathname).toBe("/login"));
    expect(router.state.location.search).toBe("?next=%2Fr%2F1%2Ftill");
    await signIn("cashier", "secret-password");
    await screen.findByRole("navigation", { name: "Screens" });
    expect(router.state.location.pathname).toBe("/r/1/till");
  });
});

describe("route guards", () => {
  it("shows a waiter 'Not allowed' on admin, never the screen", async () => {
    const server = fakeServer({ "GET /api/v1/auth/me": () => json(me("waiter")) });
    renderApp({ path: "/r/1/admin/menu", server, tokens: signedInTokens() });
    expect(await screen.findByRole("heading", { name: "Not allowed" })).toBeInTheDocument();
    expect(screen.queryByRole("navigation", { name: "Admin" })).not.toBeInTheDocument();
    expect(server.requests.filter((r) => r.path !== "/api/v1/auth/me")).toEqual([]); // no admin data asked for
  });

  it("shows the kitchen 'Not allowed' on the till", async () => {
    const server = fakeServer({ "GET /api/v1/auth/me": () => json(me("kitchen")) });
    renderApp({ path: "/r/1/till", server, tokens: signedInTokens() });
    expect(await screen.findByRole("heading", { name: "Not allowed" })).toBeInTheDocument();
    expect(server.requests.filter((r) => r.path !== "/api/v1/auth/me")).toEqual([]); // no till data asked for
  });

  it("tells a user who is not on a restaurant's staff", async () => {
    const server = fakeServer({ "GET /api/v1/auth/me": () => json(me("owner")) });
    renderApp({ path: "/r/2/floor", server, tokens: signedInTokens() });
    expect(await screen.findByText("You are not on the staff of this restaurant.")).toBeInTheDocument();
  });

  it("lets a manager into every admin tab", async () => {
    const server = fakeServer({ "GET /api/v1/auth/me": () => json(me("manager")) });
    const { router } = renderApp({ path: "/r/1/admin", server, tokens: signedInTokens() });
    const tabs = await screen.findByRole("navigation", { name: "Admin" });
    expect(router.state.location.pathname).toBe("/r/1/admin/menu");
    expect(within(tabs).getAllByRole("link").map((a) => a.textContent)).toEqual([
      "Menu",
      "Tables & QR",
      "Floor plan",
      "Staff",
      "API tokens",
      "Stock",
      "Devices & PINs",
      "Settings",
      "Audit log",
    ]);
  });

  it("signs out: ends the login on the server, clears the cache, shows sign in", async () => {
    const server = fakeServer({
      "GET /api/v1/auth/me": () => json(me("waiter")),
      "POST /api/v1/auth/logout": () => new Response(null, { status: 204 }),
    });
    const tokens = signedInTokens("access-before-logout");
    const { services, router } = renderApp({ path: "/r/1/floor", server, tokens });
    await screen.findByRole("navigation", { name: "Screens" });
    expect(services.queryClient.getQueryData(queryKeys.me())).toBeDefined();

    await userEvent.setup().click(screen.getByRole("button", { name: "Sign out" }));

    expect(await screen.findByRole("heading", { name: "Sign in to Brigade" })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe("/login");
    expect(server.calls("POST /api/v1/auth/logout")[0]?.body).toEqual({ refresh_token: tokens.refreshToken });
    expect(services.queryClient.getQueryData(queryKeys.me())).toBeUndefined();
    expect(window.localStorage.getItem(STORAGE_KEY)).toBeNull();
  });
});
