// Carries out sale commands on a SaleSession for both front-ends (screen and script) and words the outcome.
import { CartError } from "../domain/cart.js";
import { formatMoney, toMajor } from "../domain/money.js";
import type { SuspendedCartSummary } from "../lib/api-own-data.js";
import { ExitCode, InternalError, PosError, UnreachableError } from "../lib/errors.js";
import type { Output, Spinner } from "../lib/output.js";
import type { SwitchEvent } from "../register/connection-manager.js";
import type { RegisterRuntime } from "../register/runtime.js";
import type { InDoubtResolution, JournalView, Receipt, SaleSession } from "../register/sale-session.js";
import type { RegisterStatus, SyncAttempt } from "../register/status.js";
import { renderCart } from "./cart.js";
import { renderConnectionStatus } from "./connection-status.js";
import { type HeaderData, renderHeader } from "./header.js";
import type { SaleCommand } from "./sale-commands.js";
import { renderSaleHelp } from "./sale-help.js";

/** A running background sync loop; stopped when the sale ends. */
export interface BackgroundSync {
  stop(): void | Promise<void>;
}

export interface SaleRunnerOptions {
  runtime: RegisterRuntime;
  output: Output;
  storeName?: string | null;
  /** Pending uploads and the last sync attempt, read before every prompt. */
  facts: () => { pending: number; inDoubt: number; lastSync: SyncAttempt | null };
  /** Data of the Connection status window. */
  connectionStatus: () => Promise<RegisterStatus>;
  switches: SwitchQueue;
  /** Sales in doubt settled at the start of a transaction, worded after the step like switches. */
  resolutions?: { drain(): InDoubtResolution[] };
  /** SPEC §4.4: sync rounds run in the background while a sale runs; the sync loop is wired in here. */
  startBackgroundSync?: (runtime: RegisterRuntime) => BackgroundSync;
}

export interface StepResult {
  /** One-line outcomes (failover notices first). */
  lines: string[];
  receipt?: Receipt;
  /** A block to show under the cart: help, the Connection status window. */
  panel?: string;
  quit?: boolean;
}

/** Switch events arrive from inside a request (while a spinner may spin); they are worded after the step. */
export interface SwitchQueue {
  push(event: SwitchEvent): void;
  drain(): SwitchEvent[];
}

/** One line telling the cashier how a sale left in doubt ended, and whether the customer was charged. */
export function describeResolution(resolution: InDoubtResolution, money: (minor: number) => string): string {
  if (resolution.outcome === "refused") {
    return `sale ${resolution.id} (in doubt) was refused by the server (${resolution.code}: ${resolution.message}): the customer was NOT charged — give back what was paid`;
  }
  const { receipt } = resolution;
  const where = receipt.status === "pending" ? "stored offline, pending upload" : "the server has it";
  return `sale ${resolution.id} (in doubt) is completed: the customer was charged ${money(receipt.transaction.total)} once — ${where}; do not charge it again`;
}

export function createSwitchQueue(): SwitchQueue {
  return createQueue<SwitchEvent>();
}

/** Events that arrive from inside a request and are worded after the step. */
export function createQueue<T>(): { push(item: T): void; drain(): T[] } {
  let items: T[] = [];
  return {
    push: (item) => {
      items.push(item);
    },
    drain: () => {
      const out = items;
      items = [];
      return out;
    },
  };
}

/** The one line a switch prints: what happened, and that the sale goes on. */
export function describeSwitch(event: SwitchEvent): string {
  if (event.to === "offline-auto") return `${event.reason} — switched to offline; the sale continues`;
  if (event.to === "offline-manual") return "operation 917: disconnected — OFFLINE (manual) until Connect";
  return event.reason.startsWith("operation 917")
    ? "operation 917: connected — ONLINE"
    : `${event.reason} — back online`;
}

