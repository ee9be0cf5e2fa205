// A completed sale as both sides see it: lines, tenders and totals; the wire form carries major units.
import { z } from "zod";
import { divRoundHalfUp, fromMajor, toMajor } from "./money.js";
import { lineTax, percentToPpm, ppmToPercent } from "./tax.js";

export interface TransactionLine {
  line: number;
  item: string;
  name: string;
  qty: number;
  /** Unit price in minor units, tax excluded. */
  unitPrice: number;
  /** Line discount in percent (0–100, up to two decimals). */
  discountPct: number;
  taxGroup: string;
  taxRatePpm: number;
  voided: boolean;
  /** qty × unitPrice − discount, minor units. */
  amount: number;
  tax: number;
  /** On a return: the line of the original transaction this line gives back (its qty is negative). */
  returnOfLine?: number;
}

export interface TransactionTender {
  tender: string;
  kind: "cash" | "card" | "giftcard" | "account";
  /** Amount applied to the sale, minor units. */
  amount: number;
  /** Cash handed over beyond the amount due, minor units (cash only). */
  change: number;
}

export interface Transaction {
  id: string;
  store: string;
  register: string;
  staff: string;
  customer: string | null;
  currency: string;
  decimals: number;
  createdAt: string;
  mode: "online" | "offline";
  /** A return: the id of the sale it gives back (lines, totals and tenders are negative: refunds). */
  returnOf?: string;
  lines: TransactionLine[];
  tenders: TransactionTender[];
  subtotal: number;
  tax: number;
  total: number;
}

/**
 * amount and tax of one line from its inputs (half-up at each step, per line). A returned line (negative qty) is
 * the exact negative of the same line sold, so returning a whole line gives back to the minor unit what was paid.
 */
export function priceLine(input: { qty: number; unitPrice: number; discountPct: number; taxRatePpm: number }): {
  amount: number;
  tax: number;
} {
  if (input.qty < 0) {
    const sold = priceLine({ ...input, qty: -input.qty });
    return { amount: 0 - sold.amount, tax: 0 - sold.tax };
  }
  const gross = input.qty * input.unitPrice;
  const discount = divRoundHalfUp(gross * Math.round(input.discountPct * 100), 10_000);
  const amount = gross - discount;
  return { amount, tax: lineTax(amount, input.taxRatePpm) };
}

/** Sums of the non-voided lines: totals are sums of per-line figures, never tax on the total. */
export function computeTotals(lines: readonly Pick<TransactionLine, "amount" | "tax" | "voided">[]): {
  subtotal: number;
  tax: number;
  total: number;
} {
  let subtotal = 0;
  let tax = 0;
  for (const l of lines) {
    if (l.voided) continue;
    subtotal += l.amount;
    tax += l.tax;
  }
  return { subtotal, tax, total: subtotal + tax };
}

/** Problems with a transaction's arithmetic (empty when it adds up): what the server refuses with 422. */
export function checkTotals(tx: Transaction): string[] {
  const problems: string[] = [];
  for (const l of tx.lines) {
    // A returned line is priced from its original (per unit, or the rest of the line): checked in returns.ts.
    if (l.returnOfLine !== undefined) continue;
    const expected = priceLine(l);
    if (expected.amount !== l.amount) problems.push(`line ${l.line}: amount ${l.amount} should be ${expected.amount}`);
    if (expected.tax !== l.tax) problems.push(`line ${l.line}: tax ${l.tax} should be ${expected.tax}`);
  }
  const totals = computeTotals(tx.lines);
  if (totals.subtotal !== tx.subtotal) problems.push(`subtotal ${tx.subtotal} should be ${totals.subtotal}`);
  if (totals.tax !== tx.tax) problems.push(`tax ${tx.tax} should be ${totals.tax}`);
  if (totals.total !== tx.total) problems.push(`total ${tx.total} should be ${totals.total}`);
  const paid = tx.tenders.reduce((sum, t) => sum + t.amount, 0);
  if (paid !== tx.total) problems.push(`tenders ${paid} should equal total ${tx.total}`);
  return problems;
}

const money = z.number().finite();

