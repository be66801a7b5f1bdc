// Amounts arrive as strings of integers in base units (satoshi, wei). Every figure shown to
// a person is computed here with BigInt, never with floating point, so 21 million BTC or a
// wei balance with 30 digits prints exactly.

const INTEGER = /^-?\d+$/;
export const MINUS = "\u2212"; // a real minus sign: the same width as "+", reads as a sign

export interface FormatOptions {
  /** Show "+" before positive amounts (deltas). */
  signed?: boolean;
  /** Keep every decimal (default for up to 8 decimals) or drop trailing zeros (wei). */
  fraction?: "full" | "trim";
  /** Digits kept at least when trimming. */
  minFraction?: number;
  /** Group thousands of the integer part with commas. */
  group?: boolean;
}

export function parseBaseUnits(value: string | bigint | number | null | undefined): bigint {
  if (typeof value === "bigint") return value;
  if (typeof value === "number") {
    if (!Number.isSafeInteger(value)) throw new RangeError(`not an exact integer: ${value}`);
    return BigInt(value);
  }
  if (value === null || value === undefined || value === "") return 0n;
  const text = value.trim();
  if (!INTEGER.test(text)) throw new RangeError(`not an amount in base units: ${value}`);
  return BigInt(text);
}

function groupThousands(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** "123456789" with 8 decimals -> "1.23456789". */
export function formatUnits(
  value: string | bigint | number | null | undefined,
  decimals: number,
  options: FormatOptions = {},
): string {
  const amount = parseBaseUnits(value);
  const negative = amount < 0n;
  const abs = negative ? -amount : amount;
  const scale = 10n ** BigInt(decimals);
  const whole = (abs / scale).toString();
  let fraction = decimals > 0 ? (abs % scale).toString().padStart(decimals, "0") : "";
  const mode = options.fraction ?? (decimals <= 8 ? "full" : "trim");
  if (mode === "trim") {
    const keep = Math.min(decimals, options.minFraction ?? 2);
    fraction = fraction.replace(/0+$/, "");
    if (fraction.length < keep) fraction = fraction.padEnd(keep, "0");
  }
  const integer = options.group === false ? whole : groupThousands(whole);
  const body = fraction ? `${integer}.${fraction}` : integer;
  if (negative) return `${MINUS}${body}`;
  if (options.signed && amount > 0n) return `+${body}`;
  return body;
}

/** The amount with its unit: "0.01234567 BTC". */
export function formatAmount(
  value: string | bigint | number | null | undefined,
  decimals: number,
  unit: string,
  options: FormatOptions = {},
): string {
  return `${formatUnits(value, decimals, options)} ${unit}`;
}

/**
 * A plotting coordinate in coin units. Charts need numbers; the exact figure is always
 * shown from the string (tooltips and tables use formatUnits), so a rounded coordinate
 * never reaches a person as a number.
 */
export function toChartNumber(value: string | bigint | null | undefined, decimals: number): number {
  return Number(formatUnits(value ?? 0n, decimals, { group: false, fraction: "trim", minFraction: 0 }).replace(MINUS, "-"));
}

export function sign(value: string | bigint | null | undefined): -1 | 0 | 1 {
  const amount = parseBaseUnits(value);
  return amount > 0n ? 1 : amount < 0n ? -1 : 0;
}
