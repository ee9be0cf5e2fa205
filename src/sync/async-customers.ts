// Operation 612 offline, the register's side: upload customers created offline; once HQ made them real customers and
// job 1010 brought those down, point the register's sales from the temporary id to the real one.
import { ASYNC_CUSTOMER_ROUTES, asyncCustomersAnswerSchema } from "../lib/api-customers.js";
import { type Db, prepared } from "../lib/db.js";
import type { HttpClient } from "../lib/http.js";
import { answerOf } from "../lib/server-errors.js";

interface PendingCustomer {
  temp_id: string;
  name: string;
  email: string | null;
  phone: string | null;
  created_at: string;
}

/** Sends every customer still only on this register; each is marked uploaded once the server has stored it. */
export async function uploadAsyncCustomers(http: HttpClient, db: Db): Promise<number> {
  const pending = prepared(
    db,
    "SELECT temp_id, name, email, phone, created_at FROM offline_customers WHERE status = 'pending' ORDER BY temp_id",
  ).all() as PendingCustomer[];
  if (pending.length === 0) return 0;
  const customers = pending.map((c) => ({
    tempId: c.temp_id,
    name: c.name,
    email: c.email,
    phone: c.phone,
    createdAt: c.created_at,
  }));
  const stored = await answerOf(
    () => http.post(ASYNC_CUSTOMER_ROUTES.device, { customers }, asyncCustomersAnswerSchema),
    "upload customers created offline (they stay pending)",
  );
  const mark = prepared(
    db,
    "UPDATE offline_customers SET status = 'uploaded' WHERE temp_id = ? AND status = 'pending'",
  );
  db.transaction(() => {
    for (const c of stored.customers) mark.run(c.tempId);
  })();
  return stored.customers.length;
}

/**
 * For customers HQ has created (its async customer job) and whose real row job 1010 has brought into this
 * database: remember the real id and point the register's sales to it. Until then they stay "Pending sync".
 */
export async function resolveAsyncCustomers(http: HttpClient, db: Db): Promise<number> {
  const waiting = prepared<[], { n: number }>(
    db,
    "SELECT COUNT(*) AS n FROM offline_customers WHERE status = 'uploaded' AND hq_id IS NULL",
  ).get();
  if (!waiting || waiting.n === 0) return 0;
  const answer = await answerOf(
    () => http.get(ASYNC_CUSTOMER_ROUTES.device, asyncCustomersAnswerSchema),
    "list customers created offline",
  );
  const created = answer.customers.filter((c) => c.status === "Created" && c.customerId);
  const known = prepared(db, "SELECT 1 FROM customers WHERE id = ?");
  const remember = prepared(db, "UPDATE offline_customers SET hq_id = ? WHERE temp_id = ? AND hq_id IS NULL");
  const repoint = prepared(db, "UPDATE transactions SET customer_id = ? WHERE customer_id = ?");
  let resolved = 0;
  db.transaction(() => {
    for (const c of created) {
      const real = c.customerId as string;
      if (!known.get(real)) continue;
      if (remember.run(real, c.tempId).changes === 0) continue;
      repoint.run(real, c.tempId);
      resolved++;
    }
  })();
  return resolved;
}

/** Customers created on this register that do not have their real id yet (shown as Pending sync). */
export function pendingCustomerCount(db: Db): number {
  return (
    prepared<[], { n: number }>(db, "SELECT COUNT(*) AS n FROM offline_customers WHERE hq_id IS NULL").get()?.n ?? 0
  );
}

/** The customer a stored transaction points to now (after re-pointing, the real id). */
export function transactionCustomer(db: Db, transactionId: string): string | null {
  const row = prepared(db, "SELECT customer_id FROM transactions WHERE id = ?").get(transactionId) as
    | { customer_id: string | null }
    | undefined;
  return row?.customer_id ?? null;
}
