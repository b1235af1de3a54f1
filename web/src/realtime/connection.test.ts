import { afterEach, describe, expect, it, vi } from "vitest";

import { ApiError } from "../api/errors";
import { envelope, fakeSocketFactory } from "../test/fakeSocket";
import { RealtimeConnection, type RealtimeTokens } from "./connection";
import type { RealtimeEvent } from "./types";

/** A session whose token the test changes. */
function tokens(initial = "access-1") {
  let token: string | null = initial;
  const listeners = new Set<() => void>();
  const refresh = vi.fn((_staleToken: string | null): Promise<string | null> => Promise.resolve(null));
  const source = {
    accessToken: () => token,
    refresh,
    subscribe: (listener: () => void) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    set: (next: string | null) => {
      token = next;
      for (const listener of [...listeners]) listener();
    },
  } satisfies RealtimeTokens & { set: (next: string | null) => void };
  return source;
}

function open(options: { station?: string; offlineAfterFailures?: number } = {}) {
  const factory = fakeSocketFactory();
  const session = tokens();
  const connection = new RealtimeConnection({
    restaurantId: 1,
    tokens: session,
    socketFactory: factory,
    baseUrl: "http://brigade.test",
    gapSyncDelayMs: 50,
    ...options,
  });
  const received: RealtimeEvent[] = [];
  connection.on("*", (event) => received.push(event));
  connection.start();
  const socket = factory.sockets[0];
  if (!socket) throw new Error("no socket opened");
  return { connection, socket, session, received };
}

describe("realtime connection", () => {
  afterEach(() => vi.useRealTimers());

  it("connects with the session's token and the restaurant, without last_seq the first time", () => {
    const { socket, connection } = open({ station: "grill" });
    expect(socket.auths).toEqual([{ token: "access-1", restaurant_id: 1, station: "grill" }]);
    expect(connection.getStatus().state).toBe("connecting");
    socket.connectOk({ last_seq: 41, replayed: 0 });
    expect(connection.getStatus()).toMatchObject({ state: "connected", lastSeq: 41, caughtUp: null });
  });

  it("resumes from the last seq seen and reports what the replay caught up", () => {
    const { socket, connection, received } = open();
    socket.connectOk({ last_seq: 3, replayed: 0 });
    socket.emitEvent(envelope(4, "order.created", { order: { id: 1 } }));
    socket.emitEvent(envelope(5, "order.sent", { order: { id: 1 } }));

    socket.drop();
    expect(connection.getStatus().state).toBe("reconnecting");
    socket.connect(); // socket.io-client retries by itself
    expect(socket.auths.at(-1)).toEqual({ token: "access-1", restaurant_id: 1, last_seq: 5 });

    // the server replays 6 and 7, then says ready
    socket.connectOk({ last_seq: 7, replayed: 2 }, [
      envelope(6, "ticket.created", { ticket: { id: 9 } }, "grill"),
      envelope(7, "ticket.updated", { ticket: { id: 9 } }, "grill"),
    ]);
    expect(received.map((e) => e.seq)).toEqual([4, 5, 6, 7]);
    const status = connection.getStatus();
    expect(status.state).toBe("connected");
    expect(status.lastSeq).toBe(7);
    expect(status.caughtUp?.replayed).toBe(2);
  });

  it("delivers each event once, even when a replay repeats it", () => {
    const { socket, received } = open();
    socket.connectOk({ last_seq: 0, replayed: 0 });
    socket.emitEvent(envelope(1, "table.updated", { table: { id: 1 } }));
    socket.emitEvent(envelope(1, "table.updated", { table: { id: 1 } }));
    expect(received).toHaveLength(1);
  });

  it("dispatches by event type", () => {
    const { socket, connection } = open();
    const tickets: number[] = [];
    const stop = connection.on("ticket.created", (event) => tickets.push(event.seq));
    socket.connectOk({ last_seq: 0, replayed: 0 });
    socket.emitEvent(envelope(1, "order.created", {}));
    socket.emitEvent(envelope(2, "ticket.created", {}, "grill"));
    stop();
    socket.emitEvent(envelope(3, "ticket.created", {}, "grill"));
    expect(tickets).toEqual([2]);
  });

  it("asks for a sync when a seq is still missing after a moment", async () => {
    vi.useFakeTimers();
    const { socket } = open();
    socket.connectOk({ last_seq: 10, replayed: 0 });
    socket.emitEvent(envelope(11, "order.created", {}));
    socket.emitEvent(envelope(14, "order.sent", {})); // 12 and 13 not (yet) here
    socket.emitEvent(envelope(12, "order.items.added", {})); // 12 arrives late
    await vi.advanceTimersByTimeAsync(60);
    expect(socket.emitted).toContainEqual({ event: "sync", args: [{ last_seq: 12 }] });
  });

  it("reconnects with the fresh token after a refresh", () => {
    const { socket, session, connection } = open();
    socket.connectOk({ last_seq: 8, replayed: 0 });
    session.set("access-2");
    expect(socket.auths.at(-1)).toEqual({ token: "access-2", restaurant_id: 1, last_seq: 8 });
    socket.connectOk({ last_seq: 8, replayed: 0 });
    // a token change is no outage: no "caught up" note
    expect(connection.getStatus()).toMatchObject({ state: "connected", caughtUp: null });
  });

  it("refreshes once and retries when the server refuses an expired token", async () => {
    const { socket, session } = open();
    session.refresh.mockImplementation(() => {
      session.set("access-2");
      return Promise.resolve("access-2");
    });
    socket.refuse({ type: "https://brigade.dev/problems/not-authenticated", title: "Authentication required", status: 401 });
    await vi.waitFor(() => expect(session.refresh).toHaveBeenCalledWith("access-1"));
    await vi.waitFor(() => expect(socket.auths.at(-1)?.token).toBe("access-2"));
  });

  it("goes offline with the problem when refused for another reason", () => {
    const { socket, connection } = open();
    socket.refuse({ type: "https://brigade.dev/problems/not-found", title: "Not found", status: 404, detail: "not a member" });
    const status = connection.getStatus();
    expect(status.state).toBe("offline");
    expect(status.error).toBeInstanceOf(ApiError);
    expect(status.error?.status).toBe(404);
  });

  it("says offline after repeated failed attempts", () => {
    const { socket, connection } = open({ offlineAfterFailures: 2 });
    socket.connectOk({ last_seq: 0, replayed: 0 });
    socket.drop();
    socket.failAttempt();
    expect(connection.getStatus().state).toBe("reconnecting");
    socket.failAttempt();
    expect(connection.getStatus().state).toBe("offline");
  });

  it("closes when the session signs out", () => {
    const { socket, session, connection } = open();
    socket.connectOk({ last_seq: 0, replayed: 0 });
    session.set(null);
    expect(socket.connected).toBe(false);
    expect(connection.getStatus().state).toBe("offline");
  });

  it("acknowledged commands resolve to their data, refused ones throw the problem", async () => {
    const { socket, connection } = open();
    socket.connectOk({ last_seq: 0, replayed: 0 });
    socket.ack = (event) =>
      event === "order.send"
        ? { ok: true, data: { id: 10, version: 3 } }
        : { ok: false, error: { type: "https://brigade.dev/problems/stale-version", title: "The record changed since it was read", status: 409 } };
    await expect(connection.command("order.send", { order_id: 10 })).resolves.toEqual({ id: 10, version: 3 });
    await expect(connection.command("ticket.bump", { ticket_id: 1, version: 1 })).rejects.toMatchObject({
      status: 409,
      type: "stale-version",
    });
  });
});
