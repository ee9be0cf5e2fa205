// One cashier's sale, driven by the interactive screen, replay and the demo alike; asks the ConnectionManager for data.
import {
  addLine,
  type Cart,
  CartError,
  cartTotals,
  emptyCart,
  isEmpty,
  parseItemEntry,
  setCustomer,
  setLineDiscount,
  toTransaction,
  voidLine,
} from "../domain/cart.js";
import { transactionId } from "../domain/ids.js";
import { parseAmount } from "../domain/money.js";
import {
  applyTender,
  change,
  isPaid,
  type PaymentState,
  remaining,
  startPayment,
  type TenderMethod,
  tendersForMode,
} from "../domain/tenders.js";
import { type Transaction, toWire, type WireTransaction } from "../domain/transaction.js";
import type { Clock } from "../lib/clock.js";
import { OperationError, UsageError } from "../lib/errors.js";
import type { ConnectionManager } from "./connection-manager.js";
import type { CommitResult, StaffInfo } from "./data-source.js";
import type { NumberAllocator } from "./numbers.js";

export interface RegisterContext {
  registerId: string;
  store: string;
  currency: string;
  decimals: number;
  tenders: TenderMethod[];
}

export interface Receipt {
  transaction: Transaction;
  wire: WireTransaction;
  /** Where it is durable: the server (stored/duplicate) or the offline database (pending upload). */
  status: CommitResult["status"];
  change: number;
}

export interface SaleSessionOptions {
  clock: Clock;
  manager: ConnectionManager;
  context: RegisterContext;
  numbers: NumberAllocator;
  /** Keeps a local record of sales the server stored (offline sales are recorded by the offline source). */
  recordOnline?: (wire: WireTransaction, seq: number, totalMinor: number) => void;
  /** Appends every completed sale to the register's journal. */
  journal?: (receipt: Receipt) => void;
}

export class SaleSession {
  private readonly o: SaleSessionOptions;
  staff: StaffInfo | null = null;
  cart: Cart = emptyCart();
  payment: PaymentState | null = null;
  private started = false;

  constructor(options: SaleSessionOptions) {
    this.o = options;
  }

  get context(): RegisterContext {
    return this.o.context;
  }

  get mode(): "online" | "offline" {
    return this.o.manager.mode === "online" ? "online" : "offline";
  }

  get inProgress(): boolean {
    return this.started && !isEmpty(this.cart);
  }

  /** `offline`: the sign-in screen's switch to offline (operation 917 first; the offline profile must allow it). */
  async signIn(staffId: string, password: string, options: { offline?: boolean } = {}): Promise<StaffInfo> {
    if (options.offline) this.o.manager.disconnect();
    this.staff = await this.o.manager.run((source) => source.signIn(staffId, password));
    this.o.manager.noteSignedIn();
    return this.staff;
  }

  /** The start of a transaction: the only point where an automatically offline register retries the server. */
  async begin(): Promise<void> {
    if (this.started) return;
    await this.o.manager.startTransaction();
    this.started = true;
  }

  /** `1001`, a barcode, or `3 x 1001`. Lines already in the cart keep their prices whatever happens next. */
  async addItem(entry: string): Promise<Cart["lines"][number]> {
    this.requirePaymentNotStarted();
    const { qty, code } = parseItemEntry(entry);
    await this.begin();
    const product = await this.o.manager.run((source) => source.findProduct(code));
    if (!product) throw new CartError("BadProduct", `no product with id or barcode "${code}"`);
    this.cart = addLine(this.cart, product, qty);
    return this.cart.lines[this.cart.lines.length - 1] as Cart["lines"][number];
  }

  voidLine(line: number): void {
    this.requirePaymentNotStarted();
    this.cart = voidLine(this.cart, line);
  }

  discount(line: number, pct: number): void {
    this.requirePaymentNotStarted();
    this.cart = setLineDiscount(this.cart, line, pct);
  }

  async setCustomer(query: string) {
    await this.begin();
    const found = await this.o.manager.run((source) => source.searchCustomers(query));
    const customer = found.find((c) => c.id === query) ?? found[0];
    if (!customer) throw new CartError("BadEntry", `no customer matches "${query}"`);
    this.cart = setCustomer(this.cart, {
      id: customer.id,
      name: customer.name,
      accountAllowed: customer.accountAllowed,
    });
    return customer;
  }

