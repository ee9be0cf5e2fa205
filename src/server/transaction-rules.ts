// What the server refuses in a well-formed sale: anything a register would not have made (limits, tenders, references).
import { isValidDiscount, isValidQty, MAX_LINE_AMOUNT, MAX_QTY } from "../domain/cart.js";
import { toMajor } from "../domain/money.js";
import { isOnlineOnly, type TenderKind } from "../domain/tenders.js";
import { type Transaction, type WireTransaction, wireTransactionSchema } from "../domain/transaction.js";
import { type Db, prepared, preparedPluck } from "../lib/db.js";
import { staffFromRow } from "./staff-signin.js";

/** The store's data a sale refers to, as the channel database holds it now. */
export interface SaleReferences {
  /** The stores a staff id may work at; undefined when the id is unknown. */
  staffStores(staff: string): readonly string[] | undefined;
  /** Any product row, active or not: a product deactivated after an offline sale was still sold. */
  hasProduct(item: string): boolean;
  hasTaxGroup(taxGroup: string): boolean;
  customer(id: string): { accountAllowed: boolean } | undefined;
  tenderKind(tender: string): TenderKind | undefined;
  /** A stored transaction of the store (for a return: the sale it gives back). */
  transaction(id: string): WireTransaction | undefined;
  /** The stored returns of a sale. */
  returnsOf(id: string): WireTransaction[];
}

/**
 * Lookups in the store's channel database (customers also at HQ), each remembered for the life of the object: make one per request, so a
 * batch of a thousand sales of the same items, staff and tenders asks the database once per distinct value.
 */
export function channelReferences(
  channel: Db,
  store: string,
  hqCustomers?: ReadonlyMap<string, { accountAllowed: boolean }>,
): SaleReferences {
  return {
    staffStores: memo((staff) => {
      const row = prepared(channel, "SELECT id, name, role, stores, permissions FROM staff WHERE id = ?").get(staff) as
        | Parameters<typeof staffFromRow>[0]
        | undefined;
      return row ? staffFromRow(row).stores : undefined;
    }),
    hasProduct: memo((item) => preparedPluck(channel, "SELECT 1 FROM products WHERE id = ?").get(item) !== undefined),
    hasTaxGroup: memo(
      (taxGroup) =>
        preparedPluck(channel, "SELECT 1 FROM tax_groups WHERE store_id = ? AND tax_group = ?").get(store, taxGroup) !==
        undefined,
    ),
    // A customer created online (POST /v1/customers) is at HQ at once and reaches the channel database with 1010.
    customer: memo((id) => {
      const allowed = preparedPluck(channel, "SELECT account_allowed FROM customers WHERE id = ?").get(id) as
        | number
        | undefined;
      return allowed === undefined ? hqCustomers?.get(id) : { accountAllowed: allowed === 1 };
    }),
    tenderKind: memo(
      (tender) =>
        preparedPluck(channel, "SELECT kind FROM tenders WHERE store_id = ? AND tender_id = ?").get(store, tender) as
          | TenderKind
          | undefined,
    ),
    transaction: (id) => {
      const body = preparedPluck(channel, "SELECT body FROM transactions WHERE id = ? AND store_id = ?").get(id, store);
      return typeof body === "string" ? wireTransactionSchema.parse(JSON.parse(body)) : undefined;
    },
    returnsOf: (id) =>
      (
        preparedPluck(channel, "SELECT body FROM transactions WHERE return_of = ? ORDER BY replication_counter").all(
          id,
        ) as string[]
      ).map((body) => wireTransactionSchema.parse(JSON.parse(body))),
  };
}

function memo<T>(lookup: (key: string) => T): (key: string) => T {
  const known = new Map<string, T>();
  return (key) => {
    if (known.has(key)) return known.get(key) as T;
    const value = lookup(key);
    known.set(key, value);
    return value;
  };
}

// ISO 8601 date-time with a zone, as registers write it (`new Date().toISOString()`); offsets are accepted too.
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/;

/**
 * The first thing in `tx` that no register would have sent, as `transaction.<field>: <why>`; undefined when there is
 * none. Arithmetic is checked elsewhere (checkTotals). Prices are NOT compared with today's price list: an offline
 * sale is uploaded later and prices may have changed since; references are checked for existence only.
 */
