// The cart of the sale in progress: one row per line (voided ones struck through), totals, customer, payment so far.
import type { ChalkInstance } from "chalk";
import { formatMoney } from "../domain/money.js";
import type { TransactionLine, TransactionTender } from "../domain/transaction.js";
import { padStart, renderPairs, visibleWidth } from "./format.js";
import { renderTable } from "./table.js";

export interface CartView {
  lines: readonly TransactionLine[];
  customer: { id: string; name: string } | null;
  totals: { subtotal: number; tax: number; total: number };
  currency: string;
  decimals: number;
  /** Tenders applied so far (a partly paid sale), with what is still due. */
  tenders?: readonly TransactionTender[];
  remaining?: number;
}

/** Column order shared with the receipt so the two read the same. */
export const LINE_COLUMNS = [
  { header: "#", align: "right" },
  { header: "item" },
  { header: "name" },
  { header: "qty", align: "right" },
  { header: "price", align: "right" },
  { header: "disc", align: "right" },
  { header: "amount", align: "right" },
] as const;

export function lineRows(lines: readonly TransactionLine[], decimals: number, color: ChalkInstance): string[][] {
  const money = (minor: number) => formatMoney(minor, decimals);
  return lines.map((l) => {
    const cells = [
      String(l.line),
      l.item,
      l.voided ? `${color.dim.strikethrough(l.name)} ${color.red("VOID")}` : l.name,
      String(l.qty),
      money(l.unitPrice),
      l.discountPct > 0 ? `${l.discountPct}%` : "",
      money(l.amount),
    ];
    return l.voided ? cells.map((c, i) => (i === 2 ? c : color.dim.strikethrough(c))) : cells;
  });
}

export interface TotalsLayout {
  /** Rows above the subtotal (discounts) and below the total (payments, remaining). */
  before?: ReadonlyArray<readonly [string, number]>;
  after?: ReadonlyArray<readonly [string, number]>;
  /** Right edge: the width of the line table above, so amounts line up under its amount column. */
  width?: number;
}

/** Subtotal, tax and total, right-aligned to the table above; the currency code hangs past the amounts. */
export function renderTotals(
  totals: CartView["totals"],
  decimals: number,
  currency: string,
  color: ChalkInstance,
  layout: TotalsLayout = {},
): string {
  const money = (minor: number) => formatMoney(minor, decimals);
  const rows: Array<{ label: string; value: string; total?: true }> = [
    ...(layout.before ?? []).map(([label, minor]) => ({ label, value: money(minor) })),
    { label: "subtotal", value: money(totals.subtotal) },
    { label: "tax", value: money(totals.tax) },
    { label: "total", value: money(totals.total), total: true },
    ...(layout.after ?? []).map(([label, minor]) => ({ label, value: money(minor) })),
  ];
  const valueWidth = Math.max(...rows.map((r) => r.value.length));
  const labelWidth = Math.max(...rows.map((r) => r.label.length), (layout.width ?? 0) - 2 - valueWidth);
  return rows
    .map((r) => {
      const line = `${padStart(r.label, labelWidth)}  ${padStart(r.value, valueWidth)}`;
      return r.total ? color.bold(`${line} ${currency}`) : line;
    })
    .join("\n");
}

/** The widest line of a rendered block, colour codes excluded. */
export function tableWidth(block: string): number {
  return Math.max(0, ...block.split("\n").map(visibleWidth));
}

export function renderCart(view: CartView, color: ChalkInstance): string {
  if (view.lines.length === 0) return color.dim("  (the cart is empty: type an item id or barcode, or help)");
  const table = renderTable(LINE_COLUMNS, lineRows(view.lines, view.decimals, color), { color, indent: 2 });
  const after: Array<readonly [string, number]> = [];
  for (const t of view.tenders ?? []) after.push([`paid ${t.tender}`, t.amount]);
  if (view.tenders?.length && view.remaining !== undefined) after.push(["still due", view.remaining]);
  const width = tableWidth(table);
  const parts = [table, renderTotals(view.totals, view.decimals, view.currency, color, { after, width })];
  if (view.customer) parts.push(renderPairs([["customer", `${view.customer.name} (${view.customer.id})`]], color));
  return parts.join("\n");
}
