// One cashier's sale, driven by the interactive screen, replay and the demo alike; asks the ConnectionManager for data.
import {
  addLine,
  type Cart,
  CartError,
  cartTotals,
  emptyCart,
  isEmpty,
  parseItemEntry,
  returnCart,
  setCustomer,
  setLineDiscount,
  toTransaction,
  voidLine,
} from "../domain/cart.js";
import { transactionId } from "../domain/ids.js";
import { parseAmount } from "../domain/money.js";
import { buildReturnLines, type ReturnPick, returnableLines, returnedQuantities } from "../domain/returns.js";
import {
  applyTender,
  change,
  isOnlineOnly,
  isPaid,
  type PaymentState,
  remaining,
  startPayment,
  type TenderMethod,
  tendersForMode,
} from "../domain/tenders.js";
import {
  checkTotals,
  fromWire,
  type Transaction,
  toWire,
  type WireTransaction,
  wireTransactionSchema,
} from "../domain/transaction.js";
import { ERROR_CODES } from "../lib/api.js";
import type { JournalEntry, SuspendedCart, SuspendedCartSummary } from "../lib/api-own-data.js";
import type { Clock } from "../lib/clock.js";
import { InternalError, OperationError, UnreachableError, UsageError } from "../lib/errors.js";
import type { ConnectionManager } from "./connection-manager.js";
import type { CommitResult, DataSource, StaffInfo } from "./data-source.js";
import { onlineOrOffline } from "./failover.js";
import type { NumberAllocator } from "./numbers.js";

/** Ids tried for one suspend when the server already holds carts under this register's next ids. */
const MAX_CART_ID_TRIES = 100;

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

/** The register's durable record of checkouts sent to the server whose answer never came (SPEC §4.3, exactly once). */
export interface InDoubtLedger {
  /** True while the sale is recorded as sent without a known outcome. */
  isInDoubt(id: string): boolean;
  /** Every sale in doubt, oldest first. */
  list(): WireTransaction[];
}

/** How a sale in doubt ended: completed at the server (or stored offline), or refused (nothing charged). */
export type InDoubtResolution =
  | { id: string; outcome: "completed"; receipt: Receipt }
  | { id: string; outcome: "refused"; code: string; message: string };

export interface SaleSessionOptions {
  clock: Clock;
  manager: ConnectionManager;
  context: RegisterContext;
  numbers: NumberAllocator;
  /** Sales whose checkout answer was lost; without it a lost answer is simply an error (unit tests). */
  inDoubt?: InDoubtLedger;
  /** Told how each sale in doubt was resolved (at the start of the next transaction). */
  onResolved?: (resolution: InDoubtResolution) => void;
  /** Appends every completed sale to the register's journal. */
  journal?: (receipt: Receipt) => void;
  /** The register's cart ids, and the record of a cart kept at the server (its id is never handed out again). */
  carts?: SuspendedCartIds;
  /** This register's offline database as a source of its own carts (recall of a cart suspended offline, online). */
  offlineCarts?: Pick<DataSource, "suspendedCarts" | "recallCart" | "returnSource">;
}

export interface SuspendedCartIds {
  nextId(): string;
  keptAtServer(cart: SuspendedCart): void;
}

/** Where a journal was read: the server's channel database, or (offline) the register's own database. */
export interface JournalView {
  source: "server" | "offline database";
  transactions: JournalEntry[];
}

export class SaleSession {
  private readonly o: SaleSessionOptions;
  staff: StaffInfo | null = null;
  cart: Cart = emptyCart();
  /** The suspended cart the open cart was recalled from (no longer suspended anywhere), until it ends. */
  recalledCart: string | undefined;
  payment: PaymentState | null = null;
  private started = false;

  constructor(options: SaleSessionOptions) {
    this.o = options;
  }

  get context(): RegisterContext {
    return this.o.context;
  }

