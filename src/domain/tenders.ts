// Paying a sale: tender kinds, what each may do (cash gives change, the others never overpay), and which are online-only.
import { formatMoney } from "./money.js";
import { type ConnectionMode, OPERATION, offlineRefusal } from "./operations.js";
import type { TransactionTender } from "./transaction.js";

export type TenderKind = TransactionTender["kind"];

/** A payment method as the store's configuration (job 1070, table `tenders`) defines it. */
export interface TenderMethod {
  id: string;
  name: string;
  kind: TenderKind;
  allowedOffline: boolean;
}

/** The D365 operation each tender kind runs as. */
export const TENDER_OPERATION: Readonly<Record<TenderKind, number>> = {
  cash: OPERATION.payCash,
  card: OPERATION.payCard,
  giftcard: OPERATION.payGiftCard,
  account: OPERATION.payCustomerAccount,
};

// Gift card balances and customer credit live at HQ; an offline register cannot check or reserve them.
const ONLINE_ONLY: ReadonlySet<TenderKind> = new Set(["giftcard", "account"]);

/** Gift card and customer account: never taken by a register that is offline, whatever the store's settings. */
export function isOnlineOnly(kind: TenderKind): boolean {
  return ONLINE_ONLY.has(kind);
}

export interface PaymentState {
  /** Amount due for the sale, minor units. */
  total: number;
  decimals: number;
  tenders: readonly TransactionTender[];
}

export type TenderRefusalCode =
  | "NotAvailableOffline"
  | "BadAmount"
  | "Overpayment"
  | "NothingDue"
  | "CustomerAccountNotAllowed";

export interface TenderRefusal {
  ok: false;
  code: TenderRefusalCode;
  message: string;
  /** The D365 operation refused offline; null for other refusals. */
  operation: number | null;
}

export type TenderResult = { ok: true; state: PaymentState; applied: TransactionTender } | TenderRefusal;

export type TenderAvailability = { allowed: true } | { allowed: false; operation: number; message: string };

/** A negative total is a refund (a return): tenders then carry negative amounts, and no change. */
export function startPayment(total: number, decimals: number): PaymentState {
  if (!Number.isSafeInteger(total)) throw new RangeError(`amount due must be whole minor units, got ${total}`);
  return { total, decimals, tenders: [] };
}

export function paid(state: PaymentState): number {
  return state.tenders.reduce((sum, t) => sum + t.amount, 0);
}

/** What is still to pay, or on a refund still to give back (always ≥ 0). */
export function remaining(state: PaymentState): number {
  return state.total < 0 ? Math.max(0, paid(state) - state.total) : Math.max(0, state.total - paid(state));
}

/** Cash handed back to the customer over the whole payment. */
export function change(state: PaymentState): number {
  return state.tenders.reduce((sum, t) => sum + t.change, 0);
}

export function isPaid(state: PaymentState): boolean {
  return remaining(state) === 0;
}

export function tenderAvailability(tender: TenderMethod, mode: ConnectionMode): TenderAvailability {
  if (mode === "online") return { allowed: true };
  const operation = TENDER_OPERATION[tender.kind];
  if (ONLINE_ONLY.has(tender.kind)) return { allowed: false, operation, message: offlineRefusal(operation) };
  if (!tender.allowedOffline) {
    return {
      allowed: false,
      operation,
      message: `${tender.name} is not allowed offline in this store's configuration (operation ${operation}).`,
    };
  }
  return { allowed: true };
}

/** The tenders the pay menu offers in this mode, in configuration order. */
export function tendersForMode(tenders: readonly TenderMethod[], mode: ConnectionMode): TenderMethod[] {
  return tenders.filter((t) => tenderAvailability(t, mode).allowed);
}

export interface ApplyTenderOptions {
  /** Whether the sale's customer may pay on account; account payment needs a customer who may. */
  accountAllowed?: boolean;
}

/**
 * Applies one tender. `amountMinor` undefined means "the remaining amount". Cash may exceed what is
 * due (the rest is change); card, gift card and account pay at most the remaining amount.
 */
export function applyTender(
  state: PaymentState,
  tender: TenderMethod,
  amountMinor: number | undefined,
  mode: ConnectionMode,
  options: ApplyTenderOptions = {},
): TenderResult {
  const availability = tenderAvailability(tender, mode);
  if (!availability.allowed) {
    return refuse("NotAvailableOffline", availability.message, availability.operation);
  }
  const due = remaining(state);
  const money = (minor: number) => formatMoney(minor, state.decimals);
  if (due === 0) return refuse("NothingDue", "Nothing is left to pay.");
  const amount = amountMinor ?? due;
  if (!Number.isSafeInteger(amount) || amount <= 0) {
    return refuse("BadAmount", `The amount must be more than zero, got ${amountMinor}.`);
  }
  if (tender.kind === "account" && options.accountAllowed !== true) {
    return refuse(
      "CustomerAccountNotAllowed",
      "Paying on account needs a customer on the sale who is allowed to buy on account.",
    );
  }
  if (state.total < 0) {
    // A refund gives back at most what is left to refund, in any kind; never change.
    if (amount > due) {
      return refuse("Overpayment", `${tender.name} can refund at most ${money(due)}; got ${money(amount)}.`);
    }
    const refund: TransactionTender = { tender: tender.id, kind: tender.kind, amount: 0 - amount, change: 0 };
    return { ok: true, state: { ...state, tenders: [...state.tenders, refund] }, applied: refund };
  }
  if (tender.kind !== "cash" && amount > due) {
    return refuse("Overpayment", `${tender.name} can pay at most the amount due, ${money(due)}; got ${money(amount)}.`);
  }
  const applied: TransactionTender = {
    tender: tender.id,
    kind: tender.kind,
    amount: Math.min(amount, due),
    change: Math.max(0, amount - due),
  };
  return { ok: true, state: { ...state, tenders: [...state.tenders, applied] }, applied };
}

function refuse(code: TenderRefusalCode, message: string, operation: number | null = null): TenderRefusal {
  return { ok: false, code, message, operation };
}
