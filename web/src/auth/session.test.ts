import { afterEach, describe, expect, it, vi } from "vitest";

import { createPublicClient } from "../api/client";
import { fakeServer, json, tokenPair } from "../test/fakeServer";
import { AuthSession } from "./session";
import { TokenStore } from "./tokens";

const BASE = "http://brigade.test";

function devicePair(access: string, expiresIn: number) {
  return {
    ...tokenPair(expiresIn),
    access_token: access,
    device_id: 7,
    restaurant_id: 1,
    idle_seconds: expiresIn,
  };
}

afterEach(() => {
  vi.useRealTimers();
  localStorage.clear();
});

describe("a PIN sign-in on a registered device", () => {
  it("sends the device's secret and keeps the tokens with their lifetime", async () => {
    const server = fakeServer({ "POST /api/v1/devices/current/pin-login": () => json(devicePair("pin-access", 300)) });
    const seen: string[] = [];
    const store = new TokenStore(window.localStorage);
    const auth = new AuthSession({
      store,
      publicApi: createPublicClient({
        baseUrl: BASE,
        fetch: (request) => {
          seen.push(request.headers.get("X-Brigade-Device") ?? "");
          return server.fetch(request);
        },
      }),
      locks: null,
      now: () => 1_000,
    });
    const login = await auth.signInWithPin("brd_secret", 4, "1234");
    expect(login.idle_seconds).toBe(300);
    expect(seen).toEqual(["brd_secret"]);
    expect(server.calls("POST /api/v1/devices/current/pin-login")[0]?.body).toEqual({ user_id: 4, pin: "1234" });
    expect(store.get()).toMatchObject({ accessToken: "pin-access", expiresAt: 301_000, lifetimeMs: 300_000 });
  });

  it("renews a short-lived token a third of its life before expiry, not in a loop", async () => {
    vi.useFakeTimers();
    let refreshes = 0;
    const server = fakeServer({
      "POST /api/v1/devices/current/pin-login": () => json(devicePair("first", 30)),
      "POST /api/v1/auth/refresh": () => {
        refreshes += 1;
        return json(devicePair(`renewed-${refreshes}`, 30));
      },
    });
    const auth = new AuthSession({
      store: new TokenStore(window.localStorage),
      publicApi: createPublicClient({ baseUrl: BASE, fetch: server.fetch }),
      locks: null,
    });
    await auth.signInWithPin("brd_secret", 4, "1234");
    const stop = auth.startSilentRefresh();
    await vi.advanceTimersByTimeAsync(19_000);
    expect(refreshes).toBe(0);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(refreshes).toBe(1);
    await vi.advanceTimersByTimeAsync(20_000);
    expect(refreshes).toBe(2);
    stop();
  });
});
