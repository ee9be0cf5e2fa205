// A store server's rounds with HQ: pull its channel databases' download sessions, push P-0001 (exactly once by id).
import { join } from "node:path";
import type { StoreRound } from "../../lib/api-store.js";
import type { Clock } from "../../lib/clock.js";
import { type Db, prepared, preparedPluck } from "../../lib/db.js";
import { PackageError } from "../../sync/package/format.js";
import { type PullResult, pull } from "../../sync/pull.js";
import { applyOnWorker } from "../cdx/generate-protocol.js";
import type { HqTransactionRow } from "../hq/store.js";
import { HqAnswerError, HqAwayError, type HqLink } from "./hq-link.js";
import type { StoreLocal } from "./local.js";

/** Transactions per P-0001 push: one HTTP request, one upload session at HQ. */
export const PUSH_BATCH = 2000;

/**
 * What a round did for one store (lib/api-store.ts): sessions applied, why the pull stopped, transactions pushed
 * (HQ skips any it already had) and how many were new there, HQ's high-water mark after it, or why HQ could not
 * be reached or refused (the round stopped there; the next one carries on).
 */
export type { StoreRound } from "../../lib/api-store.js";

export interface CatchUpContext {
  hq: HqLink;
  clock: Clock;
  channels: ReadonlyMap<string, Db>;
  /** Where packages are downloaded to before they are applied. */
  workDir: string;
}

/** One round for every store the server holds: pull first (prices before sales), then P-0001. */
export async function catchUp(ctx: CatchUpContext): Promise<StoreRound[]> {
  const rounds: StoreRound[] = [];
  for (const [store, channel] of [...ctx.channels].sort(([a], [b]) => a.localeCompare(b))) {
    const round: StoreRound = {
      store,
      applied: 0,
      stoppedBy: null,
      pushed: 0,
      inserted: 0,
      counter: null,
      error: null,
    };
    try {
      const pulled = await pullChannel(ctx, store, channel);
      round.applied = pulled.applied;
      round.stoppedBy = pulled.stoppedBy;
      await pushTransactions(ctx, store, channel, round);
    } catch (error) {
      round.error = (error as Error).message;
    }
    rounds.push(round);
  }
  return rounds;
}

function pullChannel(ctx: CatchUpContext, store: string, channel: Db): Promise<PullResult> {
  return pull({
    http: ctx.hq.http,
    db: channel,
    clock: ctx.clock,
    database: store,
    workDir: join(ctx.workDir, store),
    channel: {
      // Off the event loop on the CDX thread (its own connection), as the all-in-one server applies.
      async applyFile(file, expected, now) {
        try {
          if (channel.memory) throw new Error("an in-memory channel database cannot be applied on the CDX thread");
          return await applyOnWorker({ database: channel.name, file, expected, now });
        } catch (error) {
          throw new PackageError("apply", (error as Error).message);
        }
      },
    },
  });
}

/** channel_state key: the replication counter up to which this channel database's transactions are at HQ. */
const PUSHED_TO = "p0001_pushed_to";

/**
 * P-0001 from a store server: the channel's transactions in counter order, a batch per push, from the counter this
 * channel database itself has pushed up to (HQ's mark when lower: an HQ restored from a backup gets them again).
 * Never from HQ's mark alone: a new channel database (a rebuilt store server, a second server of the store) counts
 * from 1 and would have its sales skipped; it sends all it holds instead, and HQ keeps each id once. A push
 * repeated after a lost answer changes nothing; sales stored meanwhile go with the next batch or round.
 */
export async function pushTransactions(
  ctx: CatchUpContext,
  store: string,
  channel: Db,
  round: StoreRound,
): Promise<void> {
  const hqMark = await ctx.hq.progress(store);
  round.counter = hqMark;
  const pushedTo = preparedPluck<[string], string>(channel, "SELECT value FROM channel_state WHERE key = ?");
  const recordPushed = prepared<[string, string]>(
    channel,
    "INSERT INTO channel_state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
  );
  let from = Math.min(Number(pushedTo.get(PUSHED_TO) ?? 0), hqMark);
  const read = prepared<[number, number], HqTransactionRow>(
    channel,
    `SELECT replication_counter, id, store_id, register_id, staff_id, customer_id, currency, total_minor, created_at,
       mode, content_hash, body FROM transactions WHERE replication_counter > ? ORDER BY replication_counter LIMIT ?`,
  );
  for (;;) {
    const batch = read.all(from, PUSH_BATCH);
    if (batch.length === 0) return;
    const to = (batch[batch.length - 1] as HqTransactionRow).replication_counter;
    const answer = await ctx.hq.push(store, { from, to, transactions: batch });
    round.pushed += batch.length;
    round.inserted += answer.inserted;
    round.counter = answer.counter;
    recordPushed.run(PUSHED_TO, String(to));
    from = to;
  }
}

/**
 * The device tokens this store server keeps, checked with HQ once a round: a token HQ no longer accepts (the
 * register reactivated elsewhere, or revoked) stops working here, and one HQ now has for another store too.
 * While HQ is away nothing is dropped (the registers keep selling on what they have). Answers how many went.
 */
export async function refreshDevices(hq: HqLink, local: StoreLocal, stores: ReadonlySet<string>): Promise<number> {
  const kept = local.devices();
  if (kept.length === 0) return 0;
  let accepted: Map<string, string>;
  try {
    accepted = new Map((await hq.checkDevices(kept.map((d) => d.tokenHash))).map((d) => [d.tokenHash, d.store]));
  } catch (error) {
    if (error instanceof HqAwayError || error instanceof HqAnswerError) return 0;
    throw error;
  }
  let dropped = 0;
  for (const d of kept) {
    const store = accepted.get(d.tokenHash);
    if (store !== undefined && stores.has(store)) continue;
    local.forgetToken(d.tokenHash);
    dropped++;
  }
  return dropped;
}
