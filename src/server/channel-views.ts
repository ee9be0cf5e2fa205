// Admin views of what channel databases received: stored transactions and recorded conflicts.

import type { WireTransaction } from "../domain/transaction.js";
import type { ConflictsAnswer } from "../lib/api.js";
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
