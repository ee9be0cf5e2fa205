// First-start seeding of a store's channel database from HQ (replaced by the first full distribution run, CDX).
import type { Clock } from "../lib/clock.js";
import type { Db } from "../lib/db.js";
import { type Row, TABLE_NAMES, TABLES } from "../sync/package/tables.js";
import { currentChangeVersion } from "./change-tracking.js";
import { readChannelState, writeChannelState } from "./channel-db.js";

export interface SeedResult {
  store: string;
  seeded: boolean;
  rows: number;
  changeVersion: number;
}

/**
 * Copies the store's rows of every master-data table (TABLES[t].forStore) from HQ into a channel database that
 * has never been seeded, in one transaction. Later HQ edits never reach the channel database this way: only
 * packages carry them.
 */
export function seedChannelDatabase(hq: Db, channel: Db, store: string, clock: Clock): SeedResult {
  if (readChannelState(channel, "seeded_at") !== undefined) {
    return { store, seeded: false, rows: 0, changeVersion: Number(readChannelState(channel, "seeded_version") ?? 0) };
  }
  let rows = 0;
  const changeVersion = currentChangeVersion(hq);
  channel
    .transaction(() => {
      for (const table of TABLE_NAMES) {
        const def = TABLES[table];
        const columns = Object.keys(def.columns);
        const insert = channel.prepare(
          `INSERT OR REPLACE INTO ${table} (${columns.join(", ")}) VALUES (${columns.map(() => "?").join(", ")})`,
        );
        for (const row of hq.prepare(`SELECT ${columns.join(", ")} FROM ${table}`).iterate() as Iterable<Row>) {
          if (def.forStore && !def.forStore(row, store)) continue;
          insert.run(...columns.map((c) => row[c] ?? null));
          rows++;
        }
      }
      writeChannelState(channel, "seeded_at", new Date(clock.now()).toISOString());
      writeChannelState(channel, "seeded_version", String(changeVersion));
    })
    .immediate();
  return { store, seeded: true, rows, changeVersion };
}
