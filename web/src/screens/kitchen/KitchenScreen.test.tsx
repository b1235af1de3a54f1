import { act, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import type { TicketList, TicketRead } from "../../api/types";
import { fakeServer, json, me, problem, type FakeServer } from "../../test/fakeServer";
import { envelope } from "../../test/fakeSocket";
import { renderApp, signedInTokens } from "../../test/render";
import { line, menuWithStations, ticket } from "./testData";

const TICKETS = "GET /api/v1/restaurants/1/kitchen/tickets";
const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString();

/** A Web Audio stand-in: starts suspended like a browser before a gesture; records the tones played. */
class FakeAudioContext {
  static started: number[] = [];
  state: AudioContextState = "suspended";
  currentTime = 0;
  destination = {};
  private listeners = new Set<() => void>();
  addEventListener(_type: string, listener: () => void) {
    this.listeners.add(listener);
  }
  removeEventListener(_type: string, listener: () => void) {
    this.listeners.delete(listener);
  }
  resume() {
    this.state = "running";
    for (const l of this.listeners) l();
    return Promise.resolve();
  }
  close() {
    this.state = "closed";
    return Promise.resolve();
  }
  createOscillator() {
    const osc = {
      type: "sine",
      frequency: { value: 0 },
      connect: () => undefined,
      start: () => FakeAudioContext.started.push(osc.frequency.value),
      stop: () => undefined,
    };
    return osc;
  }
  createGain() {
    return { gain: { setValueAtTime: () => undefined, exponentialRampToValueAtTime: () => undefined }, connect: () => undefined };
  }
}

interface Backend {
  server: FakeServer;
  /** The open tickets the server answers with (change it to change the answer). */
  open: TicketRead[];
  /** Every ticket, for `status=all`. */
  all: TicketRead[];
}

function backend(open: TicketRead[], all: TicketRead[] = open): Backend {
  const state: Backend = { server: fakeServer(), open, all };
  const server = state.server;
  server.on("GET /api/v1/auth/me", () => json(me("kitchen")));
  server.on("GET /api/v1/restaurants/1/menu", () => json(menuWithStations("oven", "bar")));
  server.on(TICKETS, (request) => {
    const query = new URL(request.url).searchParams;
    const station = query.get("station");
    const source = query.get("status") === "all" ? state.all : state.open;
    const items = source.filter((t) => station === null || t.station === station);
    const offset = Number(query.get("offset") ?? 0);
    const limit = Number(query.get("limit") ?? 100);
    const page: TicketList = { items: items.slice(offset, offset + limit), total: items.length };
    return json(page);
  });
  return state;
}

function boardArticles(): HTMLElement[] {
  return within(screen.getByRole("region", { name: "Open tickets" })).queryAllByRole("article");
}

beforeEach(() => {
  FakeAudioContext.started = [];
});
afterEach(() => {
  vi.unstubAllGlobals();
});

describe("kitchen display", () => {
  it("shows the station's open tickets oldest first, and a recalled older ticket in its place", async () => {
    const older = ticket(1, minutesAgo(12), { table_name: "4" });
    const newest = ticket(3, minutesAgo(1), { table_name: "7" });
    const middle = ticket(2, minutesAgo(5), { table_name: "2" });
    const bar = ticket(9, minutesAgo(30), { station: "bar", table_name: "9" });
    const state = backend([newest, older, bar]); // not in order on purpose
    const { server } = state;
    const { sockets } = renderApp({ path: "/r/1/kitchen?station=oven", server, tokens: signedInTokens() });

    await screen.findByRole("heading", { name: "Kitchen — oven" });
    await waitFor(() => expect(boardArticles()).toHaveLength(2));
    expect(boardArticles().map((a) => a.getAttribute("aria-label"))).toEqual([
      "Ticket 1 · Table 4 · Order 101 · Course 1",
      "Ticket 3 · Table 7 · Order 103 · Course 1",
    ]);
    expect(server.calls(TICKETS)[0]?.url).toContain("station=oven");

    await waitFor(() => expect(sockets).toHaveLength(1));
    act(() => sockets[0]!.connectOk({ last_seq: 10, replayed: 0 }));
    const recalled: TicketRead = { ...middle, status: "ready", version: 5, recalled_at: new Date().toISOString() };
    state.open = [newest, older, bar, recalled]; // the server's list now (a refetch may race the event)
    act(() => sockets[0]!.emitEvent(envelope(11, "ticket.updated", { action: "recalled", ticket: recalled }, "oven")));
    await waitFor(() => expect(boardArticles()).toHaveLength(3));
    expect(boardArticles().map((a) => a.getAttribute("data-ticket-id"))).toEqual(["1", "2", "3"]);
    expect(within(boardArticles()[1]!).getByText("Recalled")).toBeInTheDocument();
  });

  it("offers the menu's stations and All (expo); choosing one shows only its tickets", async () => {
    const user = userEvent.setup();
    const oven = ticket(1, minutesAgo(3), { station: "oven" });
    const bar = ticket(2, minutesAgo(2), { station: "bar", table_name: "9" });
    const { server } = backend([oven, bar]);
    const { router } = renderApp({ path: "/r/1/kitchen", server, tokens: signedInTokens() });

    await screen.findByRole("heading", { name: "Kitchen — All (expo)" });
    await waitFor(() => expect(boardArticles()).toHaveLength(2));
    const select = screen.getByRole("combobox", { name: "Station" });
    await waitFor(() =>
      expect(within(select).getAllByRole("option").map((o) => o.textContent)).toEqual(["All (expo)", "bar", "oven"]),
    );
    // expo says which station each ticket is for
    expect(within(boardArticles()[1]!).getByText("bar")).toBeInTheDocument();

    await user.selectOptions(select, "bar");
    await screen.findByRole("heading", { name: "Kitchen — bar" });
    expect(router.state.location.search).toBe("?station=bar");
    await waitFor(() => expect(boardArticles().map((a) => a.getAttribute("data-ticket-id"))).toEqual(["2"]));
  });

  it("steps a line and the ticket through the server, and shows a refusal on the ticket", async () => {
    const user = userEvent.setup();
    const t = ticket(1, minutesAgo(2));
    const item = t.items[0]!;
    const { server } = backend([t]);
    server.on(`POST /api/v1/restaurants/1/kitchen/tickets/1/items/${item.id}/start`, () =>
      json({ ...t, status: "preparing", version: 2, items: [{ ...item, status: "preparing" }] }),
    );
    server.on("POST /api/v1/restaurants/1/kitchen/tickets/1/ready", () =>
      problem(409, "invalid-ticket-transition", "Invalid ticket transition", { detail: "ticket 1 is bumped" }),
    );
    renderApp({ path: "/r/1/kitchen?station=oven", server, tokens: signedInTokens() });

    const card = await screen.findByRole("article", { name: /^Ticket 1 · Table 4/ });
    await user.click(within(card).getByRole("button", { name: /^1 × Margherita \(M\) · New$/ }));
    await within(card).findByRole("button", { name: /^1 × Margherita \(M\) · Cooking$/ });
    expect(within(card).getByText("Cooking", { selector: ".kitchen-ticket-status" })).toBeInTheDocument();
    expect(within(card).getByRole("button", { name: "Start" })).toBeDisabled();

    await user.click(within(card).getByRole("button", { name: "Ready" }));
    expect(await within(card).findByRole("alert")).toHaveTextContent("ticket 1 is bumped");
  });

  it("bumps a ticket off the board into Recently bumped, and recalls it", async () => {
    const user = userEvent.setup();
    const t = ticket(1, minutesAgo(4), { status: "ready" });
    const bumped = { ...t, status: "bumped" as const, version: 2, bumped_at: new Date().toISOString() };
    const { server } = backend([t]);
    server.on("POST /api/v1/restaurants/1/kitchen/tickets/1/bump", () => json(bumped));
    server.on("POST /api/v1/restaurants/1/kitchen/tickets/1/recall", () =>
      json({ ...t, status: "ready", version: 3, bumped_at: bumped.bumped_at, recalled_at: new Date().toISOString() }),
    );
    renderApp({ path: "/r/1/kitchen?station=oven", server, tokens: signedInTokens() });

    const card = await screen.findByRole("article", { name: /^Ticket 1/ });
    const strip = screen.getByRole("region", { name: "Recently bumped" });
    expect(within(strip).getByText("Nothing bumped yet.")).toBeInTheDocument();

    await user.click(within(card).getByRole("button", { name: "Bump" }));
    await waitFor(() => expect(boardArticles()).toHaveLength(0));
    expect(screen.getByText("No open tickets. All clear.")).toBeInTheDocument();
    const entry = within(strip).getByRole("listitem", { name: /^Ticket 1 · Table 4 · #101 · \d\d:\d\d:\d\d/ });
    await user.click(within(entry).getByRole("button", { name: "Recall ticket 1" }));

    const back = await screen.findByRole("article", { name: /^Ticket 1/ });
    expect(within(back).getByText("Recalled")).toBeInTheDocument();
    expect(within(strip).queryByRole("listitem")).toBeNull();
    expect(server.calls("POST /api/v1/restaurants/1/kitchen/tickets/1/recall")).toHaveLength(1);
  });

  it("lists tickets bumped before the screen opened under Recently bumped", async () => {
    const open = ticket(2, minutesAgo(3));
    const done = ticket(1, minutesAgo(20), { status: "bumped", bumped_at: minutesAgo(2), version: 4, table_name: "11" });
    const { server } = backend([open], [done, open]);
    renderApp({ path: "/r/1/kitchen?station=oven", server, tokens: signedInTokens() });
    const strip = await screen.findByRole("region", { name: "Recently bumped" });
    expect(await within(strip).findByRole("listitem", { name: /^Ticket 1 · Table 11 · #101/ })).toBeInTheDocument();
  });

  it("chimes and highlights a ticket that arrives live, once sound is enabled", async () => {
    vi.stubGlobal("AudioContext", FakeAudioContext);
    const user = userEvent.setup();
    const { server } = backend([]);
    const { sockets } = renderApp({ path: "/r/1/kitchen?station=oven", server, tokens: signedInTokens() });

    await screen.findByText("No open tickets. All clear.");
    await user.click(screen.getByRole("button", { name: "Tap to enable sound" }));
    await waitFor(() => expect(screen.queryByRole("button", { name: "Tap to enable sound" })).toBeNull());

    await waitFor(() => expect(sockets).toHaveLength(1));
    act(() => sockets[0]!.connectOk({ last_seq: 1, replayed: 0 }));
    // another station's ticket: no chime, not on this board
    act(() => sockets[0]!.emitEvent(envelope(2, "ticket.created", { action: "created", ticket: ticket(8, minutesAgo(0), { station: "bar" }) }, "bar")));
    expect(FakeAudioContext.started).toEqual([]);

    act(() => sockets[0]!.emitEvent(envelope(3, "ticket.created", { action: "created", ticket: ticket(5, minutesAgo(0)) }, "oven")));
    const card = await screen.findByRole("article", { name: /^Ticket 5/ });
    expect(within(card).getByText("New ticket")).toBeInTheDocument();
    expect(card).toHaveClass("kitchen-ticket-fresh");
    expect(FakeAudioContext.started).toEqual([880, 1320]);
  });

  it("stays quiet when muted, and remembers the choice", async () => {
    vi.stubGlobal("AudioContext", FakeAudioContext);
    const user = userEvent.setup();
    const { server } = backend([]);
    const { sockets } = renderApp({ path: "/r/1/kitchen?station=oven", server, tokens: signedInTokens() });
    await screen.findByText("No open tickets. All clear.");
    await user.click(screen.getByRole("button", { name: "Tap to enable sound" }));
    await user.click(screen.getByRole("button", { name: "Mute sound" }));
    expect(screen.getByRole("button", { name: "Unmute sound" })).toBeInTheDocument();
    expect(window.localStorage.getItem("brigade.kitchen.muted")).toBe("1");

    await waitFor(() => expect(sockets).toHaveLength(1));
    act(() => sockets[0]!.connectOk({ last_seq: 1, replayed: 0 }));
    act(() => sockets[0]!.emitEvent(envelope(2, "ticket.created", { action: "created", ticket: ticket(5, minutesAgo(0)) }, "oven")));
    await screen.findByRole("article", { name: /^Ticket 5/ });
    expect(FakeAudioContext.started).toEqual([]);
  });

  it("says when the connection is lost, and after the reconnect how many events it caught up, refetching the tickets", async () => {
    const t = ticket(1, minutesAgo(2));
    const state = backend([t]);
    const { sockets } = renderApp({ path: "/r/1/kitchen?station=oven", server: state.server, tokens: signedInTokens() });
    await screen.findByRole("article", { name: /^Ticket 1/ });
    await waitFor(() => expect(sockets).toHaveLength(1));
    const socket = sockets[0]!;
    act(() => socket.connectOk({ last_seq: 10, replayed: 0 }));
    expect(screen.queryByText(/Connection lost/)).toBeNull();

    act(() => socket.drop());
    expect(screen.getByText("Connection lost — reconnecting…")).toBeInTheDocument();

    // while away, a ticket was fired; the replay brings it and the refetch confirms it
    const missed = ticket(2, minutesAgo(1), { table_name: "6" });
    state.open = [t, missed];
    const openFetches = () => state.server.calls(TICKETS).filter((c) => !c.url.includes("status=all")).length;
    const before = openFetches();
    act(() => {
      socket.connect();
      socket.connectOk({ last_seq: 12, replayed: 2 }, [
        envelope(11, "ticket.created", { action: "created", ticket: missed }, "oven"),
        envelope(12, "order.sent", { order: { id: 102, version: 2 }, item_ids: [] }),
      ]);
    });
    expect(socket.auths.at(-1)).toMatchObject({ last_seq: 10 });
    expect(screen.getByText("Reconnected — caught up 2 events")).toBeInTheDocument();
    expect(screen.queryByText(/Connection lost/)).toBeNull();
    await waitFor(() => expect(openFetches()).toBeGreaterThan(before));
    await waitFor(() => expect(boardArticles()).toHaveLength(2));
  });

  it("works with a bump bar: a number picks, Enter bumps, R recalls the last bumped", async () => {
    const user = userEvent.setup();
    const first = ticket(1, minutesAgo(6));
    const second = ticket(2, minutesAgo(3), { table_name: "8" });
    const bumped = { ...second, status: "bumped" as const, version: 2, bumped_at: new Date().toISOString() };
    const { server } = backend([first, second]);
    server.on("POST /api/v1/restaurants/1/kitchen/tickets/2/bump", () => json(bumped));
    server.on("POST /api/v1/restaurants/1/kitchen/tickets/2/recall", () =>
      json({ ...second, status: "ready", version: 3, bumped_at: bumped.bumped_at, recalled_at: new Date().toISOString() }),
    );
    renderApp({ path: "/r/1/kitchen?station=oven", server, tokens: signedInTokens() });
    await waitFor(() => expect(boardArticles()).toHaveLength(2));

    await user.keyboard("2");
    expect(boardArticles()[1]).toHaveAttribute("aria-current", "true");
    expect(boardArticles()[0]).not.toHaveAttribute("aria-current");
    await user.keyboard("{Enter}");
    await waitFor(() => expect(boardArticles().map((a) => a.getAttribute("data-ticket-id"))).toEqual(["1"]));
    expect(server.calls("POST /api/v1/restaurants/1/kitchen/tickets/2/bump")).toHaveLength(1);
    expect(server.calls("POST /api/v1/restaurants/1/kitchen/tickets/1/bump")).toHaveLength(0);
    const strip = screen.getByRole("region", { name: "Recently bumped" });
    expect(within(strip).getByRole("listitem", { name: /^Ticket 2 · Table 8 · #102/ })).toHaveTextContent("1 × Margherita (M)");

    // Enter with nothing picked bumps nothing
    await user.keyboard("{Enter}");
    expect(server.calls("POST /api/v1/restaurants/1/kitchen/tickets/1/bump")).toHaveLength(0);

    await user.keyboard("r");
    await waitFor(() => expect(boardArticles().map((a) => a.getAttribute("data-ticket-id"))).toEqual(["1", "2"]));
    expect(server.calls("POST /api/v1/restaurants/1/kitchen/tickets/2/recall")).toHaveLength(1);
  });

  it("shows and hides the all-day counts, and keeps the choice", async () => {
    const user = userEvent.setup();
    const { server } = backend([
      ticket(1, minutesAgo(6), { items: [line(), line({ quantity: 2 })] }),
      ticket(2, minutesAgo(3), { items: [line({ name: "Calzone", variation_name: "" })] }),
    ]);
    renderApp({ path: "/r/1/kitchen?station=oven", server, tokens: signedInTokens() });
    await waitFor(() => expect(boardArticles()).toHaveLength(2));
    expect(screen.queryByRole("region", { name: "All-day counts" })).toBeNull();

    await user.click(screen.getByRole("button", { name: "All day", pressed: false }));
    const panel = screen.getByRole("region", { name: "All-day counts" });
    expect(within(panel).getAllByRole("listitem").map((li) => li.textContent)).toEqual(["3 × Margherita (M)", "1 × Calzone"]);
    expect(window.localStorage.getItem("brigade.kitchen.allDay")).toBe("1");

    await user.click(screen.getByRole("button", { name: "All day", pressed: true }));
    expect(screen.queryByRole("region", { name: "All-day counts" })).toBeNull();
    expect(window.localStorage.getItem("brigade.kitchen.allDay")).toBeNull();
  });

  it("shows a table's later send on its open ticket, marked ADDED", async () => {
    const t = ticket(1, minutesAgo(4));
    const { server } = backend([t]);
    const { sockets } = renderApp({ path: "/r/1/kitchen?station=oven", server, tokens: signedInTokens() });
    await waitFor(() => expect(boardArticles()).toHaveLength(1));
    await waitFor(() => expect(sockets).toHaveLength(1));
    act(() => sockets[0]!.connectOk({ last_seq: 1, replayed: 0 }));
    const added = { ...t.items[0]!, id: 950, name: "Calzone", variation_name: "", batch: 2, added_at: new Date().toISOString() };
    const joined = { ...t, version: 2, added_at: added.added_at, items: [...t.items, added] };
    act(() =>
      sockets[0]!.emitEvent(envelope(2, "ticket.updated", { action: "lines_added", ticket: joined, added_item_ids: [950] }, "oven")),
    );
    const card = await screen.findByRole("button", { name: "1 × Calzone · ADDED · New" });
    expect(boardArticles()).toHaveLength(1); // the same ticket, not another
    expect(within(boardArticles()[0]!).getByText("ADDED", { selector: ".kitchen-badge" })).toBeInTheDocument();
    expect(boardArticles()[0]).toContainElement(card);
  });

  it("86es and counts an item of the station from the kitchen", async () => {
    const user = userEvent.setup();
    const { server } = backend([]);
    const bodies: unknown[] = [];
    server.on("PUT /api/v1/restaurants/1/menu/items/1/availability", async (request) => {
      bodies.push(await request.json());
      return json({});
    });
    renderApp({ path: "/r/1/kitchen?station=oven", server, tokens: signedInTokens() });
    await screen.findByText("No open tickets. All clear.");
    await user.click(await screen.findByRole("button", { name: "86 and counts" }));
    const panel = screen.getByRole("region", { name: "86 and counts" });
    // only the oven's item (Item 1); the bar's is not offered here
    await within(panel).findByRole("button", { name: "86 Item 1" });
    expect(within(panel).queryByRole("button", { name: "86 Item 2" })).toBeNull();

    await user.type(within(panel).getByRole("textbox", { name: "Count of Item 1" }), "5");
    await user.click(within(panel).getByRole("button", { name: "Set count of Item 1" }));
    await waitFor(() => expect(bodies).toEqual([{ remaining: 5 }]));
    await user.click(within(panel).getByRole("button", { name: "86 Item 1" }));
    await waitFor(() => expect(bodies).toEqual([{ remaining: 5 }, { is_available: false }]));
  });
});
