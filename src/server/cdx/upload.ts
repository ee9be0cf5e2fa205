// P-0001: channel database transactions not yet at HQ → an upload session per store, applied at HQ exactly once.
import type { UploadSession, UploadSessionsAnswer } from "../../lib/api-sync.js";
import type { Clock } from "../../lib/clock.js";
import { type Db, prepared, preparedPluck } from "../../lib/db.js";
import type { TransactionRow } from "../channel-views.js";
import { listConflicts } from "../channel-views.js";
import { isoTime } from "../statements.js";
import { pauseForTest } from "../test-pause.js";

export interface UploadContext {
  hq: Db;
  clock: Clock;
  channels: ReadonlyMap<string, Db>;
}

interface UploadRow {
  id: number;
  store_id: string;
  status: UploadSession["status"];
  message: string | null;
  from_counter: number;
  to_counter: number;
  transactions: number;
  customers: number;
  inserted: number;
  created_at: string;
  applied_at: string | null;
}

function toUploadSession(row: UploadRow): UploadSession {
  return {
    id: row.id,
    database: row.store_id,
    status: row.status,
    message: row.message,
    fromCounter: row.from_counter,
    toCounter: row.to_counter,
    transactions: row.transactions,
    inserted: row.inserted,
    customers: row.customers,
    createdAt: row.created_at,
    appliedAt: row.applied_at,
  };
}

/** A channel transaction as P-0001 reads it: the header row plus its wire JSON. */
type ChannelTransaction = Omit<TransactionRow, "received_at"> & { body: string };

/**
 * One upload session per channel database: the transactions whose replication counter is past what HQ has
 * from that store. The session is recorded `Uploaded`, then applied at HQ in one transaction with the new
 * high-water mark: insert-or-ignore by transaction id, so HQ holds each transaction once even if a session is
 * applied again after a crash, and a re-run finds nothing to send (0 transactions).
 *
 * Customers created offline need nothing here: a register creates them at HQ online (POST /v1/customers) when
 * it uploads, and they come back to every store with job 1010 — so `customers` is always 0.
 */
export function runUpload(ctx: UploadContext): UploadSession[] {
  const sessions: UploadSession[] = [];
  for (const [store, channel] of [...ctx.channels].sort(([a], [b]) => a.localeCompare(b))) {
    sessions.push(uploadStore(ctx, store, channel));
  }
  return sessions;
}

function uploadStore(ctx: UploadContext, store: string, channel: Db): UploadSession {
  const { hq } = ctx;
  const from =
    (preparedPluck(hq, "SELECT uploaded_counter FROM upload_progress WHERE store_id = ?").get(store) as
      | number
      | undefined) ?? 0;
  const to =
    (preparedPluck(channel, "SELECT MAX(replication_counter) FROM transactions").get() as number | null) ?? from;
  const upper = Math.max(from, to);
  const count = preparedPluck(
    channel,
    "SELECT COUNT(*) FROM transactions WHERE replication_counter > ? AND replication_counter <= ?",
  ).get(from, upper) as number;
  const id = Number(
    prepared(
      hq,
      `INSERT INTO upload_sessions (store_id, status, from_counter, to_counter, transactions, customers, created_at)
       VALUES (?, 'Uploaded', ?, ?, ?, 0, ?)`,
    ).run(store, from, upper, count, isoTime(ctx.clock.now())).lastInsertRowid,
  );
  try {
    hq.transaction(() => {
      const insert = prepared(
        hq,
        `INSERT OR IGNORE INTO hq_transactions (id, store_id, register_id, staff_id, customer_id, currency, total_minor,
           created_at, mode, content_hash, body, replication_counter, upload_session, uploaded_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      );
      const now = isoTime(ctx.clock.now());
      let inserted = 0;
      const rows = prepared(
        channel,
        `SELECT replication_counter, id, store_id, register_id, staff_id, customer_id, currency, total_minor, created_at,
           mode, content_hash, body FROM transactions WHERE replication_counter > ? AND replication_counter <= ?
         ORDER BY replication_counter`,
      ).iterate(from, upper) as IterableIterator<ChannelTransaction>;
      for (const t of rows) {
        inserted += insert.run(
          t.id,
          t.store_id,
          t.register_id,
          t.staff_id,
          t.customer_id,
          t.currency,
          t.total_minor,
          t.created_at,
          t.mode,
          t.content_hash,
          t.body,
          t.replication_counter,
          id,
          now,
        ).changes;
      }
      pauseForTest("p0001-apply");
      prepared(hq, "INSERT OR REPLACE INTO upload_progress (store_id, uploaded_counter) VALUES (?, ?)").run(
        store,
        upper,
      );
      prepared(
        hq,
        "UPDATE upload_sessions SET status = 'Applied', inserted = ?, applied_at = ?, message = ? WHERE id = ?",
      ).run(inserted, now, inserted < count ? `${count - inserted} already at HQ` : null, id);
    }).immediate();
  } catch (error) {
    prepared(hq, "UPDATE upload_sessions SET status = 'Apply failed', message = ? WHERE id = ?").run(
      (error as Error).message,
      id,
    );
  }
  return toUploadSession(prepared(hq, "SELECT * FROM upload_sessions WHERE id = ?").get(id) as UploadRow);
}

export function listUploadSessions(hq: Db, channels: ReadonlyMap<string, Db>, limit = 200): UploadSessionsAnswer {
  const rows = prepared(hq, "SELECT * FROM upload_sessions ORDER BY id DESC LIMIT ?").all(limit) as UploadRow[];
  const conflicts = listConflicts(channels).conflicts.map((c) => ({
    store: c.store,
    transactionId: c.transactionId,
    register: c.register,
    attempts: c.attempts,
    receivedAt: c.receivedAt,
  }));
  const hqTransactions = preparedPluck(hq, "SELECT COUNT(*) FROM hq_transactions").get() as number;
  return { sessions: rows.reverse().map(toUploadSession), conflicts, hqTransactions };
}
