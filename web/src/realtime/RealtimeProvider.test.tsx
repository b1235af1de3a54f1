import { act, screen, waitFor } from "@testing-library/react";
import { describe, expect, it } from "vitest";

import { queryKeys } from "../api/queries";
import type { OrderRead } from "../api/types";
import { fakeServer, json, me } from "../test/fakeServer";
import { envelope } from "../test/fakeSocket";
import { renderApp, signedInTokens } from "../test/render";

describe("the app's realtime connection", () => {
  it("opens one connection for the restaurant, shows its state and keeps the cache current", async () => {
    const server = fakeServer({ "GET /api/v1/auth/me": () => json(me("waiter")) });
    const { services, sockets } = renderApp({ path: "/r/1/floor", server, tokens: signedInTokens("access-7") });
    await screen.findByRole("navigation", { name: "Screens" });
    await waitFor(() => expect(sockets).toHaveLength(1));
    const socket = sockets[0]!;
    expect(socket.auths[0]).toEqual({ token: "access-7", restaurant_id: 1 });
    expect(screen.getByText("Connecting…")).toBeInTheDocument();

    act(() => socket.connectOk({ last_seq: 10, replayed: 0 }));
    expect(await screen.findByText("Live")).toBeInTheDocument();

    const key = queryKeys.order(1, 5);
    services.queryClient.setQueryData(key, { id: 5, version: 1, subtotal: 1000 });
    act(() =>
      socket.emitEvent(envelope(11, "order.items.added", { order: { id: 5, version: 2, subtotal: 2600 }, item_ids: [1] })),
    );
    expect(services.queryClient.getQueryData<OrderRead>(key)?.subtotal).toBe(2600);

    act(() => socket.drop());
    expect(await screen.findByText("Reconnecting…")).toBeInTheDocument();
    act(() => {
      socket.connect();
      socket.connectOk({ last_seq: 14, replayed: 3 });
    });
    expect(socket.auths.at(-1)).toMatchObject({ last_seq: 11 });
    expect(await screen.findByText("Live")).toBeInTheDocument();
    expect(screen.getByText("caught up 3 events")).toBeInTheDocument();
  });
});
