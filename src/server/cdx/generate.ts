// Writes one download session's package from an HQ snapshot: changed rows as upserts, tombstones/departures as deletes.
import { openDatabase } from "../../lib/db.js";
import { DOWNLOAD_JOBS, type DownloadJobId, type Row, TABLES, type TableName } from "../../schema/tables.js";
import { createPackageWriter, type PackageWriteResult } from "../../sync/package/writer.js";

/** Where a run's snapshot of HQ is read: the SQLite file, or the PostgreSQL database (the thread connects itself). */
export type HqSource = { engine: "sqlite"; file: string } | { engine: "postgres"; url: string };

/**
 * One consistent view of HQ for a whole run: every package of it sees the same state while the server keeps
 * taking edits and requests. `query` streams rows: SQLite iterates its read transaction; PostgreSQL fetches from
 * a cursor in a REPEATABLE READ READ ONLY transaction, a batch at a time — never a whole table in memory.
 */
export interface HqSnapshot {
  /** change_tracking.version in the snapshot: every package of the run ends here. */
  version: number;
  query(sql: string, params: readonly unknown[]): Iterable<Row> | AsyncIterable<Row>;
  close(): Promise<void>;
}

export async function openHqSnapshot(source: HqSource): Promise<HqSnapshot> {
  if (source.engine === "postgres") return (await import("../hq/pg-snapshot.js")).openPgSnapshot(source.url);
  return openSqliteSnapshot(source.file);
}

function openSqliteSnapshot(hqFile: string): HqSnapshot {
  const db = openDatabase(hqFile, { readonly: true });
  try {
    db.exec("BEGIN");
    const version = db.prepare("SELECT version FROM change_tracking WHERE id = 1").pluck().get() as number;
    return {
      version,
      query: (sql, params) => db.prepare(sql).iterate(...params) as IterableIterator<Row>,
      close: async () => {
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
export async function writeSessionPackage(snapshot: HqSnapshot, plan: PackagePlan): Promise<PackageWriteResult> {
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
        for await (const key of deletedKeys(snapshot, table, plan)) {
          if (!writer.delete(table, key)) await writer.drained();
        }
      }
      const rows = changedRows(snapshot, table, plan);
      // SQLite's rows come synchronously: a plain loop keeps the per-row cost of the common case low.
      if (Symbol.iterator in rows) {
        for (const row of rows) {
          if (forStore && !forStore(row, plan.store)) continue;
          if (!writer.upsert(table, row)) await writer.drained();
        }
      } else {
        for await (const row of rows) {
          if (forStore && !forStore(row, plan.store)) continue;
          if (!writer.upsert(table, row)) await writer.drained();
        }
      }
    }
  } catch (error) {
    await writer.abort();
    throw error;
  }
  return writer.close();
}

function changedRows(snapshot: HqSnapshot, table: TableName, plan: PackagePlan): Iterable<Row> | AsyncIterable<Row> {
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
  return snapshot.query(sql, params);
}

async function* deletedKeys(snapshot: HqSnapshot, table: TableName, plan: PackagePlan): AsyncGenerator<Row> {
  const forStore = TABLES[table].forStore;
  const tombstones = snapshot.query(
    "SELECT key_json, row_json FROM tombstones WHERE table_name = ? AND change_version > ? ORDER BY key_json",
    [table, plan.fromVersion],
  );
  for await (const t of tombstones) {
    if (forStore && !forStore(JSON.parse(String(t.row_json)) as Row, plan.store)) continue;
    yield JSON.parse(String(t.key_json)) as Row;
  }
  if (!forStore) return;
  const departures = snapshot.query(
    "SELECT key_json FROM departures WHERE table_name = ? AND store_id = ? AND change_version > ? ORDER BY key_json",
    [table, plan.store, plan.fromVersion],
  );
  for await (const d of departures) yield JSON.parse(String(d.key_json)) as Row;
}
