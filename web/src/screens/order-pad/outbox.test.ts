import { QueryClient } from "@tanstack/react-query";
import { afterEach, describe, expect, it, vi } from "vitest";

import { createApiClient, type TokenSource } from "../../api/client";
import { queryKeys } from "../../api/queries";
import { fakeServer, problem, type FakeServer } from "../../test/fakeServer";
import { blockingReason, initialChoice, toDraftLine, toggleModifier } from "./lineRules";
import { OrderOutbox, storageKey } from "./outbox";
import { BBQ, BRIE, fakeOrderBackend, itemOf, orderOf, type FakeOrderBackend } from "./testing";
import type { DraftLine, OrderRead } from "./types";

const tokens: TokenSource = { accessToken: () => "access", refresh: () => Promise.resolve(null) };

const outboxes: OrderOutbox[] = [];
afterEach(() => {
  for (const outbox of outboxes.splice(0)) outbox.dispose();
});

function setup(initial: OrderRead = orderOf()): {
  server: FakeServer;
  backend: FakeOrderBackend;
  queryClient: QueryClient;
  make: (options?: { timeoutMs?: number; backoffMs?: (attempt: number) => number }) => OrderOutbox;
  sent: SentKey[];
} {
  const server = fakeServer();
  const backend = fakeOrderBackend(server, initial);
  const sent: SentKey[] = [];
  const fetch = (request: Request) => {
    if (request.method === "POST") sent.push({ path: new URL(request.url).pathname, key: request.headers.get("Idempotency-Key") });
    return server.fetch(request);
  };
  const api = createApiClient(tokens, { fetch, baseUrl: "http://brigade.test" });
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  const make = (options: { timeoutMs?: number; backoffMs?: (attempt: number) => number } = {}) => {
    const outbox = new OrderOutbox({
      api,
      queryClient,
      restaurantId: 1,
      orderId: initial.id,
      backoffMs: () => 5,
      ...options,
    });
    outboxes.push(outbox);
    return outbox;
  };
  return { server, backend, queryClient, make, sent };
}

let counter = 0;
function bbqLine(overrides: Partial<DraftLine> = {}): DraftLine {
  let choice = { ...initialChoice(BBQ), variationId: 2 };
  choice = { ...choice, modifierIds: toggleModifier(BBQ.modifier_groups[1]!, choice.modifierIds, 5) };
  expect(blockingReason(BBQ, choice)).toBeNull();
  counter += 1;
  return { ...toDraftLine(BBQ, choice, `local-${counter}`), ...overrides };
}

function brieLine(overrides: Partial<DraftLine> = {}): DraftLine {
  counter += 1;
  return { ...toDraftLine(BRIE, initialChoice(BRIE), `local-${counter}`), ...overrides };
}

async function settled(outbox: OrderOutbox): Promise<void> {
  await vi.waitFor(() => expect(outbox.getState().ops.filter((op) => op.status !== "failed")).toEqual([]), {
    timeout: 2000,
  });
}

const keysOf = (server: FakeServer, path: string) =>
  server.requests.filter((r) => r.method === "POST" && r.path.endsWith(path)).map((r) => r.body);

/** Each POST's Idempotency-Key, in the order the requests were made, for paths ending with `suffix`. */
function idempotencyKeys(sent: SentKey[], suffix: string): (string | null)[] {
  return sent.filter((r) => r.path.endsWith(suffix)).map((r) => r.key);
}

interface SentKey {
  path: string;
  key: string | null;
}

