import { appendFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { type Transaction, toWire } from "../../../src/domain/transaction.js";
import { createPaths } from "../../../src/lib/paths.js";
import type { Receipt } from "../../../src/register/sale-session.js";
import { appendJournal, parseSince, readJournal, receiptToJournalSale } from "../../../src/replay/journal.js";
import { parseJournal } from "../../../src/replay/load.js";

function receipt(overrides: Partial<Transaction> = {}, status: Receipt["status"] = "stored"): Receipt {
  const transaction: Transaction = {
    id: "SEA01-R1-000042",
    store: "SEA01",
    register: "SEA01-R1",
    staff: "000160",
    customer: null,
    currency: "USD",
    decimals: 2,
    createdAt: "2026-01-05T09:00:00.000Z",
    mode: "online",
    lines: [
      {
        line: 1,
        item: "1001",
        name: "Mug",
        qty: 2,
        unitPrice: 999,
        discountPct: 0,
        taxGroup: "standard",
        taxRatePpm: 103_500,
        voided: false,
        amount: 1998,
        tax: 207,
      },
      {
        line: 2,
        item: "1002",
        name: "Pens",
        qty: 1,
        unitPrice: 898,
        discountPct: 12.5,
        taxGroup: "standard",
        taxRatePpm: 103_500,
        voided: false,
        amount: 786,
        tax: 81,
      },
      {
        line: 3,
        item: "1003",
        name: "Tote",
        qty: 1,
        unitPrice: 1499,
        discountPct: 0,
        taxGroup: "standard",
        taxRatePpm: 103_500,
        voided: true,
        amount: 1499,
        tax: 155,
      },
    ],
    tenders: [
      { tender: "card", kind: "card", amount: 1000, change: 0 },
      { tender: "cash", kind: "cash", amount: 2072, change: 928 },
    ],
    subtotal: 2784,
    tax: 288,
    total: 3072,
    ...overrides,
  };
  return { transaction, wire: toWire(transaction), status, change: 928 };
}

describe("receiptToJournalSale", () => {
  it("writes the sale as a scenario's sale: object — lines, what was tendered, total, id and time", () => {
    expect(receiptToJournalSale(receipt())).toEqual({
      lines: [
        { item: "1001", qty: 2 },
        { item: "1002", qty: 1, discount: 12.5 },
        { item: "1003", qty: 1, void: true },
      ],
      pay: [
        { tender: "card", amount: 10 },
        { tender: "cash", amount: 30 },
      ],
      expect: { total: 30.72 },
      ref: "SEA01-R1-000042",
      at: "2026-01-05T09:00:00.000Z",
    });
  });

  it("keeps the customer and currencies without decimals", () => {
    const sale = receiptToJournalSale(
      receipt({
        customer: "004005",
        currency: "JPY",
        decimals: 0,
        total: 1628,
        tenders: [{ tender: "cash", kind: "cash", amount: 1628, change: 372 }],
      }),
    );
    expect(sale.customer).toBe("004005");
    expect(sale.pay).toEqual([{ tender: "cash", amount: 2000 }]);
  });

  it("is read back by the journal parser as the same sale", () => {
    const line = JSON.stringify(receiptToJournalSale(receipt()));
    const step = parseJournal(line, "j.ndjson").steps[0];
    expect(step?.kind === "sale" && step.sale).toEqual({
      lines: [
        { code: "1001", qty: 2 },
        { code: "1002", qty: 1, discount: 12.5 },
        { code: "1003", qty: 1, void: true },
      ],
      pay: [
        { tender: "card", amount: 10 },
        { tender: "cash", amount: 30 },
      ],
      expect: { total: 30.72 },
      faults: [],
      ref: "SEA01-R1-000042",
      recordedAt: "2026-01-05T09:00:00.000Z",
    });
  });
});

describe("appendJournal / readJournal", () => {
  const home = mkdtempSync(join(tmpdir(), "pos-journal-"));
  const paths = createPaths(home);
  afterAll(() => rmSync(home, { recursive: true, force: true }));

  it("appends one line per sale, filters by time and skips a torn line", () => {
    expect(readJournal(paths, "SEA01-R1").total).toBe(0);
    appendJournal(paths, "SEA01-R1", receipt({ id: "SEA01-R1-000001", createdAt: "2026-01-05T09:00:00.000Z" }));
    appendJournal(paths, "SEA01-R1", receipt({ id: "SEA01-R1-000002", createdAt: "2026-01-05T10:00:00.000Z" }));
    appendFileSync(paths.journal("SEA01-R1"), '{"lines":[{"item":"10');
    const all = readJournal(paths, "SEA01-R1");
    expect(all.total).toBe(3);
    expect(all.lines.map((l) => JSON.parse(l).ref)).toEqual(["SEA01-R1-000001", "SEA01-R1-000002"]);
    expect(all.skipped).toEqual([3]);
    const recent = readJournal(paths, "SEA01-R1", Date.parse("2026-01-05T09:30:00Z"));
    expect(recent.lines.map((l) => JSON.parse(l).ref)).toEqual(["SEA01-R1-000002"]);
  });
});

describe("parseSince", () => {
  const now = Date.parse("2026-01-05T12:00:00Z");
  it.each([
    ["2026-01-05T09:00:00Z", Date.parse("2026-01-05T09:00:00Z")],
    ["2026-01-05", Date.parse("2026-01-05")],
    ["24h", now - 86_400_000],
    ["30m", now - 1_800_000],
    ["90", now - 90_000],
  ])("%s", (text, expected) => {
    expect(parseSince(text, now)).toBe(expected);
  });

  it.each(["yesterday", "2026-13-45", "-5m", ""])("refuses %j", (text) => {
    expect(() => parseSince(text, now)).toThrow(/--since: expected an ISO time/);
  });
});
