import { describe, expect, it } from "vitest";
import {
  addLine,
  type CartProduct,
  cartTotals,
  emptyCart,
  isEmpty,
  parseDiscountPercent,
  parseItemEntry,
  parseLineNumber,
  setCustomer,
  setLineDiscount,
  toTransaction,
  voidLine,
} from "../../../src/domain/cart.js";
import { applyTender, startPayment } from "../../../src/domain/tenders.js";
import { checkTotals } from "../../../src/domain/transaction.js";

const mug: CartProduct = {
  id: "1001",
  name: "Ceramic coffee mug, 12 oz",
  taxGroup: "standard",
  taxRatePpm: 103_500,
  unitPrice: 999,
};
const pens: CartProduct = { ...mug, id: "1002", name: "Highlighter pens, 4 colours", unitPrice: 898 };
const milk: CartProduct = {
  ...mug,
  id: "1040",
  name: "Whole milk",
  taxGroup: "grocery",
  taxRatePpm: 0,
  unitPrice: 349,
};

describe("parseItemEntry", () => {
  it.each([
    ["1001", { qty: 1, code: "1001" }],
    ["  4006381333931 ", { qty: 1, code: "4006381333931" }],
    ["3 x 1001", { qty: 3, code: "1001" }],
    ["3x1001", { qty: 3, code: "1001" }],
    ["3 X 4006381333931", { qty: 3, code: "4006381333931" }],
    ["12 * 1003", { qty: 12, code: "1003" }],
    ["box1", { qty: 1, code: "box1" }],
  ])("%j → %j", (input, entry) => {
    expect(parseItemEntry(input)).toEqual(entry);
  });

  it.each([
    ["0 x 1001", /quantity/],
    ["-2 x 1001", /quantity/],
    ["1.5 x 1001", /quantity/],
    ["10000 x 1001", /quantity/],
    ["two x 1001", /quantity/],
    ["", /item id or barcode/],
    ["3 x", /item id or barcode/],
    ["1001 1002", /item id or barcode/],
  ])("%j is refused (%s)", (input, message) => {
    expect(() => parseItemEntry(input)).toThrow(message);
  });
});

describe("cart lines", () => {
  it("numbers lines from 1 and prices each with its own tax", () => {
    const cart = addLine(addLine(emptyCart(), mug, 2), pens);
    expect(cart.lines.map((l) => [l.line, l.item, l.qty, l.amount, l.tax])).toEqual([
      [1, "1001", 2, 1998, 207],
      [2, "1002", 1, 898, 93],
    ]);
    // The SPEC's scenario: 2 × 1001 + 1002 in Seattle.
    expect(cartTotals(cart)).toEqual({ subtotal: 2896, tax: 300, total: 3196 });
  });

  it.each([0, -1, 1.5, 10_000, Number.NaN])("refuses quantity %d and leaves the cart as it was", (qty) => {
    const cart = addLine(emptyCart(), mug);
    expect(() => addLine(cart, pens, qty)).toThrow(expect.objectContaining({ name: "CartError", code: "BadQuantity" }));
    expect(cart.lines).toHaveLength(1);
  });

  it.each([
    [{ unitPrice: -1 }, /no valid price/],
    [{ unitPrice: 9.5 }, /no valid price/],
    [{ taxRatePpm: 2_000_000 }, /no valid tax rate/],
  ])("refuses a product with %j", (change, message) => {
    expect(() => addLine(emptyCart(), { ...mug, ...change })).toThrow(message);
  });

  it("void keeps the line (for the receipt) but drops it from the totals", () => {
    const cart = addLine(addLine(emptyCart(), mug), milk);
    const voided = voidLine(cart, 1);
    expect(voided.lines[0]?.voided).toBe(true);
    expect(cartTotals(voided)).toEqual({ subtotal: 349, tax: 0, total: 349 });
    expect(cart.lines[0]?.voided).toBe(false);
    expect(isEmpty(voided)).toBe(false);
    expect(isEmpty(voidLine(voided, 2))).toBe(true);
  });

  it.each([
    [0, "BadLine", /no line 0: lines are 1–2/],
    [3, "BadLine", /no line 3/],
    [1, "LineVoided", /line 1 is already voided/],
  ])("void %i on a cart with line 1 voided → %s", (lineNo, code, message) => {
    const cart = voidLine(addLine(addLine(emptyCart(), mug), milk), 1);
    expect(() => voidLine(cart, lineNo)).toThrow(message);
    expect(() => voidLine(cart, lineNo)).toThrow(expect.objectContaining({ code }));
  });

  it("says the cart is empty when there is nothing to void", () => {
    expect(() => voidLine(emptyCart(), 1)).toThrow(/the cart is empty/);
  });
});

