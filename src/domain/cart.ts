// The cart of a sale in progress: lines, voids, line discounts and the customer; totals come from transaction.ts.
import {
  computeTotals,
  priceLine,
  type Transaction,
  type TransactionLine,
  type TransactionTender,
} from "./transaction.js";

/** A product as the cashier's lookup resolved it (online or offline); its price is fixed on the line once added. */
export interface CartProduct {
  id: string;
  name: string;
  taxGroup: string;
  taxRatePpm: number;
  /** Minor units, tax excluded. */
  unitPrice: number;
}

export interface CartCustomer {
  id: string;
  name: string;
  accountAllowed: boolean;
}

export type CartLine = TransactionLine;

export interface Cart {
  /** Every line ever added, voided ones included (receipts show them); `line` is 1-based and stable. */
  lines: readonly CartLine[];
  customer: CartCustomer | null;
  /** A return cart: the sale it gives back (its lines are negative and come only from that sale). */
  returnOf?: string;
}

export type CartErrorCode = "BadEntry" | "BadQuantity" | "BadLine" | "LineVoided" | "BadDiscount" | "BadProduct";

/** A cashier's mistake the sale survives: the cart is unchanged and the message says what to type instead. */
export class CartError extends RangeError {
  readonly code: CartErrorCode;
  constructor(code: CartErrorCode, message: string) {
    super(message);
    this.name = "CartError";
    this.code = code;
  }
}

/** D365 caps quantities per line; the cap also keeps qty × price × tax rate inside safe integers. */
export const MAX_QTY = 9999;
/** Minor units one line may carry before discount (qty × unit price). */
export const MAX_LINE_AMOUNT = 1_000_000_000;

export function emptyCart(): Cart {
  return { lines: [], customer: null };
}

/** The cart of a return: lines built from the original (see returns.ts), the original's customer. */
export function returnCart(returnOf: string, lines: readonly CartLine[], customer: CartCustomer | null): Cart {
  return { lines, customer, returnOf };
}

export interface ItemEntry {
  qty: number;
  code: string;
}

/** What the cashier typed at the item prompt: `1001`, `4006381333931`, `3 x 1001`, `3x1001`, `3 * 1001`. */
export function parseItemEntry(input: string): ItemEntry {
  const text = input.trim();
  const spaced = /^(\S+)\s+[xX*]\s+(\S+)$/.exec(text);
  const compact = /^(\d+)[xX*](\S+)$/.exec(text);
  const withQty = spaced ?? compact;
  if (withQty) return { qty: parseQty(withQty[1] ?? ""), code: withQty[2] ?? "" };
  if (/^\S+$/.test(text)) return { qty: 1, code: text };
  throw new CartError("BadEntry", `expected an item id or barcode, or <qty> x <code> (e.g. 3 x 1001); got "${text}"`);
}

export function parseQty(text: string): number {
  const qty = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  checkQty(qty, text);
  return qty;
}

/** `void 2`, `disc 2 10`: line numbers as typed. */
export function parseLineNumber(text: string): number {
  const line = /^\d+$/.test(text.trim()) ? Number(text.trim()) : Number.NaN;
  if (!Number.isSafeInteger(line) || line < 1)
    throw new CartError("BadLine", `line must be a line number (1, 2, …), got "${text}"`);
  return line;
}

/** `10`, `12.5`, `12.75%` → percent; at most two decimals, 0–100. */
export function parseDiscountPercent(text: string): number {
  const match = /^(\d{1,3}(?:\.\d{1,2})?)%?$/.exec(text.trim());
  const pct = match ? Number(match[1]) : Number.NaN;
  checkDiscount(pct, text);
  return pct;
}

