import { describe, expect, it } from "vitest";
import {
  applyTender,
  change,
  isPaid,
  type PaymentState,
  remaining,
  startPayment,
  type TenderMethod,
  tenderAvailability,
  tendersForMode,
} from "../../../src/domain/tenders.js";

const cash: TenderMethod = { id: "cash", name: "Cash", kind: "cash", allowedOffline: true };
const card: TenderMethod = { id: "card", name: "Card", kind: "card", allowedOffline: true };
const giftcard: TenderMethod = { id: "giftcard", name: "Gift card", kind: "giftcard", allowedOffline: false };
const account: TenderMethod = { id: "account", name: "Customer account", kind: "account", allowedOffline: false };
const STORE_TENDERS = [cash, card, giftcard, account];

function pay(state: PaymentState, ...args: Parameters<typeof applyTender> extends [unknown, ...infer R] ? R : never) {
  const result = applyTender(state, ...args);
  if (!result.ok) throw new Error(`refused: ${result.message}`);
  return result.state;
}

describe("cash", () => {
  it.each([
    { total: 3196, tendered: 5000, change: 1804 },
    { total: 3196, tendered: 3196, change: 0 },
    { total: 2170, tendered: 10_000, change: 7830 },
  ])("$total due, $tendered tendered → $change change", ({ total, tendered, change: expected }) => {
    const state = pay(startPayment(total, 2), cash, tendered, "online");
    expect(state.tenders).toEqual([{ tender: "cash", kind: "cash", amount: total, change: expected }]);
    expect(change(state)).toBe(expected);
    expect(remaining(state)).toBe(0);
    expect(isPaid(state)).toBe(true);
  });

  it("a partial cash payment leaves the rest for a card, which takes exactly the remainder", () => {
    const afterCash = pay(startPayment(3196, 2), cash, 2000, "offline");
    expect(remaining(afterCash)).toBe(1196);
    expect(isPaid(afterCash)).toBe(false);
    const afterCard = pay(afterCash, card, undefined, "offline");
    expect(afterCard.tenders.at(-1)).toEqual({ tender: "card", kind: "card", amount: 1196, change: 0 });
    expect(isPaid(afterCard)).toBe(true);
    expect(change(afterCard)).toBe(0);
  });
});

describe("refusals leave the payment as it was", () => {
  it.each([
    {
      what: "card over the amount due",
      tender: card,
      amount: 4000,
      code: "Overpayment",
      message: /at most the amount due, 31.96/,
    },
    { what: "zero", tender: cash, amount: 0, code: "BadAmount", message: /more than zero/ },
    { what: "negative", tender: cash, amount: -5, code: "BadAmount", message: /more than zero/ },
    { what: "fractional minor units", tender: card, amount: 12.5, code: "BadAmount", message: /more than zero/ },
    {
      what: "account without an account customer",
      tender: account,
      amount: undefined,
      code: "CustomerAccountNotAllowed",
      message: /allowed to buy on account/,
    },
  ])("$what → $code", ({ tender, amount, code, message }) => {
    const state = startPayment(3196, 2);
    const result = applyTender(state, tender, amount, "online");
    expect(result).toMatchObject({ ok: false, code, operation: null });
    expect(result.ok ? "" : result.message).toMatch(message);
    expect(state.tenders).toEqual([]);
  });

  it("refuses another tender once the sale is paid", () => {
    const state = pay(startPayment(100, 2), card, undefined, "online");
    expect(applyTender(state, cash, 100, "online")).toMatchObject({ ok: false, code: "NothingDue" });
  });

  it("account payment works online for a customer allowed to buy on account", () => {
    const state = pay(startPayment(3196, 2), account, undefined, "online", { accountAllowed: true });
    expect(state.tenders).toEqual([{ tender: "account", kind: "account", amount: 3196, change: 0 }]);
  });
});

describe("online-only tenders", () => {
  it.each([
    { tender: giftcard, operation: 214, message: "Gift card payment is not available offline (operation 214)" },
    { tender: account, operation: 202, message: "Customer account payment is not available offline (operation 202)" },
  ])("$tender.name is refused offline with operation $operation", ({ tender, operation, message }) => {
    const state = pay(startPayment(3196, 2), cash, 1000, "offline");
    const result = applyTender(state, tender, undefined, "offline", { accountAllowed: true });
    expect(result).toMatchObject({ ok: false, code: "NotAvailableOffline", operation });
    expect(result.ok ? "" : result.message).toContain(message);
    expect(remaining(state)).toBe(2196);
    expect(tenderAvailability(tender, "online")).toEqual({ allowed: true });
  });

  it("a gift card stays online-only even if the configuration says otherwise", () => {
    expect(tenderAvailability({ ...giftcard, allowedOffline: true }, "offline")).toMatchObject({
      allowed: false,
      operation: 214,
    });
  });

  it("a card the store configured as online-only is refused offline", () => {
    const onlineCard = { ...card, allowedOffline: false };
    expect(applyTender(startPayment(100, 2), onlineCard, undefined, "offline")).toMatchObject({
      ok: false,
      code: "NotAvailableOffline",
      operation: 201,
    });
  });

  it.each([
    ["online", ["cash", "card", "giftcard", "account"]],
    ["offline", ["cash", "card"]],
  ] as const)("the pay menu %s offers %j", (mode, ids) => {
    expect(tendersForMode(STORE_TENDERS, mode).map((t) => t.id)).toEqual(ids);
  });
});

describe("JPY", () => {
  it("gives change in whole yen", () => {
    const state = pay(startPayment(1628, 0), cash, 2000, "offline");
    expect(change(state)).toBe(372);
  });

  it.each([1.5, Number.NaN])("startPayment refuses a total of %d", (total) => {
    expect(() => startPayment(total, 0)).toThrow(RangeError);
  });
});

describe("refunds (a return's negative total)", () => {
  const refundCash = { id: "cash", name: "Cash", kind: "cash" as const, allowedOffline: true };
  const refundCard = { id: "card", name: "Card", kind: "card" as const, allowedOffline: true };

  it("gives back the whole refund as a negative tender, without change", () => {
    const state = startPayment(-1102, 2);
    expect(remaining(state)).toBe(1102);
    const r = applyTender(state, refundCash, undefined, "offline");
    expect(r.ok && r.applied).toEqual({ tender: "cash", kind: "cash", amount: -1102, change: 0 });
    expect(r.ok && remaining(r.state)).toBe(0);
  });

  it("splits a refund and never gives back more than is due, cash included", () => {
    const part = applyTender(startPayment(-1102, 2), refundCard, 500, "online");
    if (!part.ok) throw new Error(part.message);
    expect(remaining(part.state)).toBe(602);
    expect(applyTender(part.state, refundCash, 700, "online")).toMatchObject({ ok: false, code: "Overpayment" });
  });
});
