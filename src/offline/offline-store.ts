// Queries on the register's local database: master data for offline selling, the pending-upload queue, numbering.

import type { WireTransaction } from "../domain/transaction.js";
import { type Db, prepared, preparedPluck } from "../lib/db.js";

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

/** in-doubt: sent to the server, no answer yet (resolved by re-sending the same content; the server is idempotent). */
export type LocalTransactionStatus = "in-doubt" | "pending" | "uploaded" | "online" | "conflict";

export interface NumberGap {
  first: number;
  last: number;
  recordedAt: string;
  reason: string;
}

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
  /** 1: customer creation in async mode (null: a database or package from before the setting). */
  customer_async_mode: number | null;
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
  // A row in doubt becomes pending (stored offline) or online (the server answered); any other row is final.
  const insertTx = db.prepare(
    `INSERT INTO transactions (id, seq, store_id, staff_id, customer_id, total, currency, mode, created_at, status, status_at, body, return_of)
     VALUES (@id, @seq, @store, @staff, @customer, @total, @currency, @mode, @createdAt, @status, @statusAt, @body, @returnOf)
     ON CONFLICT (id) DO UPDATE SET status = excluded.status, status_at = excluded.status_at
       WHERE transactions.status = 'in-doubt' AND excluded.status <> 'in-doubt'`,
  );
  const markUsed = db.prepare(
    `INSERT INTO number_sequence (register_id, reserved_to, used_to) VALUES (@register, @seq, @seq)
     ON CONFLICT (register_id) DO UPDATE SET used_to = max(used_to, excluded.used_to),
       reserved_to = max(reserved_to, excluded.reserved_to)`,
  );
  const insertGap = db.prepare("INSERT INTO number_gaps (first, last, recorded_at, reason) VALUES (?, ?, ?, ?)");
  const saveTx = db.transaction((row: Record<string, unknown>, register: string) => {
    insertTx.run(row);
    markUsed.run({ register, seq: row.seq });
  });

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

    /** Whether anyone can sign in offline (checked on every offline request: one cached statement). */
    hasStaff(): boolean {
      return preparedPluck<[], number>(db, "SELECT EXISTS (SELECT 1 FROM staff)").get() === 1;
    },

    productCount(): number {
      return preparedPluck<[], number>(db, "SELECT count(*) FROM products").get() ?? 0;
    },

    /** Transactions the server holds with other content (409): kept, shown, never resent. */
    conflictCount(): number {
      return preparedPluck<[], number>(db, "SELECT count(*) FROM transactions WHERE status = 'conflict'").get() ?? 0;
    },

    store(id: string): StoreRow | undefined {
      return storeById.get(id);
    },

    register(id: string): RegisterRow | undefined {
      return registerById.get(id);
    },

    profile(id: string) {
      return prepared<unknown[], Record<string, number | string>>(
        db,
        "SELECT * FROM offline_profiles WHERE id = ?",
      ).get(id);
    },

    tenders(store: string) {
      return prepared<
        unknown[],
        {
          tender_id: string;
          name: string;
          kind: string;
          allowed_offline: number;
        }
      >(db, "SELECT tender_id, name, kind, allowed_offline FROM tenders WHERE store_id = ? ORDER BY tender_id").all(
        store,
      );
    },

    staff(id: string): LocalStaff | null {
      const row = prepared<
        unknown[],
        { id: string; name: string; role: string; password_hash: string; stores: string }
      >(db, "SELECT id, name, role, password_hash, stores FROM staff WHERE id = ?").get(id);
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
      const row = prepared<unknown[], { failures: number; blocked_at: string | null }>(
        db,
        "SELECT failures, blocked_at FROM logon_failures WHERE staff_id = ?",
      ).get(staffId);
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
      const known = prepared<
        unknown[],
        {
          id: string;
          name: string;
          email: string | null;
          phone: string | null;
          account_allowed: number;
        }
      >(
        db,
        `SELECT id, name, email, phone, account_allowed FROM customers
            WHERE id = ? OR name LIKE ? ESCAPE '\\' OR email LIKE ? ESCAPE '\\' OR phone LIKE ? ESCAPE '\\'
            ORDER BY id LIMIT 20`,
      ).all(query, like, like, like);
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
          const n = (preparedPluck<[], number>(db, "SELECT count(*) FROM offline_customers").get() ?? 0) + 1;
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
     * loses the rest of the block (a gap, recorded at the next start), never hands a number out twice. `floor` is
     * the highest number known outside this database (the register's high-water file), so a restored or new
     * database never starts below it; `beforeCommit` runs inside the transaction (it writes that file first).
     */
    reserveNumbers(
      registerId: string,
      block: number,
      options: { floor?: number; pid?: number; beforeCommit?: (last: number) => void } = {},
    ): { first: number; last: number } {
      return db
        .transaction(() => {
          const row = this.numberState(registerId);
          const start = Math.max(row.reservedTo, options.floor ?? 0);
          const first = start + 1;
          const last = start + block;
          options.beforeCommit?.(last);
          prepared(
            db,
            `INSERT INTO number_sequence (register_id, reserved_to, used_to, holder_pid) VALUES (?, ?, ?, ?)
           ON CONFLICT (register_id) DO UPDATE SET reserved_to = excluded.reserved_to,
             used_to = max(used_to, excluded.used_to), holder_pid = excluded.holder_pid`,
          ).run(registerId, last, start, options.pid ?? null);
          return { first, last };
        })
        .immediate();
    },

    numberState(registerId: string): { reservedTo: number; usedTo: number; holderPid: number | null } {
      const row = prepared<unknown[], { reservedTo: number; usedTo: number; holderPid: number | null }>(
        db,
        "SELECT reserved_to AS reservedTo, used_to AS usedTo, holder_pid AS holderPid FROM number_sequence WHERE register_id = ?",
      ).get(registerId);
      return row ?? { reservedTo: 0, usedTo: 0, holderPid: null };
    },

    /**
     * A clean exit gives back the numbers of its block nobody used (the next process continues without a gap);
     * when another process reserved after this block, they cannot be given back and are recorded as a gap.
     */
    releaseNumbers(registerId: string, next: number, last: number, now: string): { reservedTo: number } {
      return db
        .transaction(() => {
          const state = this.numberState(registerId);
          if (next > last) return { reservedTo: state.reservedTo };
          if (state.reservedTo === last) {
            const reservedTo = Math.max(next - 1, state.usedTo);
            prepared(db, "UPDATE number_sequence SET reserved_to = ?, holder_pid = NULL WHERE register_id = ?").run(
              reservedTo,
              registerId,
            );
            return { reservedTo };
          }
          insertGap.run(next, last, now, "unused numbers of a block that a later reservation had passed");
          return { reservedTo: state.reservedTo };
        })
        .immediate();
    },

    /** At start: numbers reserved by a process that ended without a clean exit are lost; record them as a gap. */
    recordLostNumbers(registerId: string, isAlive: (pid: number) => boolean, now: string): NumberGap | null {
      return db
        .transaction(() => {
          const state = this.numberState(registerId);
          if (state.reservedTo <= state.usedTo) return null;
          if (state.holderPid !== null && isAlive(state.holderPid)) return null;
          const gap: NumberGap = {
            first: state.usedTo + 1,
            last: state.reservedTo,
            recordedAt: now,
            reason: "reserved by a pos process that ended without a clean exit (crash or kill)",
          };
          insertGap.run(gap.first, gap.last, gap.recordedAt, gap.reason);
          prepared(db, "UPDATE number_sequence SET used_to = reserved_to, holder_pid = NULL WHERE register_id = ?").run(
            registerId,
          );
          return gap;
        })
        .immediate();
    },

    numberGaps(): NumberGap[] {
      return prepared<unknown[], NumberGap>(
        db,
        "SELECT first, last, recorded_at AS recordedAt, reason FROM number_gaps ORDER BY first",
      ).all();
    },

    /**
     * Records a completed sale and marks its number used, in one commit: `pending` when stored offline, `online`
     * when the server has it, `in-doubt` just before it is sent (so a lost answer never loses the sale).
     */
    saveTransaction(
      tx: WireTransaction,
      seq: number,
      totalMinor: number,
      status: "pending" | "online" | "in-doubt",
      now: string,
    ): void {
      saveTx(
        {
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
          returnOf: tx.returnOf ?? null,
        },
        tx.register,
      );
    },

    /** The server answered a sale that was in doubt: it is stored there. */
    markOnline(id: string, now: string): void {
      prepared(db, "UPDATE transactions SET status = 'online', status_at = ? WHERE id = ? AND status = 'in-doubt'").run(
        now,
        id,
      );
    },

    /** The server refused a sale that was in doubt: it is stored nowhere; its number becomes a recorded gap. */
    checkoutRefused(id: string, seq: number, reason: string, now: string): void {
      db.transaction(() => {
        const gone = prepared(db, "DELETE FROM transactions WHERE id = ? AND status = 'in-doubt'").run(id).changes;
        if (gone > 0) insertGap.run(seq, seq, now, `checkout refused by the server: ${reason}`);
      }).immediate();
    },

    /** Sales sent to the server whose outcome the register does not know yet, oldest first. */
    inDoubt(): LocalTransactionRow[] {
      return prepared<unknown[], LocalTransactionRow>(
        db,
        "SELECT id, seq, status, created_at, status_at, message, total, body FROM transactions WHERE status = 'in-doubt' ORDER BY seq",
      ).all();
    },

    transaction(id: string): LocalTransactionRow | undefined {
      return txById.get(id);
    },

    pending(limit: number): LocalTransactionRow[] {
      return prepared<unknown[], LocalTransactionRow>(
        db,
        "SELECT id, seq, status, created_at, status_at, message, total, body FROM transactions WHERE status IN ('pending', 'in-doubt') ORDER BY seq LIMIT ?",
      ).all(limit);
    },

    pendingSummary(): { count: number; oldest: string | null } {
      return (
        prepared<[], { count: number; oldest: string | null }>(
          db,
          "SELECT count(*) AS count, min(created_at) AS oldest FROM transactions WHERE status = 'pending'",
        ).get() ?? { count: 0, oldest: null }
      );
    },

    conflicts(): LocalTransactionRow[] {
      return prepared<unknown[], LocalTransactionRow>(
        db,
        "SELECT id, seq, status, created_at, status_at, message, total, body FROM transactions WHERE status = 'conflict' ORDER BY seq",
      ).all();
    },

    /** Marks what the server confirmed; only called after its answer arrived. */
    markUploaded(
      results: ReadonlyArray<{ id: string; status: "uploaded" | "conflict"; message?: string }>,
      now: string,
    ): void {
      const stmt = prepared(
        db,
        "UPDATE transactions SET status = ?, status_at = ?, message = ? WHERE id = ? AND status IN ('pending', 'in-doubt')",
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
