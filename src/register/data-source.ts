// What a sale needs from "the data": the same interface whether it is the retail server or the offline database.
import type { Transaction } from "../domain/transaction.js";
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