  /**
   * Operation 612: creates the customer (online at HQ at once; offline with a temporary id, "Pending sync") and puts
   * it on the sale.
   */
  async newCustomer(input: { name: string; email?: string; phone?: string }) {
    await this.begin();
    const customer = await this.o.manager.run((source) => source.createCustomer(input));
    this.cart = setCustomer(this.cart, {
      id: customer.id,
      name: customer.name,
      accountAllowed: customer.accountAllowed,
    });
    return customer;
  }

  totals() {
    return cartTotals(this.cart);
  }

  /** Tenders the pay menu offers in the current mode. */
  availableTenders(): TenderMethod[] {
    return tendersForMode(this.o.context.tenders, this.mode);
  }

  remaining(): number {
    return this.payment ? remaining(this.payment) : this.totals().total;
  }

  /**
   * Applies a tender (amount in major units, or the rest when omitted). A refusal (gift card offline…) leaves the
   * cart and the payments made so far intact. Returns the receipt once the sale is paid and committed.
   */
  async pay(tenderId: string, amount?: string | number): Promise<Receipt | null> {
    if (isEmpty(this.cart)) throw new CartError("BadEntry", "the cart is empty: add an item before paying");
    const tender = this.o.context.tenders.find((t) => t.id === tenderId || t.kind === tenderId);
    if (!tender) {
      const names = this.o.context.tenders.map((t) => t.id).join(", ");
      throw new UsageError(`no tender "${tenderId}" (this store takes ${names})`, "UnknownTender");
    }
    let minor: number | undefined;
    if (amount !== undefined) {
      minor = parseAmount(amount, this.o.context.decimals);
      if (minor === undefined) {
        throw new UsageError(
          `bad amount "${amount}": a positive amount with at most ${this.o.context.decimals} decimals`,
          "BadAmount",
        );
      }
    }
    this.payment ??= startPayment(this.totals().total, this.o.context.decimals);
    const result = applyTender(this.payment, tender, minor, this.mode, {
      accountAllowed: this.cart.customer?.accountAllowed ?? false,
    });
    if (!result.ok) throw new OperationError(result.message, result.code);
    const before = this.payment;
    this.payment = result.state;
    if (!isPaid(this.payment)) return null;
    try {
      return await this.complete();
    } catch (error) {
      // Not committed anywhere: take the last tender back so the cashier can pay again (a new number is used).
      this.payment = before;
      throw error;
    }
  }

  /** Drops the cart (and any payment not yet committed). */
  cancel(): void {
    this.cart = emptyCart();
    this.payment = null;
    this.started = false;
  }

  /**
   * Commits the paid sale before the receipt: the number is reserved durably first; online the server stores it,
   * and if the server does not answer the same transaction (same id, same content) goes to the offline database.
   */
  private async complete(): Promise<Receipt> {
    const payment = this.payment;
    if (!payment || !this.staff) throw new OperationError("sign in before completing a sale", "NotSignedIn");
    const { registerId, store, currency, decimals } = this.o.context;
    const seq = this.o.numbers.next();
    const transaction = toTransaction(this.cart, payment.tenders, {
      id: transactionId(registerId, seq),
      store,
      register: registerId,
      staff: this.staff.id,
      currency,
      decimals,
      createdAt: new Date(this.o.clock.now()).toISOString(),
      mode: this.mode,
    });
    const wire = toWire(transaction);
    const result = await this.o.manager.run((source) => source.commitTransaction(transaction));
    if (result.status !== "pending") {
      try {
        this.o.recordOnline?.(wire, seq, transaction.total);
      } catch {
        // The server has the sale: failing it now would have the cashier charge again under a new number.
        // The local copy is a convenience (register list, purge); the server's record is the one that counts.
      }
    }
    const receipt: Receipt = { transaction, wire, status: result.status, change: change(payment) };
    this.cancel();
    this.o.journal?.(receipt);
    return receipt;
  }

  private requirePaymentNotStarted(): void {
    if (this.payment && this.payment.tenders.length > 0) {
      throw new CartError("BadEntry", "payment has started: finish paying or cancel the sale");
    }
  }
}
