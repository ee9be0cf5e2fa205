// What a sale needs from "the data": the same interface whether it is the retail server or the offline database.
import type { Transaction, WireTransaction } from "../domain/transaction.js";
import type { JournalEntry, SuspendedCart, SuspendedCartSummary } from "../lib/api-own-data.js";
import type { RequestOutcome } from "./failover.js";

export interface ProductInfo {
  id: string;
  name: string;
  taxGroup: string;
  taxRatePpm: number;
  /** Minor units of the store's currency, tax excluded. */
  unitPrice: number;
}

export interface CustomerInfo {
  id: string;
  name: string;
  email: string | null;
  phone: string | null;
  accountAllowed: boolean;
  /** Created offline and not yet known to HQ (shown as "Pending sync"). */
  pendingSync: boolean;
}

export interface StaffInfo {
  id: string;
  name: string;
  role: string;
}

export interface CommitResult {
  id: string;
  /** stored: first time; duplicate: the server already had it (exactly once); pending: stored offline. */
  status: "stored" | "duplicate" | "pending";
}

export interface DataSource {
  readonly kind: "online" | "offline";
  /** By item id or barcode; null when no such product. */
  findProduct(code: string): Promise<ProductInfo | null>;
  searchCustomers(query: string): Promise<CustomerInfo[]>;
  createCustomer(input: { name: string; email?: string; phone?: string }): Promise<CustomerInfo>;
  signIn(staff: string, password: string): Promise<StaffInfo>;
  commitTransaction(tx: Transaction): Promise<CommitResult>;
  /** The register's recent transactions, newest first: the server's copy online, the offline database's offline. */
  journal(limit: number): Promise<JournalEntry[]>;
  /** A sale to return and its returns so far; offline only a sale of this register (D365 "own register's data"). */
  returnSource(id: string): Promise<{ transaction: WireTransaction; returns: WireTransaction[] }>;
  /** Keeps a suspended cart: at the server online (any register of the store may recall it), here offline. */
  suspendCart(cart: SuspendedCart): Promise<{ id: string; kept: SuspendedCartSummary["kept"] }>;
  suspendedCarts(): Promise<SuspendedCartSummary[]>;
  /** Takes a suspended cart back, once (a second recall is refused: CartAlreadyRecalled). */
  recallCart(id: string): Promise<SuspendedCart>;
}

/**
 * Thrown by the online data source when a request did not get a usable answer; the connection manager
 * classifies it (refused, reset, timeout, 502–504 → failover). Business answers are thrown as PosErrors.
 */
export class RequestFailure extends Error {
  readonly outcome: RequestOutcome;
  constructor(outcome: RequestOutcome, message: string) {
    super(message);
    this.name = "RequestFailure";
    this.outcome = outcome;
  }
}

/** Whether the offline database can carry a sale, with the D365 error name and fix when it cannot. */
export type OfflineReadiness = { ok: true } | { ok: false; code: string; message: string; fix: string };
