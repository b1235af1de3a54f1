import { afterEach, describe, expect, it, vi } from "vitest";

import { AuthSession } from "../auth/session";
import { STORAGE_KEY, TokenStore } from "../auth/tokens";
import { fakeServer, json, problem, tokenPair } from "../test/fakeServer";
import { createApiClient, createPublicClient, unwrap } from "./client";
import { ApiError } from "./errors";

const BASE = "http://brigade.test";
const TABLES = "GET /api/v1/restaurants/1/tables";

function setup(server = fakeServer(), expiresAt = Date.now() + 15 * 60_000) {
  window.localStorage.setItem(
    STORAGE_KEY,
    JSON.stringify({ accessToken: "old-access", refreshToken: "old-refresh", expiresAt }),
  );
  const store = new TokenStore(window.localStorage);
  const auth = new AuthSession({ store, publicApi: createPublicClient({ baseUrl: BASE, fetch: server.fetch }), locks: null });
  const api = createApiClient(auth, { baseUrl: BASE, fetch: server.fetch });
  const getTables = () =>
    unwrap(api.GET("/api/v1/restaurants/{restaurant_id}/tables", { params: { path: { restaurant_id: 1 } } }));
  return { server, store, auth, api, getTables };
}

/** Answers 401 to a stale token and the table list to `good`. */
function tablesFor(good: string) {
  return (request: Request) =>
    request.headers.get("authorization") === `Bearer ${good}`
      ? json({ items: [], total: 0 })
      : problem(401, "not-authenticated", "Authentication required", { detail: "invalid or expired access token" });
}

describe("API client", () => {
  afterEach(() => vi.useRealTimers());

  it("sends the access token as a bearer token", async () => {
    const { server, getTables } = setup(fakeServer({ [TABLES]: tablesFor("old-access") }));
    await expect(getTables()).resolves.toEqual({ items: [], total: 0 });
    expect(server.calls(TABLES)[0]?.authorization).toBe("Bearer old-access");
  });

  it("refreshes once for many requests refused at once, then retries each with the new token", async () => {
    const pair = tokenPair();
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const server = fakeServer({
      [TABLES]: tablesFor(pair.access_token),
      "POST /api/v1/auth/refresh": async () => {
        await gate; // hold the refresh until every request was refused
        return json(pair);
      },
    });
    const { store, getTables } = setup(server);
    const results = Promise.all([getTables(), getTables(), getTables()]);
    await vi.waitFor(() => expect(server.calls(TABLES)).toHaveLength(3));
    release();
    await expect(results).resolves.toHaveLength(3);

    expect(server.calls("POST /api/v1/auth/refresh")).toHaveLength(1);
    expect(server.calls("POST /api/v1/auth/refresh")[0]?.body).toEqual({ refresh_token: "old-refresh" });
    const retries = server.calls(TABLES).slice(3);
    expect(retries.map((r) => r.authorization)).toEqual(Array(3).fill(`Bearer ${pair.access_token}`));
    expect(store.get()?.refreshToken).toBe(pair.refresh_token);
  });

  it("retries a request with its body after the refresh", async () => {
    const pair = tokenPair();
    const server = fakeServer({
      "POST /api/v1/restaurants/1/tables": (request) =>
        request.headers.get("authorization") === `Bearer ${pair.access_token}`
          ? json({ id: 9, name: "Patio 1" }, 201)
          : problem(401, "not-authenticated", "Authentication required"),
      "POST /api/v1/auth/refresh": () => json(pair),
    });
    const { api } = setup(server);
    const created = await unwrap(
      api.POST("/api/v1/restaurants/{restaurant_id}/tables", {
        params: { path: { restaurant_id: 1 } },
        body: { name: "Patio 1", seats: 4 },
      }),
    );
    expect(created).toMatchObject({ id: 9 });
    expect(server.calls("POST /api/v1/restaurants/1/tables").map((r) => r.body)).toEqual([
      { name: "Patio 1", seats: 4 },
      { name: "Patio 1", seats: 4 },
    ]);
  });

  it("signs out when the refresh is refused, and the caller gets the 401", async () => {
    const server = fakeServer({
      [TABLES]: tablesFor("never"),
      "POST /api/v1/auth/refresh": () => problem(401, "refresh-token-reused", "Refresh token already used"),
    });
    const { store, getTables } = setup(server);
    const error = await getTables().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(401);
    expect(store.get()).toBeNull();
    expect(window.localStorage.getItem(STORAGE_KEY)).toBeNull();
  });

  it("keeps the session when the refresh cannot reach the server", async () => {
    const server = fakeServer({
      [TABLES]: tablesFor("never"),
      "POST /api/v1/auth/refresh": () => Promise.reject(new TypeError("Failed to fetch")),
    });
    const { store, getTables } = setup(server);
    await expect(getTables()).rejects.toMatchObject({ status: 401 });
    expect(store.get()?.accessToken).toBe("old-access");
  });

  it("uses another tab's fresh token instead of refreshing again", async () => {
    const server = fakeServer({ [TABLES]: tablesFor("tab-2-access") });
    const { auth } = setup(server);
    // another tab refreshed while this request was out
    window.localStorage.setItem(
      STORAGE_KEY,
      JSON.stringify({ accessToken: "tab-2-access", refreshToken: "tab-2-refresh", expiresAt: Date.now() + 900_000 }),
    );
    await expect(auth.refresh("old-access")).resolves.toBe("tab-2-access");
    expect(server.calls("POST /api/v1/auth/refresh")).toHaveLength(0);
  });

  it("turns a problem+json answer into an ApiError with field messages", async () => {
    const server = fakeServer({
      [TABLES]: () =>
        problem(422, "validation-error", "Request validation failed", {
          errors: [
            { loc: ["query", "status"], msg: "Input should be 'free' or 'occupied'" },
            { loc: ["query", "status"], msg: "second message" },
          ],
        }),
    });
    const { getTables } = setup(server);
    const error = (await getTables().catch((e: unknown) => e)) as ApiError;
    expect(error).toBeInstanceOf(ApiError);
    expect(error.type).toBe("validation-error");
    expect(error.is("validation-error")).toBe(true);
    expect(error.fieldMessage("status")).toBe("Input should be 'free' or 'occupied' second message");
    expect(error.message).toBe("Request validation failed: status: Input should be 'free' or 'occupied', second message");
  });

  it("reports an answer that is not problem+json by its status", async () => {
    const server = fakeServer({ [TABLES]: () => new Response("upstream timeout", { status: 504, statusText: "Gateway Timeout" }) });
    const { getTables } = setup(server);
    await expect(getTables()).rejects.toMatchObject({ status: 504, type: "http-504", detail: "upstream timeout" });
  });
});

describe("silent refresh", () => {
  afterEach(() => vi.useRealTimers());

  it("refreshes a minute before the access token expires, and again after", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    const server = fakeServer({ "POST /api/v1/auth/refresh": () => json(tokenPair(900)) });
    const { auth } = setup(server, Date.now() + 15 * 60_000);
    const stop = auth.startSilentRefresh();
    await vi.advanceTimersByTimeAsync(13 * 60_000);
    expect(server.calls("POST /api/v1/auth/refresh")).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(60_000 + 10);
    expect(server.calls("POST /api/v1/auth/refresh")).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(14 * 60_000 + 10);
    expect(server.calls("POST /api/v1/auth/refresh")).toHaveLength(2);
    stop();
    await vi.advanceTimersByTimeAsync(30 * 60_000);
    expect(server.calls("POST /api/v1/auth/refresh")).toHaveLength(2);
  });
});
