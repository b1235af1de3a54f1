import { describe, expect, it } from "vitest";

import { newIdempotencyKey } from "./idempotency";
import { formatMoney, minorUnitDigits, parseMoney } from "./money";
import { formatAge } from "./time";

describe("money", () => {
  it("formats integer minor units with the currency's digits", () => {
    expect(formatMoney(1250, "USD", "en-US")).toBe("$12.50");
    expect(formatMoney(1250, "JPY", "en-US")).toBe("¥1,250");
    expect(formatMoney(1250, "KWD", "en-US")).toMatch(/^KWD\s1\.250$/);
    expect(formatMoney(-5, "EUR", "en-US")).toBe("-€0.05");
    expect(formatMoney(0, "usd", "en-US")).toBe("$0.00");
  });

  it("knows the minor-unit digits", () => {
    expect(minorUnitDigits("USD")).toBe(2);
    expect(minorUnitDigits("JPY")).toBe(0);
    expect(minorUnitDigits("BHD")).toBe(3);
  });

  it("refuses fractions of a minor unit and unknown currencies", () => {
    expect(() => formatMoney(12.5, "USD")).toThrow(RangeError);
    expect(() => formatMoney(100, "NOT-A-CURRENCY")).toThrow(RangeError);
  });

  it("parses what a cashier types into minor units", () => {
    expect(parseMoney("12.5", "USD")).toBe(1250);
    expect(parseMoney("$1,234.56", "USD")).toBe(123456);
    expect(parseMoney("12,50", "EUR")).toBe(1250);
    expect(parseMoney("1.005", "USD")).toBe(101);
    expect(parseMoney("500", "JPY")).toBe(500);
    expect(parseMoney("", "USD")).toBeNull();
    expect(parseMoney("abc", "USD")).toBeNull();
    expect(parseMoney("-2.50", "USD")).toBe(-250);
    expect(parseMoney("1.2.3", "USD")).toBeNull();
  });
});

describe("time", () => {
  const now = new Date("2026-01-01T20:00:00Z");
  it("formats ages", () => {
    expect(formatAge("2026-01-01T19:59:30Z", now)).toBe("now");
    expect(formatAge("2026-01-01T19:56:00Z", now)).toBe("4 min");
    expect(formatAge("2026-01-01T18:55:00Z", now)).toBe("1 h 05");
    expect(formatAge("2025-12-30T20:00:00Z", now)).toBe("2 d");
    expect(formatAge("2026-01-01T20:05:00Z", now)).toBe("now"); // a clock a little ahead
    expect(() => formatAge("yesterday", now)).toThrow(RangeError);
  });
});

describe("idempotency keys", () => {
  it("are fresh UUIDs", () => {
    const a = newIdempotencyKey();
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(newIdempotencyKey()).not.toBe(a);
  });
});
