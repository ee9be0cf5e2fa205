// Writes one download session's package from an HQ snapshot: changed rows as upserts, tombstones/departures as deletes.
import { type Db, openDatabase } from "../../lib/db.js";
import { DOWNLOAD_JOBS, type DownloadJobId, type Row, TABLES, type TableName } from "../../schema/tables.js";
import { createPackageWriter, type PackageWriteResult } from "../../sync/package/writer.js";

/**
 * A read-only connection inside one read transaction: every package of a run sees the same HQ state (WAL
 * snapshot), while the server's own connection keeps taking edits and requests. It also keeps better-sqlite3's
 * "connection busy while an iterator is open" rule away from the server's connection while rows stream.
 */
export interface HqSnapshot {
  db: Db;
  /** change_tracking.version in the snapshot: every package of the run ends here. */
  version: number;
  close(): void;
}

export function openHqSnapshot(hqFile: string): HqSnapshot {
  const db = openDatabase(hqFile, { readonly: true });
  try {
    db.exec("BEGIN");
    const version = db.prepare("SELECT version FROM change_tracking WHERE id = 1").pluck().get() as number;
    return {
      db,
      version,
      close: () => {
        if (db.inTransaction) db.exec("COMMIT");
        db.close();
      },
    };
  } catch (error) {
    db.close();
    throw error;
  }
}

export interface PackagePlan {
  session: number;
  job: DownloadJobId;
  database: string;
  /** The store whose rows the database receives (TABLES[t].forStore). */
  store: string;
  full: boolean;
  fromVersion: number;
  toVersion: number;
  file: string;
}

/**
 * SQL pre-filters equivalent to forStore for tables keyed by store: they let SQLite skip other stores' rows
 * (half of a two-store catalog's prices) instead of building and discarding them. forStore still decides.
 */
const STORE_COLUMN: Partial<Record<TableName, string>> = {
  prices: "store_id",
  tax_groups: "store_id",
  tenders: "store_id",
  registers: "store_id",
  stores: "id",
};

/**
 * Writes the package. Full: every row of the job's tables for the store. Incremental: deletes first (tombstones
 * whose deleted row belonged to the store; departures of rows that left the store), then rows with
 * change_version > fromVersion. The header's counts come from the writer, which assembles header + body.
 */
export async function writeSessionPackage(snapshot: Db, plan: PackagePlan): Promise<PackageWriteResult> {
  const writer = createPackageWriter(plan.file, {
    session: plan.session,
    job: plan.job,
    database: plan.database,
    full: plan.full,
    fromVersion: plan.fromVersion,
    toVersion: plan.toVersion,
  });
  try {
    for (const table of DOWNLOAD_JOBS[plan.job].tables as readonly TableName[]) {
      const forStore = TABLES[table].forStore;
      if (!plan.full) {
        for (const key of deletedKeys(snapshot, table, plan)) {
          if (!writer.delete(table, key)) await writer.drained();
        }
      }
      for (const row of changedRows(snapshot, table, plan)) {
        if (forStore && !forStore(row, plan.store)) continue;
        if (!writer.upsert(table, row)) await writer.drained();
      }
    }
  } catch (error) {
    await writer.abort();
    throw error;
  }
  return writer.close();
}

function changedRows(snapshot: Db, table: TableName, plan: PackagePlan): IterableIterator<Row> {
  const columns = Object.keys(TABLES[table].columns).join(", ");
  const where: string[] = [];
  const params: (string | number)[] = [];
  if (!plan.full) {
    where.push("change_version > ?");
    params.push(plan.fromVersion);
  }
  const storeColumn = STORE_COLUMN[table];
  if (storeColumn) {
    where.push(`${storeColumn} = ?`);
    params.push(plan.store);
  }
  const sql = `SELECT ${columns} FROM ${table}${where.length ? ` WHERE ${where.join(" AND ")}` : ""}`;
  return snapshot.prepare(sql).iterate(...params) as IterableIterator<Row>;
}

function* deletedKeys(snapshot: Db, table: TableName, plan: PackagePlan): Generator<Row> {
  const forStore = TABLES[table].forStore;
  const tombstones = snapshot
    .prepare("SELECT key_json, row_json FROM tombstones WHERE table_name = ? AND change_version > ?")
    .iterate(table, plan.fromVersion) as IterableIterator<{ key_json: string; row_json: string }>;
  for (const t of tombstones) {
    if (forStore && !forStore(JSON.parse(t.row_json) as Row, plan.store)) continue;
    yield JSON.parse(t.key_json) as Row;
  }
  if (!forStore) return;
  const departures = snapshot
    .prepare("SELECT key_json FROM departures WHERE table_name = ? AND store_id = ? AND change_version > ?")
    .pluck()
    .iterate(table, plan.store, plan.fromVersion) as IterableIterator<string>;
  for (const key of departures) yield JSON.parse(key) as Row;
}
