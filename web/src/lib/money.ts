/**
 * Money helpers. Brigade sends money as an integer of the currency's minor units
 * (cents for USD, yen for JPY, fils for KWD) next to the restaurant's ISO 4217 code.
 */

const digitsCache = new Map<string, number>();
const formatCache = new Map<string, Intl.NumberFormat>();

/** The number of minor-unit digits of an ISO 4217 currency (USD → 2, JPY → 0, KWD → 3). */
export function minorUnitDigits(currency: string): number {
  const code = currency.toUpperCase();
  let digits = digitsCache.get(code);
  if (digits === undefined) {
    digits = new Intl.NumberFormat("en", { style: "currency", currency: code }).resolvedOptions()
      .maximumFractionDigits ?? 2;
    digitsCache.set(code, digits);
  }
  return digits;
}

/**
 * Format `minor` units of `currency` for display, e.g. `formatMoney(1250, "USD")` →
 * `"$12.50"`, `formatMoney(1250, "JPY")` → `"¥1,250"`. `locale` defaults to the
 * browser's. Throws `RangeError` for an unknown currency code or a non-integer amount.
 */
export function formatMoney(minor: number, currency: string, locale?: string): string {
  if (!Number.isInteger(minor)) throw new RangeError(`money must be integer minor units, got ${minor}`);
  const code = currency.toUpperCase();
  const digits = minorUnitDigits(code);
  const key = `${locale ?? ""}|${code}`;
  let format = formatCache.get(key);
  if (format === undefined) {
    format = new Intl.NumberFormat(locale, {
      style: "currency",
      currency: code,
      minimumFractionDigits: digits,
      maximumFractionDigits: digits,
    });
    formatCache.set(key, format);
  }
  return format.format(minor / 10 ** digits);
}

/**
 * Parse what a person typed ("12.5", "12,50", "$1,234.56") into integer minor units of
 * `currency`, rounding half away from zero at the first dropped digit (decimal
 * arithmetic on the digits, no floating point); `null` when it is not an amount.
 */
export function parseMoney(text: string, currency: string): number | null {
  const cleaned = text
    .replace(/[^\d.,-]/g, "")
    .replace(/,(\d{1,2})$/, ".$1") // a decimal comma: "12,50"
    .replace(/,/g, "");
  const match = /^(-)?(\d*)(?:\.(\d*))?$/.exec(cleaned);
  if (match === null) return null;
  const [, sign, whole = "", fraction = ""] = match;
  if (whole === "" && fraction === "") return null;
  const digits = minorUnitDigits(currency);
  const kept = fraction.slice(0, digits).padEnd(digits, "0");
  let minor = Number(whole || "0") * 10 ** digits + Number(kept || "0");
  if (Number(fraction.charAt(digits) || "0") >= 5) minor += 1;
  if (!Number.isSafeInteger(minor)) return null;
  return sign ? -minor : minor;
}
