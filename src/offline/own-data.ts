// The register's own data that D365 offers offline: its journal, returns of its own sales, its suspended carts.
import { type WireTransaction, wireTransactionSchema } from "../domain/transaction.js";
import { type Db, prepared } from "../lib/db.js";
import type { LocalTransactionStatus } from "./offline-store.js";

export interface LocalJournalRow {
  id: string;
  created_at: string;
  mode: string;
  status: LocalTransactionStatus;
  total: number;
  return_of: string | null;
  body: string;
}

/** The register's most recent transactions first (sales and returns, online ones too until they are purged). */
export function localJournal(db: Db, limit: number): LocalJournalRow[] {
  return prepared<unknown[], LocalJournalRow>(
    db,
    "SELECT id, created_at, mode, status, total, return_of, body FROM transactions ORDER BY seq DESC LIMIT ?",
  ).all(limit);
}

/** How many returns give back each transaction, for the journal's "returned" mark. */
export function localReturnCounts(db: Db, ids: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  const stmt = prepared<unknown[], { n: number }>(
    db,
    "SELECT count(*) AS n FROM transactions WHERE return_of = ? AND status <> 'conflict'",
  );
  for (const id of ids) counts.set(id, stmt.get(id)?.n ?? 0);
  return counts;
}

/** A sale of this register as the offline database keeps it, or undefined (never sold here, or purged). */
export function localTransaction(db: Db, id: string): WireTransaction | undefined {
  const row = prepared<unknown[], { body: string; status: string }>(
    db,
    "SELECT body, status FROM transactions WHERE id = ?",
  ).get(id);
  // A sale the server refused (conflict) is not a sale a return may give back.
  if (!row || row.status === "conflict") return undefined;
  return wireTransactionSchema.parse(JSON.parse(row.body));
}

/** Returns of a sale held here that count against it: one the server refused (conflict) gave nothing back. */
export function localReturnsOf(db: Db, id: string): WireTransaction[] {
  return prepared<unknown[], { body: string }>(
    db,
    "SELECT body FROM transactions WHERE return_of = ? AND status <> 'conflict' ORDER BY seq",
  )
    .all(id)
    .map((r) => wireTransactionSchema.parse(JSON.parse(r.body)));
}

export interface LocalSuspendedRow {
  id: string;
  kept: "offline" | "server";
  staff_id: string;
  suspended_at: string;
  status: "suspended" | "recalled";
  body: string;
}

/** Records a suspended cart: kept here (suspended offline), or kept at the server (only its id, so ids never repeat). */
export function recordSuspendedCart(
  db: Db,
  cart: { id: string; kept: "offline" | "server"; staff: string; body: string; now: string },
): void {
  prepared(
    db,
    "INSERT INTO suspended_carts (id, kept, staff_id, suspended_at, status, body) VALUES (?, ?, ?, ?, 'suspended', ?)",
  ).run(cart.id, cart.kept, cart.staff, cart.now, cart.body);
}

/** The register's next cart id (`<register>-S0001`); used once the cart is recorded, online or offline. */
export function nextCartId(db: Db, registerId: string): string {
  const n = (prepared<unknown[], { n: number }>(db, "SELECT count(*) AS n FROM suspended_carts").get()?.n ?? 0) + 1;
  return `${registerId}-S${String(n).padStart(4, "0")}`;
}

export function localSuspendedCarts(db: Db): LocalSuspendedRow[] {
  return prepared<unknown[], LocalSuspendedRow>(
    db,
    "SELECT id, kept, staff_id, suspended_at, status, body FROM suspended_carts WHERE kept = 'offline' AND status = 'suspended' ORDER BY id",
  ).all();
}

/** Marks a cart suspended offline as recalled, once: undefined when there is no such cart, "recalled" when taken. */
export function recallLocalCart(db: Db, id: string, now: string): LocalSuspendedRow | "recalled" | undefined {
  return db
    .transaction(() => {
      const row = prepared<unknown[], LocalSuspendedRow>(
        db,
        "SELECT id, kept, staff_id, suspended_at, status, body FROM suspended_carts WHERE id = ? AND kept = 'offline'",
      ).get(id);
      if (!row) return undefined;
      if (row.status === "recalled") return "recalled";
      prepared(db, "UPDATE suspended_carts SET status = 'recalled', recalled_at = ? WHERE id = ?").run(now, id);
      return row;
    })
    .immediate();
}
