// Admin views of what channel databases received: stored transactions and recorded conflicts.

import { toMajor } from "../domain/money.js";
import type { WireTransaction } from "../domain/transaction.js";
import type { AdminTransactionsAnswer, ConflictsAnswer } from "../lib/api.js";
import { type Db, prepared, preparedPluck } from "../lib/db.js";
import { notFound } from "./api-error.js";

/** A row of the channel database's transactions table (the body column left out). */
export interface TransactionRow {
  replication_counter: number;
  id: string;
  store_id: string;
  register_id: string;
  staff_id: string;
  customer_id: string | null;
  currency: string;
  total_minor: number;
  created_at: string;
  received_at: string;
  mode: string;
  content_hash: string;
}

function decimalsOf(channel: Db, store: string): number {
  const row = prepared<unknown[], { decimals: number }>(channel, "SELECT decimals FROM stores WHERE id = ?").get(store);
  return row?.decimals ?? 2;
}

/** The store's transactions in replication order (oldest first), up to `limit`, and how many there are. */
export function listTransactions(channel: Db, store: string, limit: number): AdminTransactionsAnswer {
  const decimals = decimalsOf(channel, store);
  const count = preparedPluck(channel, "SELECT COUNT(*) FROM transactions").get() as number;
  const rows = prepared<unknown[], TransactionRow>(
    channel,
    `SELECT replication_counter, id, store_id, register_id, staff_id, customer_id, currency, total_minor, created_at,
       received_at, mode, content_hash FROM transactions ORDER BY replication_counter LIMIT ?`,
  ).all(limit);
  return {
    store,
    count,
    transactions: rows.map((r) => ({
      id: r.id,
      store: r.store_id,
      register: r.register_id,
      staff: r.staff_id,
      customer: r.customer_id,
      total: toMajor(r.total_minor, decimals),
      currency: r.currency,
      createdAt: r.created_at,
      receivedAt: r.received_at,
      mode: r.mode,
      contentHash: r.content_hash,
      replicationCounter: r.replication_counter,
    })),
  };
}

/** One stored transaction as it was received (wire form), looked up in every channel database. */
export function getTransaction(channels: ReadonlyMap<string, Db>, id: string): WireTransaction {
  for (const channel of channels.values()) {
    const body = preparedPluck<unknown[], string>(channel, "SELECT body FROM transactions WHERE id = ?").get(id);
    if (body !== undefined) return JSON.parse(body) as WireTransaction;
  }
  throw notFound(`no transaction ${id}`);
}

export function listConflicts(channels: ReadonlyMap<string, Db>): ConflictsAnswer {
  const conflicts: ConflictsAnswer["conflicts"] = [];
  for (const [store, channel] of channels) {
    const rows = prepared<
      unknown[],
      {
        id: number;
        transaction_id: string;
        register_id: string;
        stored_hash: string;
        incoming_hash: string;
        incoming_body: string;
        first_received_at: string;
        last_received_at: string;
        attempts: number;
      }
    >(
      channel,
      `SELECT id, transaction_id, register_id, stored_hash, incoming_hash, incoming_body, first_received_at,
         last_received_at, attempts FROM transaction_conflicts ORDER BY id`,
    ).all();
    for (const r of rows) {
      conflicts.push({
        id: r.id,
        store,
        transactionId: r.transaction_id,
        register: r.register_id,
        storedHash: r.stored_hash,
        incomingHash: r.incoming_hash,
        firstReceivedAt: r.first_received_at,
        receivedAt: r.last_received_at,
        attempts: r.attempts,
        incoming: JSON.parse(r.incoming_body) as unknown,
      });
    }
  }
  return { conflicts };
}
