import type { Scope } from "./scopes";
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";

import { json, problem } from "../../test/fakeServer";
import { renderApp, signedInTokens } from "../../test/render";
import type { ApiTokenRead } from "./adminApi";
import { adminServer, token } from "./testData";

const BASE = "/api/v1/restaurants/1";
const SECRET = "brg_s3cr3t-value-shown-once";

function tokensServer() {
  let list: ApiTokenRead[] = [token()];
  const server = adminServer({
    [`GET ${BASE}/api-tokens`]: () => json({ items: list, total: list.length }),
    [`POST ${BASE}/api-tokens`]: async (request) => {
      const body = (await request.json()) as { name: string; scopes: Scope[] };
      const created = token({ id: 6, name: body.name, scopes: body.scopes, prefix: "brg_s3cr" });
      list = [created, ...list];
      return json({ ...created, token: SECRET }, 201);
    },
    [`DELETE ${BASE}/api-tokens/5`]: () => {
      list = list.map((t) => (t.id === 5 ? { ...t, revoked_at: "2026-02-01T12:00:00Z" } : t));
      return new Response(null, { status: 204 });
    },
  });
  return server;
}

describe("API tokens", () => {
  it("shows a new token's secret once, with Copy and a warning, and never again", async () => {
    const writeText = vi.fn(() => Promise.resolve());
    Object.defineProperty(navigator, "clipboard", { value: { writeText }, configurable: true });
    const server = tokensServer();
    renderApp({ path: "/r/1/admin/tokens", server, tokens: signedInTokens() });

    const form = await screen.findByRole("form", { name: "Create a token" });
    await userEvent.type(within(form).getByLabelText(/Token name/), "Oven screen");
    await userEvent.click(within(form).getByRole("checkbox", { name: /kitchen:read/ }));
    await userEvent.click(within(form).getByRole("checkbox", { name: /kitchen:bump/ }));
    await userEvent.click(within(form).getByRole("button", { name: "Create token" }));

    const panel = await screen.findByRole("region", { name: 'Token "Oven screen" created' });
    expect(within(panel).getByLabelText("Token secret")).toHaveValue(SECRET);
    expect(within(panel).getByText(/shown only this once/)).toBeInTheDocument();
    expect(server.calls(`POST ${BASE}/api-tokens`)[0]?.body).toEqual({ name: "Oven screen", scopes: ["kitchen:read", "kitchen:bump"] });

    await userEvent.click(within(panel).getByRole("button", { name: "Copy" }));
    expect(writeText).toHaveBeenCalledWith(SECRET);
    expect(within(panel).getByRole("status")).toHaveTextContent("Copied.");

    // the list shows the new token without its secret
    const table = screen.getByRole("table", { name: "API tokens" });
    await within(table).findByRole("rowheader", { name: /Oven screen/ });
    expect(table).not.toHaveTextContent(SECRET);

    await userEvent.click(within(panel).getByRole("button", { name: /Done/ }));
    expect(screen.queryByLabelText("Token secret")).toBeNull();
    expect(document.body).not.toHaveTextContent(SECRET);
  });

  it("asks for a name and a scope before sending", async () => {
    const server = tokensServer();
    renderApp({ path: "/r/1/admin/tokens", server, tokens: signedInTokens() });
    const form = await screen.findByRole("form", { name: "Create a token" });
    await userEvent.click(within(form).getByRole("button", { name: "Create token" }));
    expect(await within(form).findByText("Choose at least one scope.")).toBeInTheDocument();
    expect(within(form).getByText(/Give the token a name/)).toBeInTheDocument();
    expect(server.calls(`POST ${BASE}/api-tokens`)).toHaveLength(0);
  });

  it("shows the server's refusal of a scope next to the scopes", async () => {
    const server = tokensServer();
    server.on(`POST ${BASE}/api-tokens`, () =>
      problem(422, "validation-error", "Request validation failed", {
        errors: [{ loc: ["body", "scopes"], msg: "unknown scopes: kitchen:fly" }],
      }),
    );
    renderApp({ path: "/r/1/admin/tokens", server, tokens: signedInTokens() });
    const form = await screen.findByRole("form", { name: "Create a token" });
    await userEvent.type(within(form).getByLabelText(/Token name/), "Board");
    await userEvent.click(within(form).getByRole("button", { name: "Menu board" }));
    expect(within(form).getByRole("checkbox", { name: /menu:read/ })).toBeChecked();
    await userEvent.click(within(form).getByRole("button", { name: "Create token" }));
    expect(await within(form).findByText("unknown scopes: kitchen:fly")).toHaveAttribute("id", "token-scopes-error");
    expect(screen.queryByLabelText("Token secret")).toBeNull();
  });

  it("revokes a token only after confirmation", async () => {
    const server = tokensServer();
    renderApp({ path: "/r/1/admin/tokens", server, tokens: signedInTokens() });
    await userEvent.click(await screen.findByRole("button", { name: "Revoke Kitchen screen" }));
    const dialog = screen.getByRole("dialog", { name: 'Revoke the token "Kitchen screen"?' });
    expect(within(dialog).getByRole("button", { name: "Cancel" })).toHaveFocus();
    await userEvent.click(within(dialog).getByRole("button", { name: "Cancel" }));
    expect(screen.queryByRole("dialog")).toBeNull();
    expect(server.calls(`DELETE ${BASE}/api-tokens/5`)).toHaveLength(0);

    await userEvent.click(screen.getByRole("button", { name: "Revoke Kitchen screen" }));
    await userEvent.click(within(screen.getByRole("dialog")).getByRole("button", { name: "Revoke" }));
    await waitFor(() => expect(server.calls(`DELETE ${BASE}/api-tokens/5`)).toHaveLength(1));
    await waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());
    expect(await screen.findByText(/^Revoked/)).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Revoke Kitchen screen" })).toBeNull();
  });
});