// Offline is impossible here: going on would sell against nothing (SPEC §4.2 "the sale stops").
const STOPS_THE_SALE = new Set([
  "ChannelConfigurationNotFound",
  "TerminalNotFound",
  "LocalLogonFailed",
  "RealtimeServiceNotSupported",
  "ProductsNotAvailableOffline",
]);

/** A mistake or refusal the sale survives (one line, then the next command); anything else ends the sale. */
export function isBusinessError(error: unknown): error is CartError | PosError {
  if (error instanceof CartError) return true;
  if (error instanceof Operation917Refused) return true;
  if (!(error instanceof PosError)) return false;
  return !(error instanceof UnreachableError) && !(error instanceof InternalError) && !STOPS_THE_SALE.has(error.code);
}

export function errorLine(error: CartError | PosError): string {
  const fix = error instanceof PosError && error.fix ? ` — ${error.fix}` : "";
  return `${error.message}${fix}`;
}

export class SaleRunner {
  readonly session: SaleSession;
  readonly receipts: Receipt[] = [];
  /** Carts suspended and recalled in this run, and the last journal and cart list shown (for --json). */
  readonly suspended: Array<{ id: string; kept: SuspendedCartSummary["kept"]; lines: number }> = [];
  readonly recalled: string[] = [];
  lastJournal: JournalView | null = null;
  lastCarts: SuspendedCartSummary[] | null = null;
  private readonly o: SaleRunnerOptions;
  private sync: BackgroundSync | null = null;

  constructor(options: SaleRunnerOptions) {
    this.o = options;
    this.session = options.runtime.newSession();
  }

  get output(): Output {
    return this.o.output;
  }

  get runtime(): RegisterRuntime {
    return this.o.runtime;
  }

  /** `offline`: the sign-in screen's switch to offline, when the offline profile allows manual offline before sign-in. */
  async signIn(staff: string, password: string, options: { offline?: boolean } = {}): Promise<StepResult> {
    const info = await this.busy("signing in", () => this.session.signIn(staff, password, options));
    this.o.runtime.manager.startHealthCheck();
    this.sync ??= this.o.startBackgroundSync?.(this.o.runtime) ?? null;
    return this.withSwitches([`signed in: ${info.name} (${info.id}), ${info.role}`]);
  }

