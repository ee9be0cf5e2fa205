// Checks what the server stored against the sample company's prices: every sale once, tenders = total = fixture total.
import { join } from "node:path";
import Database from "better-sqlite3";
import { priceLine, type WireTransaction } from "../../src/domain/transaction.js";
import { defaultFixturesDir, loadFixtures } from "../../src/lib/fixtures.js";

export interface StoredSale {
  id: string;
  totalMinor: number;
  wire: WireTransaction;
}

/** Every transaction in the store's channel database (read-only; the server may be running). */
export function serverSales(home: string, store: string): StoredSale[] {
  const db = new Database(join(home, "server", `channel-${store}.db`), { readonly: true, fileMustExist: true });
  try {
    const rows = db.prepare("SELECT id, total_minor, body FROM transactions ORDER BY id").all() as Array<{
      id: string;
      total_minor: number;
      body: string;
    }>;
    return rows.map((r) => ({ id: r.id, totalMinor: r.total_minor, wire: JSON.parse(r.body) as WireTransaction }));
  } finally {
    db.close();
  }
}

const fixtures = loadFixtures(defaultFixturesDir());
const DECIMALS: Record<string, number> = Object.fromEntries(
  fixtures.stores.map((s) => [String(s.id), Number(s.decimals)]),
);

/** The sale's total computed from the fixture price list (not from what the register sent). */
export function fixtureTotal(wire: WireTransaction): number {
  const store = wire.store;
  let total = 0;
  for (const line of wire.lines) {
    if (line.voided) continue;
    const price = fixtures.prices.find((p) => p.store_id === store && p.product_id === line.item);
    const product = fixtures.products.find((p) => p.id === line.item);
    const tax = fixtures.tax_groups.find((t) => t.store_id === store && t.tax_group === product?.tax_group);
    if (!price || !product) throw new Error(`${wire.id}: item ${line.item} has no fixture price in ${store}`);
    const { amount, tax: lineTax } = priceLine({
      qty: line.qty,
      unitPrice: Number(price.amount),
      discountPct: line.discountPct,
      taxRatePpm: Number(tax?.rate_ppm ?? 0),
    });
    total += amount + lineTax;
  }
  return total;
}

/** Problems with one stored sale's money (empty when right): tenders = stored total = fixture total. */
export function moneyProblems(sale: StoredSale): string[] {
  const decimals = DECIMALS[sale.wire.store] ?? 2;
  const minor = (major: number) => Math.round(major * 10 ** decimals);
  const tendered = sale.wire.tenders.reduce((sum, t) => sum + minor(t.amount), 0);
  const expected = fixtureTotal(sale.wire);
  const problems: string[] = [];
  if (tendered !== sale.totalMinor) problems.push(`${sale.id}: tenders ${tendered} ≠ stored total ${sale.totalMinor}`);
  if (expected !== sale.totalMinor)
    problems.push(`${sale.id}: stored total ${sale.totalMinor} ≠ fixture total ${expected}`);
  return problems;
}