describe("the outbox sends a draft once", () => {
  it("adds the draft lines against the order's version, then fires course 1, each with its own key", async () => {
    const { server, backend, queryClient, make } = setup();
    const outbox = make();
    outbox.addDraft(bbqLine({ quantity: 2, seat: 1, notes: "well done" }));
    outbox.addDraft(brieLine({ course: 2 }));
    outbox.send();
    expect(outbox.getState().drafts).toEqual([]);
    await settled(outbox);

    const [add] = server.calls("POST /api/v1/restaurants/1/orders/7/items");
    expect(add?.body).toEqual({
      items: [
        { menu_item_id: 1, variation_id: 2, modifier_ids: [5], quantity: 2, notes: "well done", seat: 1, course: 1 },
        { menu_item_id: 2, variation_id: 4, modifier_ids: [], quantity: 1, notes: "", seat: null, course: 2 },
      ],
      version: 1,
    });
    expect(server.calls("POST /api/v1/restaurants/1/orders/7/send").map((r) => r.body)).toEqual([{ version: 2 }]);
    // course 1 went to the kitchen, course 2 is held
    expect(backend.order.items.map((i) => [i.course, i.status])).toEqual([
      [1, "fired"],
      [2, "pending"],
    ]);
    expect(queryClient.getQueryData<OrderRead>(queryKeys.order(1, 7))?.version).toBe(3);
    expect(window.localStorage.getItem(storageKey(1, 7))).toBeNull();
  });

  it("retries a request that never reached the server with the same key and body, and adds the lines once", async () => {
    const { server, backend, make, sent } = setup();
    backend.failNext("items", "network", "500");
    const outbox = make();
    outbox.addDraft(bbqLine());
    outbox.send();
    await settled(outbox);

    const adds = keysOf(server, "/items");
    expect(adds).toHaveLength(3);
    expect(new Set(adds.map((b) => JSON.stringify(b))).size).toBe(1); // the same body, version included
    const keys = idempotencyKeys(sent, "/items");
    expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(new Set(keys)).toEqual(new Set([keys[0]])); // never a second key
    expect(backend.order.items).toHaveLength(1);
    expect(backend.fired).toHaveLength(1);
  });

  it("confirms a write whose answer was lost instead of adding its lines again", async () => {
    const { server, backend, make, sent } = setup();
    backend.failNext("items", "lost"); // the server adds the lines; the waiter's tablet never hears back
    backend.failNext("send", "lost"); // same for the send: the kitchen has it
    const outbox = make();
    outbox.addDraft(bbqLine({ quantity: 2 }));
    outbox.addDraft(brieLine());
    outbox.send();
    await settled(outbox);

    // the retries carried the same key and version; the stale answer was checked against the order
    const keys = idempotencyKeys(sent, "/items");
    expect(keys).toHaveLength(2);
    expect(keys[1]).toBe(keys[0]);
    expect(keysOf(server, "/items").map((b) => (b as { version: number }).version)).toEqual([1, 1]);
    expect(backend.order.items.map((i) => i.name)).toEqual([BBQ.name, BRIE.name]);
    expect(backend.fired).toHaveLength(2); // each line reached the kitchen once
    expect(keysOf(server, "/send")).toEqual([{ version: 2 }, { version: 2 }]);
    expect(outbox.getState().ops).toEqual([]);
  });

  it("confirms a lost write as soon as the realtime order shows it, without another request", async () => {
    const { server, backend, queryClient, make } = setup();
    backend.failNext("items", "lost");
    const outbox = make({ backoffMs: () => 60_000 });
    outbox.addDraft(brieLine({ course: 2 }));
    outbox.send();
    await vi.waitFor(() => expect(outbox.getState().ops[0]?.status).toBe("retrying"));
    // the order.items.added event reaches the cache (realtime cache integration)
    queryClient.setQueryData(queryKeys.order(1, 7), structuredClone(backend.order));
    await settled(outbox);
    expect(server.calls("POST /api/v1/restaurants/1/orders/7/items")).toHaveLength(1);
    expect(backend.order.items).toHaveLength(1);
  });

  it("retries against the fresh version, with the same key, when another device wrote first", async () => {
    const { server, backend, make, sent } = setup();
    const outbox = make();
    // the tablet read version 1; meanwhile another waiter adds a Brie (version 2)
    await outbox["knownOrder"]();
    backend.otherDeviceWrites([{ menu_item_id: 2, variation_id: 4, quantity: 1 }]);
    outbox.addDraft(brieLine());
    outbox.send();
    await settled(outbox);

    expect(keysOf(server, "/items").map((b) => (b as { version: number }).version)).toEqual([1, 2]);
    const keys = idempotencyKeys(sent, "/items");
    expect(keys[1]).toBe(keys[0]);
    // both Bries: the other waiter's and ours (an identical line by someone else is not mistaken for ours)
    expect(backend.order.items.filter((i) => i.name === BRIE.name)).toHaveLength(2);
  });

  it("retries a request that times out with the same key", async () => {
    const { backend, make, sent } = setup();
    backend.failNext("items", "hang");
    const outbox = make({ timeoutMs: 30, backoffMs: () => 300 });
    outbox.addDraft(brieLine());
    outbox.send();
    await vi.waitFor(() => expect(outbox.getState().ops[0]?.status).toBe("retrying"));
    expect(outbox.getState().ops[0]?.problem?.title).toBe("The server did not answer in time");
    await settled(outbox);
    const keys = idempotencyKeys(sent, "/items");
    expect(keys).toHaveLength(2);
    expect(keys[1]).toBe(keys[0]);
    expect(backend.order.items).toHaveLength(1);
  });

  it("shows a refused add next to the draft, puts the lines back and does not retry or send", async () => {
    const { server, backend, make } = setup();
    backend.failNext(
      "items",
      problem(409, "item-unavailable", "Item unavailable", { detail: "The Barbecue Chicken Pizza is 86'd" }),
    );
    const outbox = make();
    const line = bbqLine();
    outbox.addDraft(line);
    outbox.send();
    await vi.waitFor(() => expect(outbox.getState().draftProblem?.detail).toBe("The Barbecue Chicken Pizza is 86'd"));
    expect(outbox.getState().drafts).toEqual([line]);
    expect(outbox.getState().ops).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(server.calls("POST /api/v1/restaurants/1/orders/7/items")).toHaveLength(1);
    expect(server.calls("POST /api/v1/restaurants/1/orders/7/send")).toHaveLength(0);
    expect(backend.order.items).toEqual([]);
  });

  it("puts a validation error's message on the line it belongs to", async () => {
    const { backend, make } = setup();
    backend.failNext(
      "items",
      problem(422, "validation-error", "Request validation failed", {
        errors: [{ loc: ["body", "items", 1, "quantity"], msg: "Input should be less than or equal to 99" }],
      }),
    );
    const outbox = make();
    const first = brieLine();
    const second = brieLine({ quantity: 120 });
    outbox.addDraft(first);
    outbox.addDraft(second);
    outbox.send();
    await vi.waitFor(() => expect(outbox.getState().draftProblem).not.toBeNull());
    expect(outbox.getState().draftLineErrors).toEqual({ [second.localId]: "Input should be less than or equal to 99" });
  });

  it("resumes a send that was out when the page was reloaded, with the same key and version", async () => {
    const { backend, queryClient, make, sent } = setup();
    backend.failNext("items", "hang");
    const before = make({ timeoutMs: 60_000 });
    before.addDraft(bbqLine());
    before.send();
    await vi.waitFor(() => expect(before.getState().ops[0]?.status).toBe("sending"));
    const persisted = JSON.parse(window.localStorage.getItem(storageKey(1, 7)) ?? "null") as {
      ops: { key: string; sentVersion: number }[];
    };
    expect(persisted.ops[0]?.sentVersion).toBe(1);
    before.dispose(); // the page goes away

    queryClient.clear();
    const after = make();
    expect(after.getState().ops.map((op) => op.status)).toEqual(["retrying", "queued"]);
    after.kick();
    await settled(after);
    const keys = idempotencyKeys(sent, "/items");
    expect(keys).toEqual([persisted.ops[0]?.key, persisted.ops[0]?.key]);
    expect(backend.order.items).toHaveLength(1);
    expect(backend.fired).toHaveLength(1);
  });

  it("only adds lines of a later course: Send holds them without asking the kitchen", async () => {
    const { server, backend, make } = setup();
    const outbox = make();
    outbox.addDraft(brieLine({ course: 2 }));
    outbox.send();
    await settled(outbox);
    expect(backend.order.items.map((i) => i.status)).toEqual(["pending"]);
    expect(server.calls("POST /api/v1/restaurants/1/orders/7/send")).toHaveLength(0);
  });
});

