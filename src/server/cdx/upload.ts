// P-0001: channel database transactions not yet at HQ → an upload session per store, applied at HQ exactly once.
import type { UploadSession, UploadSessionsAnswer } from "../../lib/api-sync.js";
import type { Clock } from "../../lib/clock.js";
import { type Db, prepared, preparedPluck } from "../../lib/db.js";
import { listConflicts } from "../channel-views.js";
import type { HqStore, HqTransactionRow, UploadRow } from "../hq/store.js";
import { isoTime } from "../statements.js";
import { pauseForTest } from "../test-pause.js";

export interface UploadContext {
  hq: HqStore;
  clock: Clock;
  channels: ReadonlyMap<string, Db>;
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

/**
 * One upload session per channel database: the transactions whose replication counter is past what HQ has
 * from that store. The session is recorded `Uploaded`, then applied at HQ in one transaction with the new
 * high-water mark: insert-or-ignore by transaction id (in batches), so HQ holds each transaction once even if a
 * session is applied again after a crash, and a re-run finds nothing to send (0 transactions).
 *
 * Customers created offline need nothing here: a register creates them at HQ online (POST /v1/customers) when
 * it uploads, and they come back to every store with job 1010 — so `customers` is always 0.
 */
export async function runUpload(ctx: UploadContext): Promise<UploadSession[]> {
  const sessions: UploadSession[] = [];
  for (const [store, channel] of [...ctx.channels].sort(([a], [b]) => a.localeCompare(b))) {
    sessions.push(await uploadStore(ctx, store, channel));
  }
  return sessions;
}

async function uploadStore(ctx: UploadContext, store: string, channel: Db): Promise<UploadSession> {
  const { hq } = ctx;
  const from = await hq.uploads.progress(store);
  const to =
    (preparedPluck(channel, "SELECT MAX(replication_counter) FROM transactions").get() as number | null) ?? from;
  const upper = Math.max(from, to);
  const count = preparedPluck(
    channel,
    "SELECT COUNT(*) FROM transactions WHERE replication_counter > ? AND replication_counter <= ?",
  ).get(from, upper) as number;
  const id = await hq.uploads.begin({ store, from, to: upper, transactions: count, at: isoTime(ctx.clock.now()) });
  try {
    const rows = channelRows(channel, from, upper);
    await hq.uploads.apply(id, store, upper, rows, isoTime(ctx.clock.now()), () => pauseForTest("p0001-apply"));
  } catch (error) {
    await hq.uploads.fail(id, (error as Error).message);
  }
  return toUploadSession((await hq.uploads.get(id)) as UploadRow);
}

/** Rows per read of the channel database: one batch of HQ's inserts. */
const READ_BATCH = 500;

/**
 * The channel's transactions in (from, upper], read a batch at a time with each read complete before HQ's insert
 * is awaited: no statement of the channel's connection stays open across an await, so sales keep being stored
 * in the same channel database while P-0001 runs (a new sale gets a counter past `upper` and waits for the next run).
 */
async function* channelRows(channel: Db, from: number, upper: number): AsyncGenerator<HqTransactionRow> {
  const read = prepared<[number, number, number], HqTransactionRow>(
    channel,
    `SELECT replication_counter, id, store_id, register_id, staff_id, customer_id, currency, total_minor, created_at,
       mode, content_hash, body FROM transactions WHERE replication_counter > ? AND replication_counter <= ?
     ORDER BY replication_counter LIMIT ?`,
  );
  let after = from;
  for (;;) {
    const batch = read.all(after, upper, READ_BATCH);
    if (batch.length === 0) return;
    yield* batch;
    after = (batch[batch.length - 1] as HqTransactionRow).replication_counter;
  }
}

export async function listUploadSessions(
  hq: HqStore,
  channels: ReadonlyMap<string, Db>,
  limit = 200,
): Promise<UploadSessionsAnswer> {
  const rows = await hq.uploads.list(limit);
  const conflicts = listConflicts(channels).conflicts.map((c) => ({
    store: c.store,
    transactionId: c.transactionId,
    register: c.register,
    attempts: c.attempts,
    receivedAt: c.receivedAt,
  }));
  const hqTransactions = await hq.uploads.countTransactions();
  return { sessions: rows.map(toUploadSession), conflicts, hqTransactions };
}
