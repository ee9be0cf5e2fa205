// A register's own data in its store's channel database: its journal, a sale to return, suspended carts.
import { toMajor } from "../domain/money.js";
import { type WireTransaction, wireTransactionSchema } from "../domain/transaction.js";
import { ERROR_CODES } from "../lib/api.js";
import {
  CART_ALREADY_RECALLED,
  type JournalEntry,
  type SuspendedCart,
  type SuspendedCartSummary,
  summarizeCart,
  suspendedCartSchema,
} from "../lib/api-own-data.js";
import { type Db, prepared } from "../lib/db.js";
import { ApiError, notFound } from "./api-error.js";
import { canonicalJson } from "./transactions.js";

interface TxRow {
  id: string;
  created_at: string;
  mode: string;
  total_minor: number;
  return_of: string | null;
  body: string;
  returns: number;
}

/** The register's most recent transactions at the server, newest first (replication order). */
export function channelJournal(channel: Db, register: string, decimals: number, limit: number): JournalEntry[] {
  return prepared<unknown[], TxRow>(
    channel,
    `SELECT t.id, t.created_at, t.mode, t.total_minor, t.return_of, t.body,
       (SELECT count(*) FROM transactions r WHERE r.return_of = t.id) AS returns
     FROM transactions t WHERE t.register_id = ? ORDER BY t.replication_counter DESC LIMIT ?`,
  )
    .all(register, limit)
    .map((r) => ({
      id: r.id,
      createdAt: r.created_at,
      mode: r.mode,
      status: "stored",
      total: toMajor(r.total_minor, decimals),
      lines: (JSON.parse(r.body) as { lines: unknown[] }).lines.length,
      returnOf: r.return_of,
      returns: r.returns,
    }));
}

/** A sale of the store and its returns so far, for a return made online (from any register of the store). */
export function returnSource(
  channel: Db,
  store: string,
  id: string,
): { transaction: WireTransaction; returns: WireTransaction[] } {
  const body = prepared<unknown[], { body: string }>(
    channel,
    "SELECT body FROM transactions WHERE id = ? AND store_id = ?",
  ).get(id, store);
  if (!body) throw notFound(`no transaction ${id} at store ${store}`);
  const returns = prepared<unknown[], { body: string }>(
    channel,
    "SELECT body FROM transactions WHERE return_of = ? ORDER BY replication_counter",
  )
    .all(id)
    .map((r) => wireTransactionSchema.parse(JSON.parse(r.body)));
  return { transaction: wireTransactionSchema.parse(JSON.parse(body.body)), returns };
}

/** Keeps a suspended cart once: the same id with the same content again is a duplicate (a resend), other content 409. */
export function suspendCart(
  channel: Db,
  store: string,
  device: string,
  cart: SuspendedCart,
): "suspended" | "duplicate" {
  if (cart.register !== device || !cart.id.startsWith(`${device}-S`)) {
    throw new ApiError(400, ERROR_CODES.validationFailed, `cart.id: ${cart.id} is not a cart id of register ${device}`);
  }
  const body = canonicalJson(cart);
  return channel
    .transaction(() => {
      const existing = prepared<unknown[], { body: string }>(
        channel,
        "SELECT body FROM suspended_carts WHERE id = ?",
      ).get(cart.id);
      if (existing) {
        if (existing.body === body) return "duplicate" as const;
        throw new ApiError(409, ERROR_CODES.alreadyExists, `cart ${cart.id} was already suspended with other content`);
      }
      prepared(
        channel,
        `INSERT INTO suspended_carts (id, store_id, register_id, staff_id, suspended_at, status, body)
         VALUES (?, ?, ?, ?, ?, 'suspended', ?)`,
      ).run(cart.id, store, device, cart.staff, cart.suspendedAt, body);
      return "suspended" as const;
    })
    .immediate();
}

/** Carts suspended at the store (any register) and not yet recalled, oldest first. */
export function suspendedCarts(channel: Db, store: string): SuspendedCartSummary[] {
  return prepared<unknown[], { body: string }>(
    channel,
    "SELECT body FROM suspended_carts WHERE store_id = ? AND status = 'suspended' ORDER BY suspended_at, id",
  )
    .all(store)
    .map((r) => summarizeCart(suspendedCartSchema.parse(JSON.parse(r.body)), "server"));
}

/** Hands a suspended cart to one register, once: a second recall is refused (409 CartAlreadyRecalled). */
export function recallCart(channel: Db, store: string, id: string, by: string, now: string): SuspendedCart {
  return channel
    .transaction(() => {
      const row = prepared<
        unknown[],
        { body: string; status: string; recalled_by: string | null; recalled_at: string | null }
      >(
        channel,
        "SELECT body, status, recalled_by, recalled_at FROM suspended_carts WHERE id = ? AND store_id = ?",
      ).get(id, store);
      if (!row) throw notFound(`no suspended cart ${id} at store ${store}`);
      if (row.status === "recalled") {
        throw new ApiError(
          409,
          CART_ALREADY_RECALLED,
          `cart ${id} was already recalled by ${row.recalled_by} at ${row.recalled_at}`,
        );
      }
      prepared(
        channel,
        "UPDATE suspended_carts SET status = 'recalled', recalled_at = ?, recalled_by = ? WHERE id = ?",
      ).run(now, by, id);
      return suspendedCartSchema.parse(JSON.parse(row.body));
    })
    .immediate();
}
