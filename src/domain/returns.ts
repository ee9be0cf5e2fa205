// Returns: a negative sale that gives back lines of an original transaction, never more than is left to return.
import { CartError, type CartLine, MAX_QTY } from "./cart.js";
import { priceLine, type Transaction, type TransactionLine } from "./transaction.js";

/** What the cashier asked to give back: a line of the original and how many (all that is left when omitted). */
export interface ReturnPick {
  line: number;
  qty?: number;
}

/** One line of an original sale as a return sees it: sold, already returned, left. */
export interface ReturnableLine {
  line: number;
  item: string;
  name: string;
  sold: number;
  returned: number;
  left: number;
}

/** What was given back of one original line so far: quantity, amount and tax (positive, minor units). */
export interface Refunded {
  qty: number;
  amount: number;
  tax: number;
}

const NOTHING: Refunded = { qty: 0, amount: 0, tax: 0 };

/** What the returns of a sale gave back per original line (a return's lines are negative). */
export function returnedQuantities(returns: readonly Pick<Transaction, "lines">[]): Map<number, Refunded> {
  const returned = new Map<number, Refunded>();
  for (const r of returns) {
    for (const l of r.lines) {
      if (l.voided || l.returnOfLine === undefined) continue;
      const so = returned.get(l.returnOfLine) ?? NOTHING;
      returned.set(l.returnOfLine, { qty: so.qty - l.qty, amount: so.amount - l.amount, tax: so.tax - l.tax });
    }
  }
  return returned;
}

/**
 * Amount and tax of returning `qty` units of a sold line: per unit as the line was priced, except the return that
 * gives back its last units refunds exactly what is left of the line, so a sale returned in parts refunds to the minor
 * unit what was paid (2 × 9.99 with tax is 22.05, not 2 × 11.02).
 */
export function returnLineAmounts(
  source: TransactionLine,
  qty: number,
  before: Refunded,
): { amount: number; tax: number } {
  if (before.qty + qty === source.qty) {
    return { amount: 0 - (source.amount - before.amount), tax: 0 - (source.tax - before.tax) };
  }
  return priceLine({
    qty: -qty,
    unitPrice: source.unitPrice,
    discountPct: source.discountPct,
    taxRatePpm: source.taxRatePpm,
  });
}

export function returnableLines(original: Transaction, returned: ReadonlyMap<number, Refunded>): ReturnableLine[] {
  return original.lines
    .filter((l) => !l.voided)
    .map((l) => {
      const back = returned.get(l.line)?.qty ?? 0;
      return { line: l.line, item: l.item, name: l.name, sold: l.qty, returned: back, left: l.qty - back };
    });
}

/**
 * The cart lines of a return: each picked line of the original with a negative quantity, at the price, discount
 * and tax it was sold with. No pick means everything that is left to return.
 */
export function buildReturnLines(
  original: Transaction,
  returned: ReadonlyMap<number, Refunded>,
  picks?: readonly ReturnPick[],
): CartLine[] {
  if (original.returnOf !== undefined) {
    throw new CartError("BadEntry", `${original.id} is itself a return: only a sale can be returned`);
  }
  const lines = returnableLines(original, returned);
  const wanted: readonly ReturnPick[] =
    picks && picks.length > 0 ? picks : lines.filter((l) => l.left > 0).map((l) => ({ line: l.line }));
  if (wanted.length === 0) throw new CartError("BadEntry", `everything sold on ${original.id} was already returned`);
  const out: CartLine[] = [];
  for (const pick of wanted) {
    const source = original.lines.find((l) => l.line === pick.line);
    const state = lines.find((l) => l.line === pick.line);
    if (!source || !state) {
      throw new CartError(
        "BadLine",
        `${original.id} has no line ${pick.line} to return (lines 1–${original.lines.length}, voided ones excluded)`,
      );
    }
    if (out.some((l) => l.returnOfLine === pick.line))
      throw new CartError("BadLine", `line ${pick.line} is picked twice`);
    const qty = pick.qty ?? state.left;
    if (!Number.isSafeInteger(qty) || qty < 1 || qty > MAX_QTY) {
      throw new CartError("BadQuantity", `a returned quantity must be a whole number from 1 to ${MAX_QTY}, got ${qty}`);
    }
    if (qty > state.left) {
      throw new CartError(
        "BadQuantity",
        `line ${pick.line} of ${original.id} (${source.item}): ${qty} to return but only ${state.left} of ${state.sold} left`,
      );
    }
    const { returnOfLine: _ignored, ...rest } = source;
    out.push({
      ...rest,
      line: out.length + 1,
      qty: -qty,
      voided: false,
      returnOfLine: source.line,
      ...returnLineAmounts(source, qty, returned.get(pick.line) ?? NOTHING),
    });
  }
  return out;
}

/**
 * What is wrong with a return against its original and the returns stored before it, as `transaction.<field>: why`
 * (the server's 422 and the offline check); undefined when it may be stored.
 */
export function returnProblem(
  ret: Transaction,
  original: Transaction | undefined,
  returnedBefore: ReadonlyMap<number, Refunded>,
): string | undefined {
  const field = (path: string, why: string) => `transaction.${path}: ${why}`;
  if (!original) return field("returnOf", `${ret.returnOf} is not a transaction of store ${ret.store}`);
  if (original.returnOf !== undefined) return field("returnOf", `${original.id} is itself a return`);
  if (original.store !== ret.store)
    return field("returnOf", `${original.id} was sold at ${original.store}, not ${ret.store}`);
  const now = new Map(returnedBefore);
  for (const [i, l] of ret.lines.entries()) {
    const at = (name: string) => `lines[${i}].${name}`;
    if (l.qty >= 0) return field(at("qty"), `${l.qty}: a returned quantity is negative`);
    if (l.returnOfLine === undefined) return field(at("returnOfLine"), "a returned line names the line it gives back");
    const source = original.lines.find((o) => o.line === l.returnOfLine && !o.voided);
    if (!source) return field(at("returnOfLine"), `${original.id} has no line ${l.returnOfLine} that was sold`);
    if (
      source.item !== l.item ||
      source.unitPrice !== l.unitPrice ||
      source.discountPct !== l.discountPct ||
      source.taxGroup !== l.taxGroup ||
      source.taxRatePpm !== l.taxRatePpm
    ) {
      return field(
        at("item"),
        `does not match line ${source.line} of ${original.id} (item, price, discount and tax as sold)`,
      );
    }
    if (l.voided) continue;
    const so = now.get(source.line) ?? NOTHING;
    if (so.qty - l.qty > source.qty) {
      return field(
        at("qty"),
        `${-l.qty} of item ${l.item} returned but only ${source.qty - so.qty} of ${source.qty} sold on line ${source.line} of ${original.id} is left to return`,
      );
    }
    // Per unit is always right; the rest of the line only for the return that gives back its last units (a register
    // that returned offline may not have known of a return made meanwhile elsewhere, and used per unit).
    const perUnit = priceLine({ ...l, qty: l.qty });
    const rest = returnLineAmounts(source, -l.qty, so);
    const matches = (e: { amount: number; tax: number }) => e.amount === l.amount && e.tax === l.tax;
    if (!matches(perUnit) && !matches(rest)) {
      return field(
        at("amount"),
        `${l.amount}/${l.tax} (amount/tax, minor units) is not what ${-l.qty} of line ${source.line} of ${original.id} refunds (${perUnit.amount}/${perUnit.tax})`,
      );
    }
    now.set(source.line, { qty: so.qty - l.qty, amount: so.amount - l.amount, tax: so.tax - l.tax });
  }
  return undefined;
}