  /** Everything but a bare `pay` (the screen opens its tender menu, a script must name the tender). */
  async step(command: Exclude<SaleCommand, { kind: "pay" }>): Promise<StepResult> {
    const s = this.session;
    switch (command.kind) {
      case "item": {
        const line = await this.busy(`looking up ${command.entry}`, () => s.addItem(command.entry));
        const total = this.money(s.totals().total);
        return this.withSwitches([
          `+ line ${line.line}: ${line.qty} × ${line.item} ${line.name}  ${this.money(line.amount)}  (total ${total})`,
        ]);
      }
      case "void":
        s.voidLine(command.line);
        return { lines: [`line ${command.line} voided (total ${this.money(s.totals().total)})`] };
      case "discount": {
        s.discount(command.line, command.pct);
        const line = s.cart.lines.find((l) => l.line === command.line);
        const amount = line ? this.money(line.amount) : "";
        return {
          lines: [`line ${command.line}: ${command.pct}% off, ${amount} (total ${this.money(s.totals().total)})`],
        };
      }
      case "customer": {
        const c = await this.busy(`finding customer ${command.query}`, () => s.setCustomer(command.query));
        return this.withSwitches([`customer: ${c.name} (${c.id})${c.pendingSync ? " — Pending sync" : ""}`]);
      }
      case "new-customer": {
        const { kind: _kind, ...input } = command;
        const c = await this.busy(`adding customer ${command.name}`, () => s.newCustomer(input));
        return this.withSwitches([
          `customer added: ${c.name} (${c.id})${c.pendingSync ? " — Pending sync (HQ assigns the real id)" : ""}`,
        ]);
      }
      case "return": {
        const started = await this.busy(`finding ${command.transaction}`, () =>
          s.startReturn(command.transaction, command.picks),
        );
        const lines = s.cart.lines.map(
          (l) =>
            `- line ${l.line}: ${-l.qty} × ${l.item} ${l.name}  ${this.money(l.amount)} (line ${l.returnOfLine} of ${started.original.id})`,
        );
        return this.withSwitches([
          `return of ${started.original.id}: refund ${this.money(-s.totals().total)} — pay <tender> to refund it`,
          ...lines,
        ]);
      }
      case "suspend": {
        const kept = await this.busy("suspending the cart", () => s.suspend());
        this.suspended.push(kept);
        const where = kept.kept === "server" ? "at the store server" : "on this register (suspended offline)";
        return this.withSwitches([
          `cart ${kept.id} suspended (${kept.lines} line(s)), kept ${where}; the register is free`,
        ]);
      }
      case "recall": {
        if (command.cart === undefined) {
          const carts = await this.busy("listing suspended carts", () => s.suspendedCarts());
          this.lastCarts = carts;
          if (carts.length === 0) return this.withSwitches(["no suspended carts to recall"]);
          return this.withSwitches(
            carts.map(
              (c) =>
                `${c.id}  ${c.suspendedAt}  ${c.lines} line(s)  ${this.money(c.totalMinor)}  by ${c.staff} on ${c.register}${c.kept === "register" ? " (suspended offline: this register only)" : ""}`,
            ),
          );
        }
        const id = command.cart;
        const recalled = await this.busy(`recalling ${id}`, () => s.recall(id));
        this.recalled.push(recalled.id);
        return this.withSwitches([
          `cart ${recalled.id} recalled: ${recalled.lines} line(s), total ${this.money(s.totals().total)}`,
        ]);
      }
      case "journal": {
        const view = await this.busy("reading the journal", () => s.journal(command.limit));
        this.lastJournal = view;
        const money = (major: number) => this.money(Math.round(major * 10 ** s.context.decimals));
        const lines = view.transactions.map(
          (t) =>
            `${t.id}  ${t.createdAt}  ${money(t.total).padStart(10)}  ${t.status}${t.returnOf ? `  return of ${t.returnOf}` : ""}${t.returns > 0 ? `  (${t.returns} return(s))` : ""}`,
        );
        return this.withSwitches([
          `journal of ${s.context.registerId} (${view.source}): ${view.transactions.length} transaction(s)`,
          ...lines,
        ]);
      }
      case "connection":
        return this.operation917();
      case "status": {
        const status = await this.busy("checking the connection", () => this.o.connectionStatus());
        return { lines: [], panel: renderConnectionStatus(status, this.o.output.color) };
      }
      case "cancel": {
        const had = s.cart.lines.length > 0;
        const recalled = s.recalledCart;
        s.cancel();
        if (!had) return { lines: ["nothing to cancel: the cart is empty"] };
        return {
          lines: [
            recalled
              ? `sale canceled (it was recalled from ${recalled}, which is no longer suspended: nothing keeps it now)`
              : "sale canceled",
          ],
        };
      }
      case "help":
        return { lines: [], panel: renderSaleHelp(this.o.output.color, this.o.output.interactive) };
      case "quit":
        return { lines: [], quit: true };
      case "nothing":
        return { lines: [] };
    }
  }

  /** Applies one tender; the receipt comes back once the sale is paid and committed (server or offline database). */
  async pay(tender: string, amount?: string): Promise<StepResult> {
    const receipt = await this.busy("paying", () => this.session.pay(tender, amount));
    if (!receipt) {
      const last = this.session.payment?.tenders.at(-1);
      const paid = last ? `paid ${last.tender} ${this.money(last.amount)}` : "paid";
      return this.withSwitches([`${paid} — still due ${this.money(this.session.remaining())}`]);
    }
    this.receipts.push(receipt);
    const where = receipt.status === "pending" ? "stored offline, pending upload" : "stored at the server";
    const change = receipt.change > 0 ? `, change ${this.money(receipt.change)}` : "";
    const { transaction } = receipt;
    const what =
      transaction.returnOf === undefined
        ? `sale ${transaction.id} completed: total ${this.money(transaction.total)}`
        : `return ${transaction.id} of ${transaction.returnOf} completed: refunded ${this.money(-transaction.total)}`;
    return this.withSwitches([`${what}${change} — ${where}`], receipt);
  }

