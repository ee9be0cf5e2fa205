// Master data with change tracking over Sql: one version bump per change, rows stamped, tombstones and departures.
import { type Row, TABLE_NAMES, TABLES, type TableName } from "../../schema/tables.js";
import { column, type Sql, scalar } from "./sql.js";
import type { Departure, MasterDataStore, Tombstone, TrackedRow, TrackedWriter } from "./store.js";

/** The key columns of a row, in key order: the tombstone key and the package `delete` key. */
export function keyOf(table: TableName, row: Row): Row {
  const key: Row = {};
  for (const c of TABLES[table].key) key[c] = row[c] ?? null;
  return key;
}

export function keyJson(table: TableName, row: Row): string {
  return JSON.stringify(keyOf(table, row));
}

/**
 * Tables whose store membership (TABLES[t].forStore) hangs on a non-key column, so a row can leave a store while
 * it still exists: staff (store access list) and registers (store_id). Elsewhere the store is part of the key.
 */
const MOVABLE_TABLES: ReadonlySet<TableName> = new Set(["staff", "registers"]);

const columnsOf = (table: TableName) => Object.keys(TABLES[table].columns);

/** Columns named in `where` must be the table's (they are spliced into SQL). */
function whereOf(table: TableName, where: Row = {}): { sql: string; params: unknown[] } {
  const known = new Set([...columnsOf(table), "change_version"]);
  const entries = Object.entries(where);
  for (const [c] of entries) if (!known.has(c)) throw new Error(`${table} has no column ${c}`);
  if (entries.length === 0) return { sql: "", params: [] };
  return {
    sql: ` WHERE ${entries.map(([c, v]) => (v === null ? `${c} IS NULL` : `${c} = ?`)).join(" AND ")}`,
    params: entries.filter(([, v]) => v !== null).map(([, v]) => v),
  };
}

export function findTracked(sql: Sql, table: TableName, key: Row): Promise<TrackedRow | undefined> {
  const where = TABLES[table].key.map((c) => `${c} = ?`).join(" AND ");
  return sql.get<TrackedRow>(
    `SELECT * FROM ${table} WHERE ${where}`,
    TABLES[table].key.map((c) => key[c] ?? null),
  );
}

export function trackedRows(sql: Sql, table: TableName, where?: Row): Promise<TrackedRow[]> {
  const w = whereOf(table, where);
  return sql.all<TrackedRow>(`SELECT * FROM ${table}${w.sql} ORDER BY ${TABLES[table].key.join(", ")}`, w.params);
}

/** Inserts or updates a row stamped with `version` (ON CONFLICT DO UPDATE); a tombstone for its key is dropped. */
export async function upsertTracked(sql: Sql, table: TableName, row: Row, version: number): Promise<void> {
  if (MOVABLE_TABLES.has(table)) await recordDepartures(sql, table, row, version);
  const columns = columnsOf(table);
  const key = TABLES[table].key;
  const updates = [...columns.filter((c) => !key.includes(c)), "change_version"].map((c) => `${c} = excluded.${c}`);
  await sql.run(
    `INSERT INTO ${table} (${columns.join(", ")}, change_version) VALUES (${columns.map(() => "?").join(", ")}, ?)
     ON CONFLICT (${key.join(", ")}) DO UPDATE SET ${updates.join(", ")}`,
    [...columns.map((c) => row[c] ?? null), version],
  );
  await sql.run("DELETE FROM tombstones WHERE table_name = ? AND key_json = ?", [table, keyJson(table, row)]);
}

export async function deleteTracked(sql: Sql, table: TableName, key: Row, version: number): Promise<boolean> {
  const def = TABLES[table];
  const where = def.key.map((c) => `${c} = ?`).join(" AND ");
  const values = def.key.map((c) => key[c] ?? null);
  const existing = await sql.get<TrackedRow>(`SELECT * FROM ${table} WHERE ${where}`, values);
  if (!existing) return false;
  await sql.run(`DELETE FROM ${table} WHERE ${where}`, values);
  const { change_version: _dropped, ...row } = existing;
  await sql.run(
    `INSERT INTO tombstones (table_name, key_json, row_json, change_version) VALUES (?, ?, ?, ?)
     ON CONFLICT (table_name, key_json) DO UPDATE SET row_json = excluded.row_json, change_version = excluded.change_version`,
    [table, keyJson(table, existing), JSON.stringify(row), version],
  );
  return true;
}

/**
 * A row that leaves a store is not deleted at HQ, so no tombstone tells that store's databases to drop it: a
 * departure (table, key, store, version) does. Coming back to the store removes the departure.
 */
