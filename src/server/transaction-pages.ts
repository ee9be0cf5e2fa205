// The admin transaction list across channel databases, in pages: (store, replication counter) order with a cursor.
import { toMajor } from "../domain/money.js";
import type { TransactionPage } from "../lib/api-chain.js";
import { type Db, prepared } from "../lib/db.js";
import { notFound } from "./api-error.js";
import type { TransactionRow } from "./channel-views.js";

export interface TransactionPageRequest {
  store?: string | undefined;
  register?: string | undefined;
  since?: string | undefined;
  after?: string | undefined;
  limit: number;
}

const COLUMNS = `replication_counter, id, store_id, register_id, staff_id, customer_id, currency, total_minor,
  created_at, received_at, mode, content_hash`;

/**
 * One page. Rows come store by store (ids sorted), each store in replication order, so a cursor is the last
 * row's `<store>:<replication counter>` and a row stored after the first page was read still shows up on a
 * later page of its store (counters only grow), never twice.
 */
export function transactionPage(channels: ReadonlyMap<string, Db>, request: TransactionPageRequest): TransactionPage {
  if (request.store !== undefined && !channels.has(request.store))
    throw notFound(`no store ${request.store} on this server`);
  const stores = (request.store === undefined ? [...channels.keys()] : [request.store]).sort();
  const cursor = parseCursor(request.after);
  const since = request.since === undefined ? undefined : new Date(request.since).toISOString();
  const where = (afterCounter: number | undefined) => {
    const clauses: string[] = [];
    const params: (string | number)[] = [];
    if (request.register !== undefined) {
      clauses.push("register_id = ?");
      params.push(request.register);
    }
    if (since !== undefined) {
      clauses.push("received_at >= ?");
      params.push(since);
    }
    if (afterCounter !== undefined) {
      clauses.push("replication_counter > ?");
      params.push(afterCounter);
    }
    return { sql: clauses.length ? ` WHERE ${clauses.join(" AND ")}` : "", params };
  };
  let count = 0;
  const transactions: TransactionPage["transactions"] = [];
  let more = false;
  for (const store of stores) {
    const channel = channels.get(store) as Db;
    const all = where(undefined);
    count += (prepared(channel, `SELECT COUNT(*) AS n FROM transactions${all.sql}`).get(...all.params) as { n: number })
      .n;
    if (more || (cursor && store < cursor.store)) continue;
    const page = where(cursor && store === cursor.store ? cursor.counter : undefined);
    const room = request.limit - transactions.length;
    // One row past the room tells whether another page follows.
    const rows = prepared(
      channel,
      `SELECT ${COLUMNS} FROM transactions${page.sql} ORDER BY replication_counter LIMIT ?`,
    ).all(...page.params, room + 1) as TransactionRow[];
    const decimals = decimalsOf(channel, store);
    for (const r of rows.slice(0, room)) transactions.push(toStored(r, decimals));
    if (rows.length > room) more = true;
    else if (transactions.length === request.limit) more = laterStoreHasRows(channels, stores, store, where(undefined));
  }
  const last = transactions.at(-1);
  return {
    store: request.store ?? null,
    count,
    transactions,
    nextCursor: more && last ? `${last.store}:${last.replicationCounter}` : null,
  };
}

function laterStoreHasRows(
  channels: ReadonlyMap<string, Db>,
  stores: readonly string[],
  current: string,
  filter: { sql: string; params: (string | number)[] },
): boolean {
  return stores.some(
    (store) =>
      store > current &&
      prepared(channels.get(store) as Db, `SELECT 1 FROM transactions${filter.sql} LIMIT 1`).get(...filter.params) !==
        undefined,
  );
}

function parseCursor(after: string | undefined): { store: string; counter: number } | undefined {
  if (after === undefined) return undefined;
  const at = after.lastIndexOf(":");
  return { store: after.slice(0, at), counter: Number(after.slice(at + 1)) };
}

function decimalsOf(channel: Db, store: string): number {
  const row = prepared(channel, "SELECT decimals FROM stores WHERE id = ?").get(store) as
    | { decimals: number }
    | undefined;
  return row?.decimals ?? 2;
}

function toStored(r: TransactionRow, decimals: number): TransactionPage["transactions"][number] {
  return {
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
  };
}