  /** The 917 button: Disconnect when online, Connect when offline; a failed Connect is a one-line refusal. */
  async operation917(): Promise<StepResult> {
    const manager = this.o.runtime.manager;
    try {
      // Only Connect waits for the server, so only Connect shows the wait.
      if (manager.mode === "online") await manager.operation917();
      else await this.busy("connecting", () => manager.operation917());
    } catch (error) {
      // A refused switch (server still down, offline database not ready) leaves the register as it was.
      if (error instanceof PosError && !(error instanceof InternalError)) throw new Operation917Refused(error);
      throw error;
    }
    return this.withSwitches([]);
  }

  header(width?: number): string {
    const facts = this.o.facts();
    const mode = this.o.runtime.manager.mode;
    const data: HeaderData = {
      register: this.o.runtime.context.registerId,
      store: this.o.runtime.context.store,
      storeName: this.o.storeName ?? null,
      staff: this.session.staff,
      mode,
      pending: facts.pending,
      inDoubt: facts.inDoubt,
      lastSync: facts.lastSync,
      button: mode === "online" ? "Disconnect" : "Connect",
    };
    return renderHeader(data, this.o.output.color, width);
  }

  cart(): string {
    const s = this.session;
    const { currency, decimals } = s.context;
    return renderCart(
      {
        lines: s.cart.lines,
        customer: s.cart.customer,
        totals: s.totals(),
        currency,
        decimals,
        tenders: s.payment?.tenders ?? [],
        remaining: s.remaining(),
      },
      this.o.output.color,
    );
  }

  /** Receipts as JSON carries them: the wire transaction (major units) with where it is stored. */
  receiptDocuments() {
    return this.receipts.map((r) => ({
      ...r.wire,
      status: r.status,
      change: toMajor(r.change, r.transaction.decimals),
    }));
  }

  money(minor: number): string {
    return formatMoney(minor, this.session.context.decimals);
  }

  async close(): Promise<void> {
    await this.sync?.stop();
    this.sync = null;
  }

  /** Lines for the connection switches since the last call (also after a step that failed). */
  notices(): string[] {
    const resolved = (this.o.resolutions?.drain() ?? []).map((r) => {
      if (r.outcome === "completed") this.receipts.push(r.receipt);
      return describeResolution(r, (minor) => this.money(minor));
    });
    return [...this.o.switches.drain().map(describeSwitch), ...resolved];
  }

  private withSwitches(lines: string[], receipt?: Receipt): StepResult {
    return { lines: [...this.notices(), ...lines], ...(receipt ? { receipt } : {}) };
  }

  /** Waiting on the server shows a spinner with the timeout, after a short delay so local answers do not flicker. */
  private async busy<T>(what: string, work: () => Promise<T>): Promise<T> {
    const output = this.o.output;
    if (!output.interactive || this.o.runtime.manager.mode === "offline-manual") return work();
    const text = `${what} — waiting for the server (timeout ${this.o.runtime.profile.timeoutInterval} s)`;
    let spinner: Spinner | undefined;
    let done = false;
    const timer = setTimeout(() => {
      void output
        .spinner(text, () => done)
        .then((s) => {
          // The work may have ended between the spinner's start and this callback.
          if (done) s.stop();
          else spinner = s;
        });
    }, 150);
    try {
      return await work();
    } finally {
      done = true;
      clearTimeout(timer);
      spinner?.stop();
    }
  }
}

/** A refused 917 is reported like any cashier-facing refusal (a failed command in a script), never the sale's end. */
export class Operation917Refused extends PosError {
  constructor(cause: PosError) {
    super(cause.message, ExitCode.failed, cause.code, cause.fix, { cause });
  }
}