describe("the outbox's other writes", () => {
  it("fires a held course once even when the answer was lost", async () => {
    const fired = itemOf({ id: 1, status: "fired", fired_at: "2026-01-01T19:05:00Z" });
    const held = itemOf({ id: 2, course: 2 });
    const { server, backend, make } = setup(orderOf({ items: [fired, held], version: 3 }));
    backend.failNext("fire", "lost");
    const outbox = make();
    outbox.fire(2);
    await settled(outbox);
    expect(backend.fired).toEqual([2]);
    expect(server.calls("POST /api/v1/restaurants/1/orders/7/courses/2/fire")).toHaveLength(2);
  });

  it("voids a line with its reason; a refusal stays listed as failed and is not retried", async () => {
    const { server, backend, make } = setup(orderOf({ items: [itemOf({ id: 1 }), itemOf({ id: 2 })] }));
    backend.allowVoid([1]);
    const outbox = make();
    outbox.voidItem(1, "Guest changed their mind");
    await settled(outbox);
    expect(backend.order.items[0]).toMatchObject({ status: "voided", void_reason: "Guest changed their mind" });

    backend.failNext("void", problem(403, "permission-denied", "Not allowed", { detail: "Voids need a manager" }));
    backend.allowVoid([2]);
    const opId = outbox.voidItem(2, "Wrong table");
    await vi.waitFor(() => expect(outbox.getState().ops[0]?.status).toBe("failed"));
    expect(outbox.getState().ops[0]).toMatchObject({ id: opId, problem: { detail: "Voids need a manager" } });
    expect(server.calls("POST /api/v1/restaurants/1/orders/7/items/2/void")).toHaveLength(1);
    outbox.dismiss(opId);
    expect(outbox.getState().ops).toEqual([]);
  });

  it("marks the ready lines served", async () => {
    const ready = itemOf({ id: 1, status: "ready", fired_at: "2026-01-01T19:05:00Z" });
    const { server, backend, make } = setup(orderOf({ items: [ready], version: 4 }));
    const outbox = make();
    outbox.serve([1]);
    await settled(outbox);
    expect(server.calls("POST /api/v1/restaurants/1/orders/7/serve")[0]?.body).toEqual({ order_item_ids: [1], version: 4 });
    expect(backend.order.items[0]?.status).toBe("served");
  });
});
