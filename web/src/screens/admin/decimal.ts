/**
 * Exact decimal input for the admin screens: a price typed as "12.35" becomes 1235 minor
 * units, a tax rate typed as "8.25" % becomes 825 basis points. The digits are moved, never
 * multiplied as floating point numbers, so "0.1", "0.2" and "12.35" are exact; more
 * decimal places than the unit has is an error (not silently rounded).
 */
import { minorUnitDigits } from "../../lib/money";

/** The result of parsing: the integer, or a message for the person who typed it. */
export type DecimalResult = { ok: true; value: number } | { ok: false; error: string };

export interface ParseDecimalOptions {
  /** Largest accepted value, in the scaled integer unit (e.g. 10000 bp = 100 %). */
  max?: number;
  /** What the number is, for messages ("Price", "Tax rate"). Default "Amount". */
  label?: string;
}

/**
 * Parse `text` ("12.35", "12,35", " 1 234.5 ") as a non-negative decimal with at most
 * `digits` decimal places and return it scaled by `10 ** digits` as an integer
 * (`parseDecimal("12.35", 2)` → 1235, `parseDecimal("7", 3)` → 7000). Spaces are ignored;
 * "." or "," is the decimal separator. Errors: empty, not a number, negative, too many
 * decimal places, above `max` or beyond a safe integer.
 */
export function parseDecimal(text: string, digits: number, options: ParseDecimalOptions = {}): DecimalResult {
  const label = options.label ?? "Amount";
  const cleaned = text.replace(/\s+/g, "");
  if (cleaned === "") return { ok: false, error: `${label} is required.` };
  if (cleaned.startsWith("-")) return { ok: false, error: `${label} cannot be negative.` };
  const match = /^\+?(\d*)(?:[.,](\d*))?$/.exec(cleaned);
  const whole = match?.[1] ?? "";
  const fraction = match?.[2] ?? "";
  if (match === null || (whole === "" && fraction === "")) {
    return { ok: false, error: `${label} must be a number, e.g. ${example(digits)}.` };
  }
  if (fraction.length > digits) {
    return {
      ok: false,
      error:
        digits === 0
          ? `${label} must be a whole number (no decimal places).`
          : `${label} has at most ${digits} decimal place${digits === 1 ? "" : "s"}.`,
    };
  }
  const integerText = (whole + fraction.padEnd(digits, "0")).replace(/^0+(?=\d)/, "");
  const value = Number(integerText);
  if (!Number.isSafeInteger(value)) return { ok: false, error: `${label} is too large.` };
  if (options.max !== undefined && value > options.max) {
    return { ok: false, error: `${label} is at most ${formatDecimal(options.max, digits)}.` };
  }
  return { ok: true, value };
}

/** `value` scaled by `10 ** digits` written back as a decimal: (1235, 2) → "12.35", (5, 3) → "0.005", (1250, 0) → "1250". */
export function formatDecimal(value: number, digits: number): string {
  if (!Number.isSafeInteger(value)) throw new RangeError(`not an integer: ${value}`);
  const sign = value < 0 ? "-" : "";
  const text = String(Math.abs(value)).padStart(digits + 1, "0");
  if (digits === 0) return sign + text;
  return `${sign}${text.slice(0, -digits)}.${text.slice(-digits)}`;
}

/** A price typed in `currency` ("12.35" in USD) as integer minor units (1235); see {@link parseDecimal}. */
export function parsePrice(text: string, currency: string, label = "Price"): DecimalResult {
  return parseDecimal(text, minorUnitDigits(currency), { label });
}

/** Minor units of `currency` as the decimal a person edits (1235 USD → "12.35", 500 JPY → "500"). */
export function priceInputValue(minor: number, currency: string): string {
  return formatDecimal(minor, minorUnitDigits(currency));
}

/** A tax rate typed in percent ("8.25") as basis points (825), at most 100 %. */
export function parsePercentToBasisPoints(text: string): DecimalResult {
  return parseDecimal(text.replace(/%\s*$/, ""), 2, { label: "Tax rate", max: 10_000 });
}

/** Basis points as the percent a person edits (825 → "8.25", 2000 → "20"). */
export function basisPointsToPercent(bp: number): string {
  return formatDecimal(bp, 2).replace(/\.?0+$/, "") || "0";
}

function example(digits: number): string {
  return digits === 0 ? "12" : `12.${"5".padEnd(digits, "0")}`;
}
