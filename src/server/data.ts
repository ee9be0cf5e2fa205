// Opens the server's databases under its data folder; loads fixtures into a new HQ; distributes to new channel databases.
import { join } from "node:path";
import type { Clock } from "../lib/clock.js";
import type { Db } from "../lib/db.js";
import { type Row, TABLE_NAMES, TABLES, type TableName, toRowValue } from "../schema/tables.js";
import { type CdxService, type CdxStartup, createCdxService } from "./cdx/service.js";
import { upsertTracked, withChange } from "./change-tracking.js";
import { openChannelDatabase } from "./channel-db.js";
import { openHqDatabase } from "./hq-db.js";
import { readState, writeState } from "./statements.js";

export type MasterData = Partial<Record<TableName, readonly Record<string, unknown>[]>>;

export interface ServerData {
  dataDir: string;
  hq: Db;
  /** store id (= channel database name) → its channel database. */
  channels: ReadonlyMap<string, Db>;
  /** Distribution (CDX): runs, sessions, channel applies. */
  cdx: CdxService;
  packagesDir: string;
  close(): void;
}

export interface OpenServerDataOptions {
  dataDir: string;
  clock: Clock;
  /** Called only when HQ is new: the sample company (or a benchmark's catalog). */
  fixtures: () => Promise<MasterData> | MasterData;
  /** Where package files go; default `<dataDir>/packages` (= `<home>/server/packages`). */
  packagesDir?: string;
  /** See CdxOptions.applyChannelAtOnce (default true). */
  applyChannelAtOnce?: boolean;
}

export interface OpenServerDataResult {
  data: ServerData;
  /** Rows loaded into a new HQ (0 when HQ already existed). */
  loadedRows: number;
  /** The start-up distribution: new databases, and the full packages new channel databases got (applied). */
  distribution: CdxStartup;
}

export function dataFiles(dataDir: string) {
  return {
    hqDb: join(dataDir, "hq.db"),
    channelDb: (store: string) => join(dataDir, `channel-${store}.db`),
    adminTokenFile: join(dataDir, "admin-token"),
  };
}

// Store ids become file names; anything else could escape the data folder.
const STORE_ID = /^[A-Za-z0-9_-]{1,64}$/;

export async function openServerData(options: OpenServerDataOptions): Promise<OpenServerDataResult> {
  const files = dataFiles(options.dataDir);
  const hq = openHqDatabase(files.hqDb);
  const channels = new Map<string, Db>();
  const close = () => {
    for (const db of channels.values()) if (db.open) db.close();
    if (hq.open) hq.close();
  };
  try {
    let loadedRows = 0;
    if (readState(hq, "server_state", "fixtures_loaded_at") === undefined) {
      loadedRows = loadMasterData(hq, await options.fixtures(), options.clock);
    }
    for (const { id } of hq.prepare("SELECT id FROM stores ORDER BY id").all() as { id: string }[]) {
      if (!STORE_ID.test(id)) throw new Error(`store id "${id}" cannot name a channel database file`);
      channels.set(id, openChannelDatabase(files.channelDb(id)));
    }
    const packagesDir = options.packagesDir ?? join(options.dataDir, "packages");
    const cdx = createCdxService({
      hq,
      channels,
      clock: options.clock,
      packagesDir,
      ...(options.applyChannelAtOnce === undefined ? {} : { applyChannelAtOnce: options.applyChannelAtOnce }),
    });
    // Channel databases get master data only through packages, the first ones included (no seeding from HQ).
    const distribution = await cdx.startup();
    return { data: { dataDir: options.dataDir, hq, channels, cdx, packagesDir, close }, loadedRows, distribution };
  } catch (error) {
    close();
    throw error;
  }
}

/** Loads master data into HQ as one change (every row gets the same change version). */
export function loadMasterData(hq: Db, data: MasterData, clock: Clock): number {
  return withChange(hq, (version) => {
    let count = 0;
    for (const table of TABLE_NAMES) {
      const columns = Object.keys(TABLES[table].columns);
      for (const source of data[table] ?? []) {
        const row: Row = {};
        for (const column of columns) row[column] = toRowValue(source[column]);
        upsertTracked(hq, table, row, version);
        count++;
      }
    }
    writeState(hq, "server_state", "fixtures_loaded_at", new Date(clock.now()).toISOString());
    return count;
  });
}