export function saleProblem(tx: Transaction, refs: SaleReferences): string | undefined {
  const field = (path: string, why: string) => `transaction.${path}: ${why}`;
  if (!ISO_DATE_TIME.test(tx.createdAt) || !Number.isFinite(Date.parse(tx.createdAt))) {
    return field("createdAt", `${JSON.stringify(tx.createdAt)} is not an ISO 8601 date-time`);
  }
  const stores = refs.staffStores(tx.staff);
  if (!stores) return field("staff", `${tx.staff} is not a staff id of store ${tx.store}`);
  if (!stores.includes(tx.store)) return field("staff", `${tx.staff} has no access to store ${tx.store}`);
  let customerAccount = false;
  if (tx.customer !== null) {
    const known = refs.customer(tx.customer);
    // A customer created offline keeps its temporary id on the sale (HQ assigns the real one later).
    const createdOffline = tx.customer.startsWith(`TMP-${tx.register}-`);
    if (!known && !createdOffline) return field("customer", `${tx.customer} is not a known customer`);
    customerAccount = known?.accountAllowed ?? false;
  }
  if (!tx.lines.some((l) => !l.voided)) return field("lines", "every line is voided: nothing was sold");
  // A return (returnOf) gives back: negative quantities, and tenders that are refunds (negative, no change).
  const isReturn = tx.returnOf !== undefined;
  for (const [i, l] of tx.lines.entries()) {
    const at = (name: string) => `lines[${i}].${name}`;
    if (l.line !== i + 1)
      return field(at("line"), `${l.line} should be ${i + 1} (lines are numbered 1, 2, … in order)`);
    if (isReturn) {
      if (!isValidQty(-l.qty)) return field(at("qty"), `${l.qty} is not a returned quantity from -1 to -${MAX_QTY}`);
    } else if (!isValidQty(l.qty)) return field(at("qty"), `${l.qty} is not a quantity from 1 to ${MAX_QTY}`);
    if (!isValidDiscount(l.discountPct)) {
      return field(at("discountPct"), `${l.discountPct} is not a percent from 0 to 100 with at most two decimals`);
    }
    if (Math.abs(l.qty) * l.unitPrice > MAX_LINE_AMOUNT) {
      return field(at("qty"), `${l.qty} × ${toMajor(l.unitPrice, tx.decimals)} is more than one line may carry`);
    }
    if (!refs.hasProduct(l.item)) return field(at("item"), `${l.item} is not a product of this company`);
    if (!refs.hasTaxGroup(l.taxGroup)) return field(at("taxGroup"), `${l.taxGroup} is not a tax group of ${tx.store}`);
  }
  if (tx.tenders.length === 0) return field("tenders", "a sale is paid with at least one tender");
  for (const [i, t] of tx.tenders.entries()) {
    const at = (name: string) => `tenders[${i}].${name}`;
    if (isReturn && t.amount >= 0) {
      return field(at("amount"), `${toMajor(t.amount, tx.decimals)}: a return's tender is a refund, less than zero`);
    }
    if (isReturn && t.change !== 0) return field(at("change"), "a refund gives no change");
    if (!isReturn && t.amount <= 0) {
      return field(at("amount"), `${toMajor(t.amount, tx.decimals)} must be more than zero`);
    }
    if (t.kind !== "cash" && t.change !== 0) return field(at("change"), `only cash gives change (${t.kind})`);
    const kind = refs.tenderKind(t.tender);
    if (kind === undefined) return field(at("tender"), `${t.tender} is not a tender of store ${tx.store}`);
    if (kind !== t.kind) return field(at("kind"), `${t.kind} does not match tender ${t.tender}, which is ${kind}`);
    if (tx.mode === "offline" && isOnlineOnly(t.kind)) {
      return field(at("kind"), `${t.kind} is online-only and the sale was made offline`);
    }
    if (t.kind === "account" && !customerAccount) {
      return field(at("kind"), "paying on account needs a customer on the sale who may buy on account");
    }
  }
  return undefined;
}
