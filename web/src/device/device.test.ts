import { describe, expect, it, vi } from "vitest";

import {
  IdleTimer,
  deviceHeaders,
  forgetDevice,
  isValidPin,
  pressPinKey,
  readDevice,
  saveDevice,
  tokenDeviceId,
  type DeviceRegistration,
} from "./device";

const tablet: DeviceRegistration = {
  secret: "brd_abc",
  id: 7,
  name: "Tablet 1",
  kind: "tablet",
  restaurantId: 3,
  idleSeconds: 120,
};

function jwt(claims: Record<string, unknown>): string {
  const encode = (v: unknown) => btoa(JSON.stringify(v)).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
  return `${encode({ alg: "HS256" })}.${encode(claims)}.signature`;
}

describe("the device registration", () => {
  it("is kept in localStorage and forgotten", () => {
    expect(readDevice(localStorage)).toBeNull();
    saveDevice(tablet, localStorage);
    expect(readDevice(localStorage)).toEqual(tablet);
    expect(deviceHeaders(readDevice(localStorage))).toEqual({ "X-Brigade-Device": "brd_abc" });
    forgetDevice(localStorage);
    expect(readDevice(localStorage)).toBeNull();
    expect(deviceHeaders(null)).toEqual({});
  });

  it("treats a damaged entry as no registration", () => {
    localStorage.setItem("brigade.device", "{not json");
    expect(readDevice(localStorage)).toBeNull();
    localStorage.setItem("brigade.device", JSON.stringify({ secret: 1 }));
    expect(readDevice(localStorage)).toBeNull();
    localStorage.removeItem("brigade.device");
  });
});

describe("tokenDeviceId", () => {
  it("reads the dev claim of a PIN sign-in", () => {
    expect(tokenDeviceId(jwt({ sub: "1", dev: 7 }))).toBe(7);
  });
  it("is null for a full sign-in or an unreadable token", () => {
    expect(tokenDeviceId(jwt({ sub: "1" }))).toBeNull();
    expect(tokenDeviceId("garbage")).toBeNull();
    expect(tokenDeviceId(null)).toBeNull();
  });
});

describe("the PIN pad", () => {
  it("takes 4 to 6 digits", () => {
    expect(isValidPin("123")).toBe(false);
    expect(isValidPin("1234")).toBe(true);
    expect(isValidPin("123456")).toBe(true);
    expect(isValidPin("1234567")).toBe(false);
    expect(isValidPin("12a4")).toBe(false);
  });
  it("appends digits up to six, removes and clears", () => {
    let pin = "";
    for (const key of ["1", "2", "x", "3", "4", "5", "6", "7"]) pin = pressPinKey(pin, key);
    expect(pin).toBe("123456");
    expect(pressPinKey(pin, "back")).toBe("12345");
    expect(pressPinKey(pin, "clear")).toBe("");
  });
});

describe("IdleTimer", () => {
  it("signs out after the idle time without activity", () => {
    vi.useFakeTimers();
    const onIdle = vi.fn();
    const timer = new IdleTimer({ idleMs: 60_000, onIdle });
    vi.advanceTimersByTime(59_000);
    expect(onIdle).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1_000);
    expect(onIdle).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(120_000);
    expect(onIdle).toHaveBeenCalledTimes(1);
    timer.stop();
    vi.useRealTimers();
  });

  it("starts again with every activity", () => {
    vi.useFakeTimers();
    const onIdle = vi.fn();
    const timer = new IdleTimer({ idleMs: 60_000, onIdle });
    vi.advanceTimersByTime(50_000);
    timer.activity();
    vi.advanceTimersByTime(50_000);
    expect(onIdle).not.toHaveBeenCalled();
    expect(timer.remainingMs()).toBe(10_000);
    vi.advanceTimersByTime(10_000);
    expect(onIdle).toHaveBeenCalledTimes(1);
    vi.useRealTimers();
  });

  it("signs out on a late check when the time is up (a sleeping tablet)", () => {
    let now = 0;
    const onIdle = vi.fn();
    const timer = new IdleTimer({ idleMs: 1_000, onIdle, now: () => now, setTimer: () => 0, clearTimer: () => {} });
    now = 5_000;
    timer.check();
    expect(onIdle).toHaveBeenCalledTimes(1);
  });

  it("never signs out once stopped", () => {
    vi.useFakeTimers();
    const onIdle = vi.fn();
    const timer = new IdleTimer({ idleMs: 1_000, onIdle });
    timer.stop();
    vi.advanceTimersByTime(5_000);
    expect(onIdle).not.toHaveBeenCalled();
    vi.useRealTimers();
  });
});