describe("line discounts", () => {
  it.each([
    // 9.99 less 12.5% (124.875 → 1.25 off) = 8.74; tax 10.35% of 8.74 = 0.90459 → 0.90.
    { pct: 12.5, amount: 874, tax: 90 },
    { pct: 100, amount: 0, tax: 0 },
    { pct: 0, amount: 999, tax: 103 },
    { pct: 33.33, amount: 666, tax: 69 },
  ])("$pct% off 9.99: the discount comes first, the tax is on what is left", ({ pct, amount, tax }) => {
    const cart = setLineDiscount(addLine(emptyCart(), mug), 1, pct);
    expect(cart.lines[0]).toMatchObject({ discountPct: pct, amount, tax });
    expect(cartTotals(cart)).toEqual({ subtotal: amount, tax, total: amount + tax });
  });

  it("taxes the discounted amount, not the gross (JPY: 50% off ¥105 at 10%)", () => {
    const cart = setLineDiscount(addLine(emptyCart(), { ...mug, unitPrice: 105, taxRatePpm: 100_000 }), 1, 50);
    // Discount then tax: 105 − 53 = 52, tax 5.2 → 5. Tax first would be 11, halved 5.5 → 6.
    expect(cart.lines[0]).toMatchObject({ amount: 52, tax: 5 });
  });

  it.each([101, -1, 12.345, Number.NaN])("refuses %d%%", (pct) => {
    expect(() => setLineDiscount(addLine(emptyCart(), mug), 1, pct)).toThrow(
      expect.objectContaining({ code: "BadDiscount" }),
    );
  });

  it("refuses to discount a voided line", () => {
    const cart = voidLine(addLine(emptyCart(), mug), 1);
    expect(() => setLineDiscount(cart, 1, 10)).toThrow(/already voided/);
  });

  it.each([
    ["10", 10],
    ["12.5", 12.5],
    ["12.75%", 12.75],
    [" 100 ", 100],
    ["0", 0],
  ])("parseDiscountPercent(%j) = %d", (text, pct) => {
    expect(parseDiscountPercent(text)).toBe(pct);
  });

  it.each(["100.01", "12.345", "-5", "abc", "", "1e1"])("parseDiscountPercent(%j) throws", (text) => {
    expect(() => parseDiscountPercent(text)).toThrow(/discount must be a percent/);
  });

  it.each([
    ["2", 2],
    [" 10 ", 10],
  ])("parseLineNumber(%j) = %i", (text, line) => {
    expect(parseLineNumber(text)).toBe(line);
  });

  it.each(["0", "-1", "1.5", "x", ""])("parseLineNumber(%j) throws", (text) => {
    expect(() => parseLineNumber(text)).toThrow(/line must be a line number/);
  });
});

describe("completing the sale", () => {
  it("builds a transaction whose totals and tenders add up", () => {
    const cart = setCustomer(voidLine(addLine(addLine(addLine(emptyCart(), mug, 2), pens), milk), 3), {
      id: "004001",
      name: "Karen Berg",
      accountAllowed: false,
    });
    const paid = applyTender(startPayment(cartTotals(cart).total, 2), cashTender, 5000, "online");
    if (!paid.ok) throw new Error(paid.message);
    const tx = toTransaction(cart, paid.state.tenders, {
      id: "SEA01-R1-000001",
      store: "SEA01",
      register: "SEA01-R1",
      staff: "000160",
      currency: "USD",
      decimals: 2,
      createdAt: "2026-01-01T10:00:00.000Z",
      mode: "online",
    });
    expect(tx).toMatchObject({ customer: "004001", subtotal: 2896, tax: 300, total: 3196 });
    expect(tx.lines).toHaveLength(3);
    expect(tx.tenders).toEqual([{ tender: "cash", kind: "cash", amount: 3196, change: 1804 }]);
    expect(checkTotals(tx)).toEqual([]);
  });
});

const cashTender = { id: "cash", name: "Cash", kind: "cash", allowedOffline: true } as const;