/** The JSON form (amounts in major units) sent to the server, journaled and uploaded. */
export const wireTransactionSchema = z
  .object({
    id: z.string().regex(/^[A-Za-z0-9]+-[A-Za-z0-9]+-\d+$/, "expected <store>-<register>-<seq>"),
    store: z.string().min(1),
    register: z.string().min(1),
    staff: z.string().min(1),
    customer: z.string().min(1).nullable(),
    currency: z.string().length(3),
    createdAt: z.string().min(1),
    mode: z.enum(["online", "offline"]),
    lines: z
      .array(
        z.object({
          line: z.number().int().positive(),
          item: z.string().min(1),
          name: z.string(),
          // Negative only on a return (checked below), so a sale keeps the shape error it always had.
          qty: z.number().int(),
          unitPrice: money.nonnegative(),
          discountPct: z.number().min(0).max(100),
          taxGroup: z.string().min(1),
          taxRate: z.number().min(0).max(100),
          voided: z.boolean(),
          amount: money,
          tax: money,
          returnOfLine: z.number().int().positive().optional(),
        }),
      )
      .min(1),
    tenders: z.array(
      z.object({
        tender: z.string().min(1),
        kind: z.enum(["cash", "card", "giftcard", "account"]),
        amount: money,
        change: money.nonnegative(),
      }),
    ),
    subtotal: money,
    tax: money,
    total: money,
    returnOf: z.string().min(1).optional(),
  })
  .superRefine((tx, ctx) => {
    for (const [i, l] of tx.lines.entries()) {
      // A returned line names its original line, and only a return has such lines (their amounts are checked
      // against the original, not per unit).
      if ((l.returnOfLine === undefined) !== (tx.returnOf === undefined)) {
        ctx.addIssue({
          code: "custom",
          path: ["lines", i, "returnOfLine"],
          message: tx.returnOf === undefined ? "only a return's lines name an original line" : "required on a return",
        });
      }
      const bad = tx.returnOf === undefined ? l.qty <= 0 : l.qty === 0;
      if (bad)
        ctx.addIssue({
          code: "custom",
          path: ["lines", i, "qty"],
          message: tx.returnOf === undefined ? "Too small: expected number to be >0" : "a returned quantity is not 0",
        });
    }
  });
export type WireTransaction = z.infer<typeof wireTransactionSchema>;

export function toWire(tx: Transaction): WireTransaction {
  const d = tx.decimals;
  return {
    id: tx.id,
    store: tx.store,
    register: tx.register,
    staff: tx.staff,
    customer: tx.customer,
    currency: tx.currency,
    createdAt: tx.createdAt,
    mode: tx.mode,
    ...(tx.returnOf === undefined ? {} : { returnOf: tx.returnOf }),
    lines: tx.lines.map((l) => ({
      line: l.line,
      item: l.item,
      name: l.name,
      qty: l.qty,
      unitPrice: toMajor(l.unitPrice, d),
      discountPct: l.discountPct,
      taxGroup: l.taxGroup,
      taxRate: ppmToPercent(l.taxRatePpm),
      voided: l.voided,
      amount: toMajor(l.amount, d),
      tax: toMajor(l.tax, d),
      ...(l.returnOfLine === undefined ? {} : { returnOfLine: l.returnOfLine }),
    })),
    tenders: tx.tenders.map((t) => ({
      tender: t.tender,
      kind: t.kind,
      amount: toMajor(t.amount, d),
      change: toMajor(t.change, d),
    })),
    subtotal: toMajor(tx.subtotal, d),
    tax: toMajor(tx.tax, d),
    total: toMajor(tx.total, d),
  };
}

/** Wire → minor units; returns the field that has more decimals than the currency allows. */
export function fromWire(wire: WireTransaction, decimals: number): { tx: Transaction } | { error: string } {
  const minor = (value: number, field: string): number => {
    const v = fromMajor(value, decimals);
    if (v === undefined) throw new RangeError(`${field}: ${value} has more than ${decimals} decimals`);
    return v;
  };
  try {
    const { returnOf, ...rest } = wire;
    return {
      tx: {
        ...rest,
        ...(returnOf === undefined ? {} : { returnOf }),
        decimals,
        lines: wire.lines.map((l, i) => ({
          line: l.line,
          item: l.item,
          name: l.name,
          qty: l.qty,
          unitPrice: minor(l.unitPrice, `lines[${i}].unitPrice`),
          discountPct: l.discountPct,
          taxGroup: l.taxGroup,
          taxRatePpm: percentToPpm(l.taxRate),
          voided: l.voided,
          amount: minor(l.amount, `lines[${i}].amount`),
          tax: minor(l.tax, `lines[${i}].tax`),
          ...(l.returnOfLine === undefined ? {} : { returnOfLine: l.returnOfLine }),
        })),
        tenders: wire.tenders.map((t, i) => ({
          tender: t.tender,
          kind: t.kind,
          amount: minor(t.amount, `tenders[${i}].amount`),
          change: minor(t.change, `tenders[${i}].change`),
        })),
        subtotal: minor(wire.subtotal, "subtotal"),
        tax: minor(wire.tax, "tax"),
        total: minor(wire.total, "total"),
      },
    };
  } catch (error) {
    return { error: (error as Error).message };
  }
}
