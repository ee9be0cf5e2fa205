// Customers created offline (operation 612, "Pending sync"): kept at HQ as async customers until HQ's job creates them.

import type { AsyncCustomer, AsyncCustomerSyncAnswer, AsyncCustomerUpload } from "../lib/api-customers.js";
import type { HqStore } from "./hq/store.js";

/**
 * HQ migration: what registers uploaded, by temporary id (unique: an upload sent twice is stored once), and the
 * real customer HQ's job made of it. Job 1010 then carries the real customer to every store.
 */
export const ASYNC_CUSTOMERS_DDL = `CREATE TABLE async_customers (
  temp_id TEXT PRIMARY KEY,
  register_id TEXT NOT NULL,
  store_id TEXT NOT NULL,
  name TEXT NOT NULL,
  email TEXT,
  phone TEXT,
  offline_created_at TEXT NOT NULL,
  received_at TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('Pending', 'Created')),
  customer_id TEXT,
  created_at TEXT
) WITHOUT ROWID;
CREATE INDEX async_customers_register ON async_customers (register_id);`;

/**
 * Stores uploaded customers once: the same temporary id with the same content again is a no-op (a push whose
 * answer was lost is sent again); with other content, or from another register, it is refused (409).
 */
export function receiveAsyncCustomers(
  hq: HqStore,
  device: { register: string; store: string },
  customers: readonly AsyncCustomerUpload[],
  now: string,
): Promise<AsyncCustomer[]> {
  return hq.asyncCustomers.receive(device, customers, now);
}

export function listAsyncCustomers(hq: HqStore, register?: string): Promise<AsyncCustomer[]> {
  return hq.asyncCustomers.list(register);
}

/**
 * D365's "synchronize customers from async mode": each pending async customer becomes a real customer (HQ assigns
 * the id), so the next 1010 package carries it to stores and registers.
 */
export function syncAsyncCustomers(hq: HqStore, now: string): Promise<AsyncCustomerSyncAnswer> {
  return hq.asyncCustomers.sync(now);
}
