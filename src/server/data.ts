// Opens the server's databases under its data folder; loads fixtures into a new HQ; distributes to new channel databases.
import { join } from "node:path";
import type { Clock } from "../lib/clock.js";
import type { Db } from "../lib/db.js";
import { type Row, TABLE_NAMES, TABLES, type TableName, toRowValue } from "../schema/tables.js";
import { type CdxService, type CdxStartup, createCdxService } from "./cdx/service.js";
import { openChannelDatabase } from "./channel-db.js";
import type { HqStore } from "./hq/store.js";

export type MasterData = Partial<Record<TableName, readonly Record<string, unknown>[]>>;

export interface ServerData {
  dataDir: string;
  /** HQ's storage (SQLite hq.db by default, PostgreSQL with --database). */
  hq: HqStore;
  /** store id (= channel database name) → its channel database. */
  channels: ReadonlyMap<string, Db>;
  /** Distribution (CDX): runs, sessions, channel applies. */
  cdx: CdxService;
  packagesDir: string;
  /**
   * Opens (creating) the channel database of a store added at runtime, and serves it from now on; undefined on
   * an HQ that holds no channel databases (its store server opens it).
   */
  openChannel(store: string): Db | undefined;
  close(): Promise<void>;
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
  /** HQ on PostgreSQL (postgres://…); absent: SQLite `<dataDir>/hq.db`. */
  database?: string | undefined;
  /**
   * False (`--role hq`): no channel database is opened here; their sessions stay Available for the store servers
   * that pull them. Default true (`--role all`).
   */
  holdChannels?: boolean;
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

/** HQ's store: PostgreSQL when a URL is given, else SQLite in the data folder. */
export async function openHqStore(dataDir: string, database?: string): Promise<HqStore> {
  if (database !== undefined) return (await import("./hq/postgres.js")).openPostgresHq(database);
  return (await import("./hq/sqlite.js")).openSqliteHq(dataFiles(dataDir).hqDb);
}

export async function openServerData(options: OpenServerDataOptions): Promise<OpenServerDataResult> {
  const files = dataFiles(options.dataDir);
  const hq = await openHqStore(options.dataDir, options.database);
  const channels = new Map<string, Db>();
  const close = async () => {
    for (const db of channels.values()) if (db.open) db.close();
    await hq.close();
  };
  try {
    let loadedRows = 0;
    if ((await hq.state.get("fixtures_loaded_at")) === undefined) {
      loadedRows = await loadMasterData(hq, await options.fixtures(), options.clock);
    }
    const holdChannels = options.holdChannels ?? true;
    for (const store of holdChannels ? await hq.masterData.rows("stores") : []) {
      const id = String(store.id);
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
    const openChannel = (store: string): Db | undefined => {
      if (!holdChannels) return undefined;
      const open = channels.get(store);
      if (open) return open;
      if (!STORE_ID.test(store)) throw new Error(`store id "${store}" cannot name a channel database file`);
      const db = openChannelDatabase(files.channelDb(store));
      channels.set(store, db);
      return db;
    };
    return {
      data: { dataDir: options.dataDir, hq, channels, cdx, packagesDir, openChannel, close },
      loadedRows,
      distribution,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/** Loads master data into HQ as one change (every row gets the same change version). */
export function loadMasterData(hq: HqStore, data: MasterData, clock: Clock): Promise<number> {
  return hq.masterData.change(async (writer) => {
    let count = 0;
    for (const table of TABLE_NAMES) {
      const columns = Object.keys(TABLES[table].columns);
      for (const source of data[table] ?? []) {
        const row: Row = {};
        for (const column of columns) row[column] = toRowValue(source[column]);
        await writer.upsert(table, row);
        count++;
      }
    }
    // Inside the change: fixtures and the mark that they are loaded commit together.
    await writer.setState("fixtures_loaded_at", new Date(clock.now()).toISOString());
    return count;
  });
}
