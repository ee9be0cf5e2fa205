import { describe, expect, it } from "vitest";
import { lineTax, percentToPpm, ppmToPercent } from "../../../src/domain/tax.js";
import { computeTotals, priceLine } from "../../../src/domain/transaction.js";

describe("tax is computed per line, then summed", () => {
  it.each([
    // Three separate 0.99 lines in Seattle: 10.2465¢ each rounds to 10¢; on the total 30.7395¢ would round to 31¢.
    { store: "SEA01", unitPrice: 99, ratePpm: 103_500, lines: 3, perLine: 30, onTotal: 31 },
    // Three ¥105 lines at 10%: 10.5 rounds up to 11 each; on ¥315 the tax would be 31.5 → 32.
    { store: "TYO01", unitPrice: 105, ratePpm: 100_000, lines: 3, perLine: 33, onTotal: 32 },
  ])("$store: $lines × $unitPrice → tax $perLine, not $onTotal", ({ unitPrice, ratePpm, lines, perLine, onTotal }) => {
    const priced = Array.from({ length: lines }, () => ({
      ...priceLine({ qty: 1, unitPrice, discountPct: 0, taxRatePpm: ratePpm }),
      voided: false,
    }));
    const totals = computeTotals(priced);
    expect(lineTax(totals.subtotal, ratePpm)).toBe(onTotal);
    expect(totals.tax).toBe(perLine);
    expect(totals.tax).not.toBe(onTotal);
    expect(totals.total).toBe(unitPrice * lines + perLine);
  });

  it("leaves voided lines out of every total", () => {
    const totals = computeTotals([
      { amount: 999, tax: 103, voided: false },
      { amount: 5000, tax: 518, voided: true },
    ]);
    expect(totals).toEqual({ subtotal: 999, tax: 103, total: 1102 });
  });

  it.each([
    [10.35, 103_500],
    [8, 80_000],
    [0, 0],
    [100, 1_000_000],
  ])("%d%% ↔ %i ppm", (percent, ppm) => {
    expect(percentToPpm(percent)).toBe(ppm);
    expect(ppmToPercent(ppm)).toBe(percent);
  });
});
