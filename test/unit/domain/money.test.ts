import { describe, expect, it } from "vitest";
import { divRoundHalfUp, formatMoney, parseAmount, toMajor } from "../../../src/domain/money.js";
import { lineTax } from "../../../src/domain/tax.js";
import { priceLine } from "../../../src/domain/transaction.js";

describe("half-up rounding of tax at .5 boundaries", () => {
  // Banker's rounding would give the even neighbour in the rows marked "half-even differs".
  it.each([
    { currency: "USD", amount: 5, ratePpm: 100_000, exact: "0.5", tax: 1 },
    { currency: "USD", amount: 25, ratePpm: 100_000, exact: "2.5 (half-even differs)", tax: 3 },
    { currency: "USD", amount: 4, ratePpm: 100_000, exact: "0.4", tax: 0 },
    { currency: "USD", amount: 3000, ratePpm: 103_500, exact: "310.5 (half-even differs)", tax: 311 },
    { currency: "USD", amount: 5000, ratePpm: 103_500, exact: "517.5", tax: 518 },
    { currency: "USD", amount: 14, ratePpm: 103_500, exact: "1.449", tax: 1 },
    { currency: "USD", amount: 15, ratePpm: 103_500, exact: "1.5525", tax: 2 },
    { currency: "JPY", amount: 105, ratePpm: 100_000, exact: "10.5", tax: 11 },
    { currency: "JPY", amount: 125, ratePpm: 100_000, exact: "12.5 (half-even differs)", tax: 13 },
    { currency: "JPY", amount: 124, ratePpm: 100_000, exact: "12.4", tax: 12 },
    { currency: "JPY", amount: 1320, ratePpm: 80_000, exact: "105.6", tax: 106 },
    { currency: "JPY", amount: 1480, ratePpm: 80_000, exact: "118.4", tax: 118 },
  ])("$currency $amount at $ratePpm ppm = $exact → $tax", ({ amount, ratePpm, tax }) => {
    expect(lineTax(amount, ratePpm)).toBe(tax);
  });

  it.each([
    { what: "USD 12.5% off 9.99 (124.875 off)", unitPrice: 999, pct: 12.5, ratePpm: 103_500, amount: 874, tax: 90 },
    { what: "USD 50% off 0.05 (2.5 off)", unitPrice: 5, pct: 50, ratePpm: 0, amount: 2, tax: 0 },
    { what: "JPY 50% off ¥105 (52.5 off)", unitPrice: 105, pct: 50, ratePpm: 100_000, amount: 52, tax: 5 },
    { what: "JPY 15% off ¥1,480", unitPrice: 1480, pct: 15, ratePpm: 100_000, amount: 1258, tax: 126 },
  ])("discount rounds half-up too: $what", ({ unitPrice, pct, ratePpm, amount, tax }) => {
    expect(priceLine({ qty: 1, unitPrice, discountPct: pct, taxRatePpm: ratePpm })).toEqual({ amount, tax });
  });

  it.each([
    [7, 2, 4],
    [-7, 2, -4],
    [5, 2, 3],
    [4, 2, 2],
    [0, 3, 0],
  ])("divRoundHalfUp(%i, %i) = %i (half away from zero)", (n, d, q) => {
    expect(divRoundHalfUp(n, d)).toBe(q);
  });

  it("refuses a zero denominator", () => {
    expect(() => divRoundHalfUp(1, 0)).toThrow(RangeError);
  });
});

describe("parseAmount", () => {
  it.each<[string | number, number, number | undefined]>([
    ["25.44", 2, 2544],
    ["25.4", 2, 2540],
    ["25.", 2, 2500],
    ["25", 2, 2500],
    [" 7.5 ", 2, 750],
    ["0", 2, 0],
    ["0.00", 2, 0],
    ["25.440", 2, 2544],
    ["25.445", 2, undefined],
    ["1980", 0, 1980],
    ["1980.0", 0, 1980],
    ["1980.5", 0, undefined],
    [12.5, 2, 1250],
    [0.1 + 0.2, 2, 30],
    [1980, 0, 1980],
    ["-1", 2, undefined],
    [-1, 2, undefined],
    ["1e3", 2, undefined],
    [".5", 2, undefined],
    ["1,000", 2, undefined],
    ["", 2, undefined],
    ["abc", 2, undefined],
    [Number.NaN, 2, undefined],
    [Number.POSITIVE_INFINITY, 2, undefined],
    ["99999999999999999", 2, undefined],
  ])("parseAmount(%j, %i) = %j", (input, decimals, expected) => {
    expect(parseAmount(input, decimals)).toBe(expected);
  });
});

describe("display and wire forms", () => {
  it.each([
    [2544, 2, "USD", 25.44, "25.44 USD"],
    [5, 2, "USD", 0.05, "0.05 USD"],
    [123456789, 2, "USD", 1234567.89, "1,234,567.89 USD"],
    [1980, 0, "JPY", 1980, "1,980 JPY"],
    [-1804, 2, "USD", -18.04, "-18.04 USD"],
  ])("%i minor units (%i decimals, %s) → %d and %s", (minor, decimals, currency, major, text) => {
    expect(toMajor(minor, decimals)).toBe(major);
    expect(formatMoney(minor, decimals, currency)).toBe(text);
  });
});
