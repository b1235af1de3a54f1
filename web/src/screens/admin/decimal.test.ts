import { describe, expect, it } from "vitest";

import {
  basisPointsToPercent,
  formatDecimal,
  parseDecimal,
  parsePercentToBasisPoints,
  parsePrice,
  priceInputValue,
} from "./decimal";

function value(result: ReturnType<typeof parseDecimal>): number {
  if (!result.ok) throw new Error(`expected a value, got the error ${result.error}`);
  return result.value;
}

function error(result: ReturnType<typeof parseDecimal>): string {
  if (result.ok) throw new Error(`expected an error, got ${result.value}`);
  return result.error;
}

describe("decimal price → minor units, exactly", () => {
  it("moves the digits instead of multiplying floats", () => {
    expect(value(parsePrice("12.35", "USD"))).toBe(1235);
    // 0.1 * 100 and 0.2 * 100 and their float sum are not integers; the parsed values are
    expect(value(parsePrice("0.1", "USD"))).toBe(10);
    expect(value(parsePrice("0.2", "USD"))).toBe(20);
    expect(value(parsePrice("0.1", "USD")) + value(parsePrice("0.2", "USD"))).toBe(value(parsePrice("0.3", "USD")));
    expect(value(parsePrice("1.15", "EUR"))).toBe(115); // 1.15 * 100 = 114.99999999999999
    expect(value(parsePrice("4.35", "EUR"))).toBe(435); // 4.35 * 100 = 434.99999999999994
    expect(value(parsePrice("19.99", "USD"))).toBe(1999);
    expect(value(parsePrice("12", "USD"))).toBe(1200);
    expect(value(parsePrice("12.", "USD"))).toBe(1200);
    expect(value(parsePrice(".5", "USD"))).toBe(50);
    expect(value(parsePrice("12,35", "EUR"))).toBe(1235);
    expect(value(parsePrice(" 1 234.50 ", "USD"))).toBe(123450);
    expect(value(parsePrice("0", "USD"))).toBe(0);
    expect(value(parsePrice("007.05", "USD"))).toBe(705);
  });

  it("uses the currency's own number of minor digits (0 for JPY, 3 for KWD/BHD)", () => {
    expect(value(parsePrice("1250", "JPY"))).toBe(1250);
    expect(error(parsePrice("12.5", "JPY"))).toMatch(/whole number/);
    expect(value(parsePrice("1.5", "KWD"))).toBe(1500);
    expect(value(parsePrice("0.125", "BHD"))).toBe(125);
    expect(value(parsePrice("2.001", "KWD"))).toBe(2001);
    expect(error(parsePrice("2.0001", "KWD"))).toMatch(/at most 3 decimal places/);
  });

  it("refuses what is not a price instead of guessing", () => {
    expect(error(parsePrice("12.345", "USD"))).toBe("Price has at most 2 decimal places.");
    expect(error(parsePrice("", "USD"))).toBe("Price is required.");
    expect(error(parsePrice("-1", "USD"))).toBe("Price cannot be negative.");
    expect(error(parsePrice("abc", "USD"))).toMatch(/must be a number/);
    expect(error(parsePrice("1.2.3", "USD"))).toMatch(/must be a number/);
    expect(error(parsePrice("$12", "USD"))).toMatch(/must be a number/);
    expect(error(parsePrice("1e3", "USD"))).toMatch(/must be a number/);
    expect(error(parsePrice(".", "USD"))).toMatch(/must be a number/);
    expect(error(parsePrice("99999999999999999999", "USD"))).toBe("Price is too large.");
  });

  it("writes minor units back as the decimal to edit", () => {
    expect(priceInputValue(1235, "USD")).toBe("12.35");
    expect(priceInputValue(5, "USD")).toBe("0.05");
    expect(priceInputValue(0, "EUR")).toBe("0.00");
    expect(priceInputValue(1250, "JPY")).toBe("1250");
    expect(priceInputValue(1500, "KWD")).toBe("1.500");
    expect(formatDecimal(-250, 2)).toBe("-2.50");
    for (const minor of [0, 1, 10, 99, 100, 101, 1235, 123456789]) {
      expect(value(parsePrice(priceInputValue(minor, "USD"), "USD"))).toBe(minor);
      expect(value(parsePrice(priceInputValue(minor, "KWD"), "KWD"))).toBe(minor);
    }
  });
});

describe("tax rate percent ↔ basis points", () => {
  it("parses percent into basis points exactly, up to 100 %", () => {
    expect(value(parsePercentToBasisPoints("8.25"))).toBe(825);
    expect(value(parsePercentToBasisPoints("8.25 %"))).toBe(825);
    expect(value(parsePercentToBasisPoints("20"))).toBe(2000);
    expect(value(parsePercentToBasisPoints("0.1"))).toBe(10);
    expect(value(parsePercentToBasisPoints("100"))).toBe(10_000);
    expect(error(parsePercentToBasisPoints("100.01"))).toBe("Tax rate is at most 100.00.");
    expect(error(parsePercentToBasisPoints("8.125"))).toBe("Tax rate has at most 2 decimal places.");
  });

  it("shows basis points as a short percent", () => {
    expect(basisPointsToPercent(825)).toBe("8.25");
    expect(basisPointsToPercent(2000)).toBe("20");
    expect(basisPointsToPercent(50)).toBe("0.5");
    expect(basisPointsToPercent(5)).toBe("0.05");
    expect(basisPointsToPercent(0)).toBe("0");
    expect(basisPointsToPercent(10_000)).toBe("100");
  });
});
