// The printed receipt of a completed sale, saying where it is durable (the server, or offline pending upload).
import type { ChalkInstance } from "chalk";
import { formatMoney } from "../domain/money.js";
import type { Transaction } from "../domain/transaction.js";
import { LINE_COLUMNS, lineRows, renderTotals, tableWidth } from "./cart.js";
import { renderTable } from "./table.js";

export interface ReceiptView {
  transaction: Transaction;
  /** stored/duplicate: the retail server has it; pending: the offline database has it, to be uploaded. */
  status: "stored" | "duplicate" | "pending";
  /** Cash handed back, minor units. */
  change: number;
}

export function renderReceipt(receipt: ReceiptView, color: ChalkInstance): string {
  const tx = receipt.transaction;
  const money = (minor: number) => formatMoney(minor, tx.decimals);
  const discounts = tx.lines
    .filter((l) => !l.voided && l.discountPct > 0)
    .reduce((sum, l) => sum + (l.qty * l.unitPrice - l.amount), 0);
  const rule = color.dim("─".repeat(60));
  const lines = renderTable(LINE_COLUMNS, lineRows(tx.lines, tx.decimals, color), { indent: 2 });
  const parts = [
    rule,
    `${color.bold(`Receipt ${tx.id}`)}  ${color.dim(`${tx.createdAt}  staff ${tx.staff}${tx.customer ? `  customer ${tx.customer}` : ""}`)}`,
    lines,
    renderTotals({ subtotal: tx.subtotal, tax: tx.tax, total: tx.total }, tx.decimals, tx.currency, color, {
      before: discounts > 0 ? [["discounts", -discounts]] : [],
      width: tableWidth(lines),
    }),
    // What the customer handed over is the amount applied plus the change given back (cash only gives change).
    renderTable(
      [
        { header: "tender" },
        { header: "amount", align: "right" },
        { header: "tendered", align: "right" },
        { header: "change", align: "right" },
      ],
      tx.tenders.map((t) => [
        t.tender,
        money(t.amount),
        money(t.amount + t.change),
        t.change > 0 ? money(t.change) : "",
      ]),
      { indent: 2 },
    ),
  ];
  if (receipt.change > 0)
    parts.push(`  ${color.bold(`change ${formatMoney(receipt.change, tx.decimals, tx.currency)}`)}`);
  parts.push(
    receipt.status === "pending"
      ? color.yellow("  stored offline — pending upload")
      : color.green(`  stored at the server${receipt.status === "duplicate" ? " (it already had this sale)" : ""}`),
    rule,
  );
  return parts.join("\n");
}
