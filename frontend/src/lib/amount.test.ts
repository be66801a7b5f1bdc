import { describe, expect, it } from "vitest";
import { formatAmount, formatUnits, MINUS, parseBaseUnits, toChartNumber } from "./amount";

describe("formatUnits", () => {
  it("prints satoshi with every decimal", () => {
    expect(formatUnits("123456789", 8)).toBe("1.23456789");
    expect(formatUnits("42000", 8)).toBe("0.00042000");
    expect(formatUnits("0", 8)).toBe("0.00000000");
  });

  it("is exact beyond the range of floating point", () => {
    expect(formatUnits("2100000000000000", 8)).toBe("21,000,000.00000000");
    expect(formatUnits("123456789012345678901234567890", 18)).toBe("123,456,789,012.34567890123456789");
    expect(formatUnits("9007199254740993", 8)).toBe("90,071,992.54740993");
  });

  it("trims wei to what matters", () => {
    expect(formatUnits("1500000000000000000", 18)).toBe("1.50");
    expect(formatUnits("1", 18)).toBe("0.000000000000000001");
  });

  it("signs deltas with a real minus sign", () => {
    expect(formatUnits("-500", 8, { signed: true })).toBe(`${MINUS}0.00000500`);
    expect(formatUnits("500", 8, { signed: true })).toBe("+0.00000500");
    expect(formatUnits("0", 8, { signed: true })).toBe("0.00000000");
  });

  it("adds the unit", () => {
    expect(formatAmount("100000000", 8, "BTC")).toBe("1.00000000 BTC");
  });

  it("refuses what is not an integer", () => {
    expect(() => parseBaseUnits("1.5")).toThrow(RangeError);
    expect(() => parseBaseUnits("1e8")).toThrow(RangeError);
    expect(parseBaseUnits(null)).toBe(0n);
  });

  it("gives chart coordinates in coin units", () => {
    expect(toChartNumber("150000000", 8)).toBe(1.5);
    expect(toChartNumber("-2500", 8)).toBe(-0.000025);
  });
});