export function addLine(cart: Cart, product: CartProduct, qty = 1): Cart {
  checkQty(qty, String(qty));
  if (!Number.isSafeInteger(product.unitPrice) || product.unitPrice < 0) {
    throw new CartError("BadProduct", `item ${product.id} has no valid price (${product.unitPrice})`);
  }
  if (!Number.isSafeInteger(product.taxRatePpm) || product.taxRatePpm < 0 || product.taxRatePpm > 1_000_000) {
    throw new CartError("BadProduct", `item ${product.id} has no valid tax rate (${product.taxRatePpm} ppm)`);
  }
  if (qty * product.unitPrice > MAX_LINE_AMOUNT) {
    throw new CartError("BadQuantity", `${qty} × ${product.name} is more than one line may carry`);
  }
  const line: CartLine = {
    line: cart.lines.length + 1,
    item: product.id,
    name: product.name,
    qty,
    unitPrice: product.unitPrice,
    discountPct: 0,
    taxGroup: product.taxGroup,
    taxRatePpm: product.taxRatePpm,
    voided: false,
    ...priceLine({ qty, unitPrice: product.unitPrice, discountPct: 0, taxRatePpm: product.taxRatePpm }),
  };
  return { ...cart, lines: [...cart.lines, line] };
}

export function voidLine(cart: Cart, lineNo: number): Cart {
  liveLine(cart, lineNo);
  return { ...cart, lines: cart.lines.map((l) => (l.line === lineNo ? { ...l, voided: true } : l)) };
}

export function setLineDiscount(cart: Cart, lineNo: number, discountPct: number): Cart {
  liveLine(cart, lineNo);
  checkDiscount(discountPct, String(discountPct));
  return {
    ...cart,
    lines: cart.lines.map((l) => (l.line === lineNo ? { ...l, discountPct, ...priceLine({ ...l, discountPct }) } : l)),
  };
}

export function setCustomer(cart: Cart, customer: CartCustomer | null): Cart {
  return { ...cart, customer };
}

export function activeLines(cart: Cart): CartLine[] {
  return cart.lines.filter((l) => !l.voided);
}

/** True when nothing would be sold: no lines, or every line voided. */
export function isEmpty(cart: Cart): boolean {
  return activeLines(cart).length === 0;
}

export function cartTotals(cart: Cart): { subtotal: number; tax: number; total: number } {
  return computeTotals(cart.lines);
}

export interface TransactionMeta {
  id: string;
  store: string;
  register: string;
  staff: string;
  currency: string;
  decimals: number;
  createdAt: string;
  mode: Transaction["mode"];
}

/** The completed sale; voided lines stay on it, as on the receipt. */
export function toTransaction(cart: Cart, tenders: readonly TransactionTender[], meta: TransactionMeta): Transaction {
  return {
    ...meta,
    ...(cart.returnOf === undefined ? {} : { returnOf: cart.returnOf }),
    customer: cart.customer?.id ?? null,
    lines: cart.lines.map((l) => ({ ...l })),
    tenders: tenders.map((t) => ({ ...t })),
    ...cartTotals(cart),
  };
}

/** A quantity the register lets a cashier put on a line. */
export function isValidQty(qty: number): boolean {
  return Number.isSafeInteger(qty) && qty >= 1 && qty <= MAX_QTY;
}

/** A line discount the register accepts: 0–100 percent with at most two decimals. */
export function isValidDiscount(pct: number): boolean {
  const hundredths = pct * 100;
  return Number.isFinite(pct) && pct >= 0 && pct <= 100 && Math.abs(hundredths - Math.round(hundredths)) <= 1e-6;
}

function checkQty(qty: number, typed: string): void {
  if (!isValidQty(qty)) {
    throw new CartError("BadQuantity", `quantity must be a whole number from 1 to ${MAX_QTY}, got "${typed}"`);
  }
}

function checkDiscount(pct: number, typed: string): void {
  if (!isValidDiscount(pct)) {
    throw new CartError(
      "BadDiscount",
      `discount must be a percent from 0 to 100 with at most two decimals, got "${typed}"`,
    );
  }
}

function liveLine(cart: Cart, lineNo: number): CartLine {
  const line = cart.lines.find((l) => l.line === lineNo);
  if (!line) {
    const range = cart.lines.length === 0 ? "the cart is empty" : `lines are 1–${cart.lines.length}`;
    throw new CartError("BadLine", `there is no line ${lineNo}: ${range}`);
  }
  if (line.voided) throw new CartError("LineVoided", `line ${lineNo} is already voided`);
  return line;
}
