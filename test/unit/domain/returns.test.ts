import { describe, expect, it } from "vitest";
import { CartError } from "../../../src/domain/cart.js";
import { buildReturnLines, returnedQuantities, returnProblem } from "../../../src/domain/returns.js";
import { computeTotals, priceLine, type Transaction, type TransactionLine } from "../../../src/domain/transaction.js";

const line = (n: number, item: string, qty: number, unitPrice: number, discountPct = 0): TransactionLine => ({
  line: n,
  item,
  name: item,
  qty,
  unitPrice,
  discountPct,
  taxGroup: "standard",
  taxRatePpm: 103_500,
  voided: false,
  ...priceLine({ qty, unitPrice, discountPct, taxRatePpm: 103_500 }),
});

const sale: Transaction = {
  id: "SEA01-R1-000001",
  store: "SEA01",
  register: "SEA01-R1",
  staff: "000160",
  customer: null,
  currency: "USD",
  decimals: 2,
  createdAt: "2026-01-05T09:00:00.000Z",
  mode: "online",
  lines: [line(1, "1001", 2, 999), line(2, "1003", 3, 333, 10)],
  tenders: [],
  ...computeTotals([line(1, "1001", 2, 999), line(2, "1003", 3, 333, 10)]),
};

const asReturn = (id: string, lines: TransactionLine[]): Transaction => ({
  ...sale,
  id,
  returnOf: sale.id,
  lines,
  ...computeTotals(lines),
});

describe("returns", () => {
  it("a sale returned unit by unit refunds to the minor unit what each line cost", () => {
    const done: Transaction[] = [];
    for (let i = 0; i < 5; i++) {
      const lines = buildReturnLines(sale, returnedQuantities(done), [{ line: i < 2 ? 1 : 2, qty: 1 }]);
      const r = asReturn(`SEA01-R1-00001${i}`, lines);
      expect(returnProblem(r, sale, returnedQuantities(done))).toBeUndefined();
      done.push(r);
    }
    const back = returnedQuantities(done);
    for (const l of sale.lines) expect(back.get(l.line)).toEqual({ qty: l.qty, amount: l.amount, tax: l.tax });
    expect(done.reduce((sum, r) => sum + r.total, 0)).toBe(-sale.total);
  });

  it("refuses more than is left, a line twice, and a line the sale does not have", () => {
    const one = asReturn("SEA01-R1-000002", buildReturnLines(sale, new Map(), [{ line: 1, qty: 1 }]));
    const after = returnedQuantities([one]);
    expect(() => buildReturnLines(sale, after, [{ line: 1, qty: 2 }])).toThrow("only 1 of 2 left");
    expect(() => buildReturnLines(sale, new Map(), [{ line: 1 }, { line: 1 }])).toThrow("picked twice");
    expect(() => buildReturnLines(sale, new Map(), [{ line: 9 }])).toThrow(CartError);
    const tooMany = asReturn("SEA01-R1-000003", buildReturnLines(sale, new Map(), [{ line: 1, qty: 2 }]));
    expect(returnProblem(tooMany, sale, after)).toMatch(
      /^transaction\.lines\[0\]\.qty: 2 of item 1001 returned but only 1 of 2 sold on line 1/,
    );
  });

  it("the server refuses a return whose amounts are not the original's, or whose original it does not have", () => {
    const [first] = buildReturnLines(sale, new Map(), [{ line: 1, qty: 1 }]);
    const cheap = asReturn("SEA01-R1-000004", [{ ...(first as TransactionLine), unitPrice: 1 }]);
    expect(returnProblem(cheap, sale, new Map())).toMatch(/^transaction\.lines\[0\]\.item: does not match line 1/);
    const wrongAmount = asReturn("SEA01-R1-000005", [{ ...(first as TransactionLine), amount: -1 }]);
    expect(returnProblem(wrongAmount, sale, new Map())).toMatch(/^transaction\.lines\[0\]\.amount:/);
    expect(returnProblem(asReturn("SEA01-R1-000006", [first as TransactionLine]), undefined, new Map())).toMatch(
      /^transaction\.returnOf: SEA01-R1-000001 is not a transaction of store SEA01/,
    );
  });
});
