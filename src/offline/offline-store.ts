// Queries on the register's local database: master data for offline selling, the pending-upload queue, numbering.

import type { WireTransaction } from "../domain/transaction.js";
import { type Db, prepared } from "../lib/db.js";

export interface LocalProduct {
  id: string;
  name: string;
  taxGroup: string;
  taxRatePpm: number;
  unitPrice: number;
}

export interface LocalStaff {
  id: string;
  name: string;
  role: string;
  passwordHash: string;
  stores: string[];
}

export type LocalTransactionStatus = "pending" | "uploaded" | "online" | "conflict";

export interface LocalTransactionRow {
  id: string;
  seq: number;
  status: LocalTransactionStatus;
  created_at: string;
  status_at: string;
  message: string | null;
  total: number;
  body: string;
}

export interface StoreRow {
  id: string;
  name: string;
  currency: string;
  decimals: number;
  offline_customer_creation: number;
  days_transactions_exist: number;
}

export interface RegisterRow {
  id: string;
  store_id: string;
  supports_offline: number;
  offline_profile_id: string;
}

export type OfflineStore = ReturnType<typeof createOfflineStore>;

export function createOfflineStore(db: Db) {
  // Named parameters: better-sqlite3 refuses positional values for numbered ones (?1, ?2).
  const productById = db.prepare<[{ code: string; store: string }], LocalProduct>(
    `SELECT p.id, p.name, p.tax_group AS taxGroup, COALESCE(t.rate_ppm, 0) AS taxRatePpm, pr.amount AS unitPrice
       FROM products p
       JOIN prices pr ON pr.product_id = p.id AND pr.store_id = @store
       LEFT JOIN tax_groups t ON t.store_id = @store AND t.tax_group = p.tax_group
      WHERE p.id = @code AND p.active = 1`,
  );
  const productByBarcode = db.prepare<[string], { product_id: string }>(
    "SELECT product_id FROM barcodes WHERE barcode = ?",
  );
  const insertTx = db.prepare(
    `INSERT INTO transactions (id, seq, store_id, staff_id, customer_id, total, currency, mode, created_at, status, status_at, body)
     VALUES (@id, @seq, @store, @staff, @customer, @total, @currency, @mode, @createdAt, @status, @statusAt, @body)`,
  );

  const txById = db.prepare<[string], LocalTransactionRow>(
    "SELECT id, seq, status, created_at, status_at, message, total, body FROM transactions WHERE id = ?",
  );
  const storeById = db.prepare<[string], StoreRow>("SELECT * FROM stores WHERE id = ?");
  const registerById = db.prepare<[string], RegisterRow>("SELECT * FROM registers WHERE id = ?");

  return {
    db,

    findProduct(store: string, code: string): LocalProduct | null {
      const direct = productById.get({ code, store });
      if (direct) return direct;
      const byBarcode = productByBarcode.get(code);
      return byBarcode ? (productById.get({ code: byBarcode.product_id, store }) ?? null) : null;
    },

    count(table: string, where = "1", ...params: unknown[]): number {
      // Cached per query: the offline-readiness check runs on every offline request.
      return (prepared(db, `SELECT count(*) AS n FROM ${table} WHERE ${where}`).get(...params) as { n: number }).n;
    },

    store(id: string): StoreRow | undefined {
      return storeById.get(id);
    },

    register(id: string): RegisterRow | undefined {
      return registerById.get(id);
    },

    profile(id: string) {
      return prepared(db, "SELECT * FROM offline_profiles WHERE id = ?").get(id) as
        | Record<string, number | string>
        | undefined;
    },

    tenders(store: string) {
      return prepared(
        db,
        "SELECT tender_id, name, kind, allowed_offline FROM tenders WHERE store_id = ? ORDER BY tender_id",
      ).all(store) as Array<{
        tender_id: string;
        name: string;
        kind: string;
        allowed_offline: number;
      }>;
    },

    staff(id: string): LocalStaff | null {
      const row = prepared(db, "SELECT id, name, role, password_hash, stores FROM staff WHERE id = ?").get(id) as
        | { id: string; name: string; role: string; password_hash: string; stores: string }
        | undefined;
      if (!row) return null;
      return {
        id: row.id,
        name: row.name,
        role: row.role,
        passwordHash: row.password_hash,
        stores: JSON.parse(row.stores) as string[],
      };
    },

    logonFailures(staffId: string): { failures: number; blockedAt: string | null } {
      const row = prepared(db, "SELECT failures, blocked_at FROM logon_failures WHERE staff_id = ?").get(staffId) as
        | { failures: number; blocked_at: string | null }
        | undefined;
      return { failures: row?.failures ?? 0, blockedAt: row?.blocked_at ?? null };
    },

    recordLogonFailure(staffId: string, blockAfter: number, now: string): { failures: number; blocked: boolean } {
      return db
        .transaction(() => {
          const failures = this.logonFailures(staffId).failures + 1;
          const blocked = failures >= blockAfter;
          prepared(
            db,
            `INSERT INTO logon_failures (staff_id, failures, blocked_at) VALUES (?, ?, ?)
           ON CONFLICT (staff_id) DO UPDATE SET failures = excluded.failures, blocked_at = COALESCE(blocked_at, excluded.blocked_at)`,
          ).run(staffId, failures, blocked ? now : null);
          return { failures, blocked };
        })
        .immediate();
    },

    clearLogonFailures(staffId: string): void {
      prepared(db, "DELETE FROM logon_failures WHERE staff_id = ? AND blocked_at IS NULL").run(staffId);
    },

    searchCustomers(query: string) {
      const like = `%${query.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      const known = prepared(
        db,
        `SELECT id, name, email, phone, account_allowed FROM customers
            WHERE id = ? OR name LIKE ? ESCAPE '\\' OR email LIKE ? ESCAPE '\\' OR phone LIKE ? ESCAPE '\\'
            ORDER BY id LIMIT 20`,
      ).all(query, like, like, like) as Array<{
        id: string;
        name: string;
        email: string | null;
        phone: string | null;
        account_allowed: number;
      }>;
      const pending = prepared(
        db,
        `SELECT temp_id AS id, name, email, phone, 0 AS account_allowed FROM offline_customers
            WHERE hq_id IS NULL AND (temp_id = ? OR name LIKE ? ESCAPE '\\') ORDER BY temp_id LIMIT 20`,
      ).all(query, like) as typeof known;
      return [
        ...known.map((c) => ({ ...c, pendingSync: false })),
        ...pending.map((c) => ({ ...c, pendingSync: true })),
      ];
    },

    createOfflineCustomer(registerId: string, input: { name: string; email?: string; phone?: string }, now: string) {
      return db
        .transaction(() => {
          const n = this.count("offline_customers") + 1;
          const tempId = `TMP-${registerId}-${String(n).padStart(4, "0")}`;
          prepared(
            db,
            "INSERT INTO offline_customers (temp_id, name, email, phone, created_at, status) VALUES (?, ?, ?, ?, ?, 'pending')",
          ).run(tempId, input.name, input.email ?? null, input.phone ?? null, now);
          return tempId;
        })
        .immediate();
    },

    /**
     * Durably moves the register's reservation forward by `block` numbers and returns the first one: a crash
     * loses the rest of the block (a gap), never hands a number out twice.
     */
    reserveNumbers(registerId: string, block: number): { first: number; last: number } {
      return db
        .transaction(() => {
          const row = prepared(db, "SELECT reserved_to FROM number_sequence WHERE register_id = ?").get(registerId) as
            | { reserved_to: number }
            | undefined;
          const first = (row?.reserved_to ?? 0) + 1;
          const last = first + block - 1;
          prepared(
            db,
            `INSERT INTO number_sequence (register_id, reserved_to) VALUES (?, ?)
           ON CONFLICT (register_id) DO UPDATE SET reserved_to = excluded.reserved_to`,
          ).run(registerId, last);
          return { first, last };
        })
        .immediate();
    },

    /** Records a completed sale: `pending` when stored offline, `online` when the server already has it. */
    saveTransaction(
      tx: WireTransaction,
      seq: number,
      totalMinor: number,
      status: "pending" | "online",
      now: string,
    ): void {
      insertTx.run({
        id: tx.id,
        seq,
        store: tx.store,
        staff: tx.staff,
        customer: tx.customer,
        total: totalMinor,
        currency: tx.currency,
        mode: tx.mode,
        createdAt: tx.createdAt,
        status,
        statusAt: now,
        body: JSON.stringify(tx),
      });
    },

    transaction(id: string): LocalTransactionRow | undefined {
      return txById.get(id);
    },

    pending(limit: number): LocalTransactionRow[] {
      return prepared(
        db,
        "SELECT id, seq, status, created_at, status_at, message, total, body FROM transactions WHERE status = 'pending' ORDER BY seq LIMIT ?",
      ).all(limit) as LocalTransactionRow[];
    },

    pendingSummary(): { count: number; oldest: string | null } {
      return prepared(
        db,
        "SELECT count(*) AS count, min(created_at) AS oldest FROM transactions WHERE status = 'pending'",
      ).get() as {
        count: number;
        oldest: string | null;
      };
    },

    conflicts(): LocalTransactionRow[] {
      return prepared(
        db,
        "SELECT id, seq, status, created_at, status_at, message, total, body FROM transactions WHERE status = 'conflict' ORDER BY seq",
      ).all() as LocalTransactionRow[];
    },

    /** Marks what the server confirmed; only called after its answer arrived. */
    markUploaded(
      results: ReadonlyArray<{ id: string; status: "uploaded" | "conflict"; message?: string }>,
      now: string,
    ): void {
      const stmt = prepared(
        db,
        "UPDATE transactions SET status = ?, status_at = ?, message = ? WHERE id = ? AND status = 'pending'",
      );
      db.transaction(() => {
        for (const r of results) stmt.run(r.status, now, r.message ?? null, r.id);
      }).immediate();
    },

    /** Deletes confirmed transactions older than the store's "days transactions exist". */
    purgeUploaded(olderThan: string): number {
      return prepared(db, "DELETE FROM transactions WHERE status IN ('uploaded', 'online') AND created_at < ?").run(
        olderThan,
      ).changes;
    },
  };
}