async function recordDepartures(sql: Sql, table: TableName, row: Row, version: number): Promise<void> {
  const forStore = TABLES[table].forStore;
  if (!forStore) return;
  const key = keyJson(table, row);
  const existing = await findTracked(sql, table, keyOf(table, row));
  const stores = await column<string>(sql, "SELECT id FROM stores ORDER BY id");
  for (const store of stores) {
    if (forStore(row, store)) {
      await sql.run("DELETE FROM departures WHERE table_name = ? AND key_json = ? AND store_id = ?", [
        table,
        key,
        store,
      ]);
    } else if (existing && forStore(existing, store)) {
      await sql.run(
        `INSERT INTO departures (table_name, key_json, store_id, change_version) VALUES (?, ?, ?, ?)
         ON CONFLICT (table_name, key_json, store_id) DO UPDATE SET change_version = excluded.change_version`,
        [table, key, store, version],
      );
    }
  }
}

// Customer account numbers are six-digit numbers (004001…); a new one follows the highest all-digit id in use.
async function nextCustomerId(sql: Sql): Promise<string> {
  const highest =
    sql.engine === "postgres"
      ? await scalar<number | null>(sql, "SELECT MAX(CAST(id AS NUMERIC)) FROM customers WHERE id ~ '^[0-9]+$'")
      : await scalar<number | null>(
          sql,
          "SELECT MAX(CAST(id AS INTEGER)) FROM customers WHERE id NOT GLOB '*[^0-9]*' AND id <> ''",
        );
  return String((highest ?? 0) + 1).padStart(6, "0");
}

export function currentVersion(sql: Sql): Promise<number> {
  return scalar<number>(sql, "SELECT version FROM change_tracking WHERE id = 1") as Promise<number>;
}

/**
 * The bump is the change's first write: on PostgreSQL it takes the counter row's lock until commit, so writers
 * get versions in the order they commit (a reader never sees version n+1 committed while n is still open).
 * On SQLite BEGIN IMMEDIATE already serialises writers.
 */
export function withChange<T>(sql: Sql, work: (writer: TrackedWriter) => Promise<T>): Promise<T> {
  return sql.transaction(async (tx) => {
    const version = (await scalar<number>(
      tx,
      "UPDATE change_tracking SET version = version + 1 WHERE id = 1 RETURNING version",
    )) as number;
    return work(writerFor(tx, version));
  });
}

function writerFor(tx: Sql, version: number): TrackedWriter {
  return {
    version,
    find: (table, key) => findTracked(tx, table, key),
    rows: (table, where) => trackedRows(tx, table, where),
    upsert: (table, row) => upsertTracked(tx, table, row, version),
    delete: (table, key) => deleteTracked(tx, table, key, version),
    nextCustomerId: () => nextCustomerId(tx),
    setState: async (key, value) => {
      await tx.run(
        "INSERT INTO server_state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        [key, value],
      );
    },
  };
}

export function masterDataStore(sql: Sql): MasterDataStore {
  return {
    currentVersion: () => currentVersion(sql),
    change: (work) => withChange(sql, work),
    find: (table, key) => findTracked(sql, table, key),
    rows: (table, where) => trackedRows(sql, table, where),
    async changesSince(version) {
      const rows: Partial<Record<TableName, TrackedRow[]>> = {};
      for (const table of TABLE_NAMES) {
        const changed = await sql.all<TrackedRow>(
          `SELECT * FROM ${table} WHERE change_version > ? ORDER BY change_version, ${TABLES[table].key.join(", ")}`,
          [version],
        );
        if (changed.length) rows[table] = changed;
      }
      const tombstones = (
        await sql.all<{ table_name: TableName; key_json: string; row_json: string; change_version: number }>(
          "SELECT * FROM tombstones WHERE change_version > ? ORDER BY change_version, table_name, key_json",
          [version],
        )
      ).map(
        (t): Tombstone => ({
          table: t.table_name,
          key: JSON.parse(t.key_json) as Row,
          row: JSON.parse(t.row_json) as Row,
          changeVersion: t.change_version,
        }),
      );
      const departures = (
        await sql.all<{ table_name: TableName; key_json: string; store_id: string; change_version: number }>(
          "SELECT * FROM departures WHERE change_version > ? ORDER BY change_version, table_name, key_json, store_id",
          [version],
        )
      ).map(
        (d): Departure => ({
          table: d.table_name,
          key: JSON.parse(d.key_json) as Row,
          store: d.store_id,
          changeVersion: d.change_version,
        }),
      );
      return { rows, tombstones, departures };
    },
  };
}
