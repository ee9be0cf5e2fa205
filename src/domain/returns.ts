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

/** Quantities already given back per original line, from the returns of that sale (qty is negative on a return). */
export function returnedQuantities(returns: readonly Pick<Transaction, "lines">[]): Map<number, number> {
  const returned = new Map<number, number>();
  for (const r of returns) {
    for (const l of r.lines) {
      if (l.voided || l.returnOfLine === undefined) continue;
      returned.set(l.returnOfLine, (returned.get(l.returnOfLine) ?? 0) - l.qty);
    }
  }
  return returned;
}

export function returnableLines(original: Transaction, returned: ReadonlyMap<number, number>): ReturnableLine[] {
  return original.lines
    .filter((l) => !l.voided)
    .map((l) => {
      const back = returned.get(l.line) ?? 0;
      return { line: l.line, item: l.item, name: l.name, sold: l.qty, returned: back, left: l.qty - back };
    });
}

/**
 * The cart lines of a return: each picked line of the original with a negative quantity, at the price, discount
 * and tax it was sold with. No pick means everything that is left to return.
 */
export function buildReturnLines(
  original: Transaction,
  returned: ReadonlyMap<number, number>,
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
    out.push(returnLine(source, out.length + 1, -qty));
  }
  return out;
}

function returnLine(source: TransactionLine, line: number, qty: number): CartLine {
  const { returnOfLine: _ignored, ...rest } = source;
  return {
    ...rest,
    line,
    qty,
    voided: false,
    returnOfLine: source.line,
    ...priceLine({ qty, unitPrice: source.unitPrice, discountPct: source.discountPct, taxRatePpm: source.taxRatePpm }),
  };
}

/**
 * What is wrong with a return against its original and the returns stored before it, as `transaction.<field>: why`
 * (the server's 422 and the offline check); undefined when it may be stored.
 */
export function returnProblem(
  ret: Transaction,
  original: Transaction | undefined,
  returnedBefore: ReadonlyMap<number, number>,
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
    const total = (now.get(source.line) ?? 0) - l.qty;
    if (total > source.qty) {
      const left = source.qty - (now.get(source.line) ?? 0);
      return field(
        at("qty"),
        `${-l.qty} of item ${l.item} returned but only ${left} of ${source.qty} sold on line ${source.line} of ${original.id} is left to return`,
      );
    }
    now.set(source.line, total);
  }
  return undefined;
}
