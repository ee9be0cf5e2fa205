// Customers created offline (operation 612, "Pending sync"): kept at HQ as async customers until HQ's job creates them.

import { ERROR_CODES } from "../lib/api.js";
import type { AsyncCustomer, AsyncCustomerSyncAnswer, AsyncCustomerUpload } from "../lib/api-customers.js";
import { type Db, prepared } from "../lib/db.js";
import { ApiError } from "./api-error.js";
import { createCustomerOnline } from "./hq-admin.js";

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

interface Row {
  temp_id: string;
  register_id: string;
  store_id: string;
  name: string;
  email: string | null;
  phone: string | null;
  received_at: string;
  status: "Pending" | "Created";
  customer_id: string | null;
  created_at: string | null;
}

const toAnswer = (r: Row): AsyncCustomer => ({
  tempId: r.temp_id,
  register: r.register_id,
  store: r.store_id,
  name: r.name,
  status: r.status,
  customerId: r.customer_id,
  receivedAt: r.received_at,
  createdAt: r.created_at,
});

/**
 * Stores uploaded customers once: the same temporary id with the same content again is a no-op (a push whose
 * answer was lost is sent again); with other content, or from another register, it is refused (409).
 */
export function receiveAsyncCustomers(
  hq: Db,
  device: { register: string; store: string },
  customers: readonly AsyncCustomerUpload[],
  now: string,
): AsyncCustomer[] {
  return hq
    .transaction(() =>
      customers.map((c) => {
        const existing = prepared(hq, "SELECT * FROM async_customers WHERE temp_id = ?").get(c.tempId) as
          | (Row & { offline_created_at: string })
          | undefined;
        if (existing) {
          const same =
            existing.register_id === device.register &&
            existing.name === c.name &&
            existing.email === (c.email ?? null) &&
            existing.phone === (c.phone ?? null);
          if (!same)
            throw new ApiError(409, ERROR_CODES.alreadyExists, `async customer ${c.tempId} exists with other content`);
          return toAnswer(existing);
        }
        prepared(
          hq,
          `INSERT INTO async_customers (temp_id, register_id, store_id, name, email, phone, offline_created_at, received_at, status)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'Pending')`,
        ).run(c.tempId, device.register, device.store, c.name, c.email ?? null, c.phone ?? null, c.createdAt, now);
        return toAnswer(prepared(hq, "SELECT * FROM async_customers WHERE temp_id = ?").get(c.tempId) as Row);
      }),
    )
    .immediate();
}

export function listAsyncCustomers(hq: Db, register?: string): AsyncCustomer[] {
  const rows = (
    register === undefined
      ? prepared(hq, "SELECT * FROM async_customers ORDER BY received_at, temp_id").all()
      : prepared(hq, "SELECT * FROM async_customers WHERE register_id = ? ORDER BY temp_id").all(register)
  ) as Row[];
  return rows.map(toAnswer);
}

/**
 * D365's "synchronize customers from async mode": each pending async customer becomes a real customer (HQ assigns
 * the id), so the next 1010 package carries it to stores and registers.
 */
export function syncAsyncCustomers(hq: Db, now: string): AsyncCustomerSyncAnswer {
  const pending = prepared(hq, "SELECT * FROM async_customers WHERE status = 'Pending' ORDER BY received_at, temp_id")
    .all()
    .map((r) => r as Row);
  const created: AsyncCustomerSyncAnswer["created"] = [];
  let changeVersion: number | null = null;
  hq.transaction(() => {
    for (const r of pending) {
      const answer = createCustomerOnline(hq, { name: r.name, email: r.email, phone: r.phone });
      prepared(
        hq,
        "UPDATE async_customers SET status = 'Created', customer_id = ?, created_at = ? WHERE temp_id = ?",
      ).run(answer.customer.id, now, r.temp_id);
      // Transactions P-0001 already brought to HQ point to the real customer too.
      prepared(hq, "UPDATE hq_transactions SET customer_id = ? WHERE customer_id = ?").run(
        answer.customer.id,
        r.temp_id,
      );
      created.push({ tempId: r.temp_id, customerId: answer.customer.id });
      changeVersion = answer.changeVersion;
    }
  }).immediate();
  return { created, changeVersion };
}