  get mode(): "online" | "offline" {
    return onlineOrOffline(this.o.manager.mode);
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

  /**
   * The start of a transaction: the only point where an automatically offline register retries the server, and
   * where sales left in doubt by a lost answer are settled before anything new is sold.
   */
  async begin(): Promise<void> {
    if (this.started) return;
    await this.o.manager.startTransaction();
    await this.resolveInDoubt();
    this.started = true;
  }

  /**
   * Sends every sale in doubt again, same id and content (the server stores it once, or answers duplicate). A sale
   * that still gets no answer blocks the next one: selling on would leave the cashier unsure what was charged.
   */
  async resolveInDoubt(): Promise<InDoubtResolution[]> {
    const ledger = this.o.inDoubt;
    if (!ledger) return [];
    const resolutions: InDoubtResolution[] = [];
    for (const wire of ledger.list()) {
      const converted = fromWire(wire, this.o.context.decimals);
      if ("error" in converted) throw new InternalError(`sale ${wire.id} in doubt cannot be read: ${converted.error}`);
      let resolution: InDoubtResolution;
      try {
        const result = await this.o.manager.run((source) => source.commitTransaction(converted.tx));
        resolution = {
          id: wire.id,
          outcome: "completed",
          receipt: { transaction: converted.tx, wire, status: result.status, change: changeOf(converted.tx) },
        };
        this.o.journal?.(resolution.receipt);
      } catch (error) {
        if (ledger.isInDoubt(wire.id)) throw inDoubtError(wire.id, error, "before the next sale");
        if (!(error instanceof OperationError)) throw error;
        resolution = { id: wire.id, outcome: "refused", code: error.code, message: error.message };
      }
      resolutions.push(resolution);
      this.o.onResolved?.(resolution);
    }
    return resolutions;
  }

  /** `1001`, a barcode, or `3 x 1001`. Lines already in the cart keep their prices whatever happens next. */
  async addItem(entry: string): Promise<Cart["lines"][number]> {
    this.requirePaymentNotStarted();
    this.requireNotReturn("add items");
    const { qty, code } = parseItemEntry(entry);
    await this.begin();
    const product = await this.o.manager.run((source) => source.findProduct(code));
    if (!product) throw new CartError("BadProduct", `no product with id or barcode "${code}"`);
    this.changeCart(addLine(this.cart, product, qty));
    return this.cart.lines[this.cart.lines.length - 1] as Cart["lines"][number];
  }

  voidLine(line: number): void {
    this.requirePaymentNotStarted();
    this.changeCart(voidLine(this.cart, line));
  }

  discount(line: number, pct: number): void {
    this.requirePaymentNotStarted();
    this.requireNotReturn("change discounts (a returned line keeps the discount it was sold with)");
    this.changeCart(setLineDiscount(this.cart, line, pct));
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
    // The amount due is always the cart's total now: a payment begun for an earlier total is never carried over.
    if (this.payment?.total !== this.totals().total) {
      if (this.payment && this.payment.tenders.length > 0) {
        throw new InternalError("the cart changed after payment started");
      }
      this.payment = startPayment(this.totals().total, this.o.context.decimals);
    }
    const result = applyTender(this.payment, tender, minor, this.mode, {
      accountAllowed: this.cart.customer?.accountAllowed ?? false,
    });
    if (!result.ok) throw new OperationError(result.message, result.code);
    // A gift card or account payment taken online cannot be part of a sale completed offline (the server refuses
    // one): the payments made so far stay, and the sale completes once connected again, or is cancelled.
    const takenOnline = result.state.tenders.find((t) => isOnlineOnly(t.kind));
    if (isPaid(result.state) && this.mode === "offline" && takenOnline) {
      throw new OperationError(
        `the ${takenOnline.tender} payment of this sale was taken online and cannot complete offline: connect (operation 917) and pay again, or cancel the sale`,
        "NotAvailableOffline",
      );
    }
    this.payment = result.state;
    if (!isPaid(this.payment)) return null;
    try {
      return await this.complete();
    } catch (error) {
      // Refused, stored nowhere: no tender was taken. The cart stays, open to changes, and is paid again in full
      // (under a new number); a sale in doubt has already left the cart (see complete).
      this.payment = null;
      throw error;
    }
  }

  /** The register's recent transactions: online the server's copy, offline its own database (D365 "show journal"). */
  async journal(limit = 20): Promise<JournalView> {
    let source: JournalView["source"] = "server";
    const transactions = await this.o.manager.run((s) => {
      source = s.kind === "online" ? "server" : "offline database";
      return s.journal(limit);
    });
    return { source, transactions };
  }

  /**
   * Starts a return of a sale: its lines come into the cart with negative quantities, at the prices they were sold
   * at (all that is left to return, or the picked lines). Online the server says what is left; offline only a sale
   * of this register, against what this register has returned of it. Paying it refunds; it completes like a sale.
   */
  async startReturn(originalId: string, picks?: readonly ReturnPick[]) {
    if (this.cart.lines.length > 0 || this.payment) {
      throw new CartError("BadEntry", "finish or cancel the sale in progress before starting a return");
    }
    await this.begin();
    const found = await this.o.manager
      .run((source) => source.returnSource(originalId))
      .catch(async (error) => {
        throw (await this.notUploadedYet(originalId, error)) ?? error;
      });
    const original = fromWire(found.transaction, this.o.context.decimals);
    if ("error" in original) throw new InternalError(`transaction ${originalId} cannot be read: ${original.error}`);
    const before = found.returns.flatMap((w) => {
      const c = fromWire(w, this.o.context.decimals);
      return "tx" in c ? [c.tx] : [];
    });
    const returned = returnedQuantities(before);
    const lines = buildReturnLines(original.tx, returned, picks);
    const customer = original.tx.customer
      ? { id: original.tx.customer, name: original.tx.customer, accountAllowed: false }
      : null;
    this.changeCart(returnCart(originalId, lines, customer));
    return { original: found.transaction, lines: returnableLines(original.tx, returned) };
  }

  /** The server does not know a sale this register still holds for upload: say so, with the fix, not "not found". */
  private async notUploadedYet(id: string, error: unknown): Promise<OperationError | undefined> {
    if ((error as { code?: unknown }).code !== ERROR_CODES.notFound || !this.o.offlineCarts) return undefined;
    const held = await this.o.offlineCarts.returnSource(id).catch(() => undefined);
    if (!held) return undefined;
    return new OperationError(
      `sale ${id} is in this register's offline database and not uploaded yet: the server cannot check a return of it`,
      "ReturnNotUploaded",
      `upload it first (pos sync push --register ${this.o.context.registerId}), then return it`,
    );
  }

  /**
   * Suspends the open cart (lines, customer, discounts; no tender taken) and frees the register for a new sale. It
   * uses no transaction number: only completing the recalled cart does.
   */
  async suspend(): Promise<{ id: string; kept: SuspendedCartSummary["kept"]; lines: number }> {
    if (isEmpty(this.cart)) throw new CartError("BadEntry", "the cart is empty: nothing to suspend");
    this.requireNotReturn("be suspended");
    if (this.payment && this.payment.tenders.length > 0) {
      throw new CartError("BadEntry", "payment has started: a cart with tenders taken cannot be suspended");
    }
    if (!this.staff || !this.o.carts) throw new OperationError("sign in before suspending a cart", "NotSignedIn");
    const carts = this.o.carts;
    const cart: SuspendedCart = {
      id: carts.nextId(),
      register: this.o.context.registerId,
      staff: this.staff.id,
      suspendedAt: new Date(this.o.clock.now()).toISOString(),
      customer: this.cart.customer ? { ...this.cart.customer } : null,
      lines: this.cart.lines.map(({ returnOfLine: _none, ...l }) => ({ ...l })),
    };
    let kept: Awaited<ReturnType<DataSource["suspendCart"]>>;
    for (let attempt = 1; ; attempt++) {
      try {
        kept = await this.o.manager.run((source) => source.suspendCart(cart));
        break;
      } catch (error) {
        // The server already holds another cart under this id (this register's database was reset, or a suspend's
        // answer was lost before it was recorded here): the id is taken; the next one is tried.
        if ((error as { code?: unknown }).code !== ERROR_CODES.alreadyExists || attempt >= MAX_CART_ID_TRIES) {
          throw error;
        }
        carts.keptAtServer(cart);
        cart.id = carts.nextId();
      }
    }
    if (kept.kept === "server") carts.keptAtServer(cart);
    const lines = cart.lines.filter((l) => !l.voided).length;
    this.cancel();
    return { ...kept, lines };
  }

  /** Carts that can be recalled here: this register's carts suspended offline, and online the store's at the server. */
  async suspendedCarts(): Promise<SuspendedCartSummary[]> {
    const mine = await this.o.manager.run(async (source) => {
      const found = await source.suspendedCarts();
      return { online: source.kind === "online", found };
    });
    if (!mine.online) return mine.found;
    // Carts suspended offline on this register stay here (never uploaded): list them beside the server's.
    const local = this.o.offlineCarts ? await this.o.offlineCarts.suspendedCarts() : [];
    const seen = new Set(mine.found.map((c) => c.id));
    return [...mine.found, ...local.filter((c) => !seen.has(c.id))];
  }

  /** Brings a suspended cart back into an empty register, once; its lines keep the prices they were rung at. */
  async recall(id: string): Promise<{ id: string; lines: number }> {
    if (this.cart.lines.length > 0 || this.payment) {
      throw new CartError("BadEntry", "finish or cancel the sale in progress before recalling a cart");
    }
    await this.begin();
    // A cart suspended offline is recalled from this register's database even when online (only here has it).
    let cart: SuspendedCart | undefined;
    if (this.o.offlineCarts) {
      try {
        cart = await this.o.offlineCarts.recallCart(id);
      } catch (error) {
        if (!(error instanceof OperationError) || error.code !== "CartNotAvailableOffline") throw error;
      }
    }
    cart ??= await this.o.manager.run((source) => source.recallCart(id));
    this.changeCart({
      lines: cart.lines.map((l) => ({ ...l })),
      customer: cart.customer ? { ...cart.customer } : null,
    });
    this.recalledCart = cart.id;
    return { id: cart.id, lines: cart.lines.filter((l) => !l.voided).length };
  }

  /** Drops the cart (and any payment not yet committed). */
  cancel(): void {
    this.cart = emptyCart();
    this.payment = null;
    this.started = false;
    this.recalledCart = undefined;
  }

  /**
   * Commits the paid sale before the receipt: the number is reserved durably first; online the server stores it,
   * and if the server does not answer the same transaction (same id, same content) goes to the offline database.
   * A register that cannot go offline sends it once more (the server is idempotent); when that gets no answer
   * either, the sale stays in doubt: kept durably and settled before the next sale.
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
    const problems = checkTotals(transaction);
    if (problems.length > 0) {
      throw new InternalError(`sale ${transaction.id} does not add up, not stored: ${problems.join("; ")}`);
    }
    const commit = () => this.o.manager.run((source) => source.commitTransaction(transaction));
    let result: CommitResult;
    try {
      result = await commit();
    } catch (error) {
      if (!this.o.inDoubt?.isInDoubt(transaction.id)) throw error;
      try {
        result = await commit();
      } catch (again) {
        if (!this.o.inDoubt.isInDoubt(transaction.id)) throw again;
        this.cancel();
        throw inDoubtError(transaction.id, again, "before the next sale");
      }
    }
    const receipt: Receipt = { transaction, wire: toWire(transaction), status: result.status, change: change(payment) };
    this.cancel();
    this.o.journal?.(receipt);
    return receipt;
  }

  /** A cart change: a payment not yet begun (no tender) is dropped, so the amount due is the new total. */
  private changeCart(cart: Cart): void {
    this.cart = cart;
    this.payment = null;
  }

  private requireNotReturn(what: string): void {
    if (this.cart.returnOf !== undefined) {
      throw new CartError("BadEntry", `a return of ${this.cart.returnOf} cannot ${what}: complete or cancel it first`);
    }
  }

  private requirePaymentNotStarted(): void {
    if (this.payment && this.payment.tenders.length > 0) {
      throw new CartError("BadEntry", "payment has started: finish paying or cancel the sale");
    }
  }
}

/** Change handed back, from the stored tenders (for a sale in doubt rebuilt from its record). */
function changeOf(tx: Transaction): number {
  return tx.tenders.reduce((sum, t) => sum + t.change, 0);
}

/**
 * The checkout got no answer and the register cannot store the sale offline: whether the server has it is not
 * known. The cashier is told plainly; the sale is kept and sent again (same id, same content) before the next one.
 */
export function inDoubtError(id: string, cause: unknown, when: string): UnreachableError {
  const why = cause instanceof Error ? cause.message : String(cause);
  return new UnreachableError(
    `sale ${id} is in doubt: the server did not confirm its checkout (${why}); the customer has paid and the register keeps the sale`,
    "TransactionInDoubt",
    `do not charge the customer again: the register sends ${id} again ${when} (pos status shows it; pos sync push settles it now)`,
    { cause },
  );
}

/** Sales in doubt as the ledger stores them (the body of the local record). */
export function parseInDoubt(body: string): WireTransaction {
  return wireTransactionSchema.parse(JSON.parse(body));
}
