// HQ writes with change tracking: one version bump per change, rows stamped with it, deletes leave tombstones.
import { type Db, prepared, preparedPluck } from "../lib/db.js";
import { type Row, TABLES, type TableName } from "../schema/tables.js";

export function currentChangeVersion(db: Db): number {
  return (prepared(db, "SELECT version FROM change_tracking WHERE id = 1").get() as { version: number }).version;
}

/**
 * Runs `change` in one write transaction with a freshly bumped change version, so a change is all-or-nothing
 * and every row it touched carries the same version.
 */
export function withChange<T>(db: Db, change: (version: number) => T): T {
  return db
    .transaction(() => {
      const { version } = prepared(
        db,
        "UPDATE change_tracking SET version = version + 1 WHERE id = 1 RETURNING version",
      ).get() as {
        version: number;
      };
      return change(version);
    })
    .immediate();
}

/** The key columns of a row, in key order: the tombstone key and the package `delete` key. */
export function keyOf(table: TableName, row: Row): Row {
  const key: Row = {};
  for (const column of TABLES[table].key) key[column] = row[column] ?? null;
  return key;
}

export function keyJson(table: TableName, row: Row): string {
  return JSON.stringify(keyOf(table, row));
}

/**
 * Tables whose store membership (TABLES[t].forStore) hangs on a non-key column, so a row can leave a store
 * while it still exists: staff (store access list) and registers (store_id). Elsewhere the store is part of
 * the key and a row never moves.
 */
const MOVABLE_TABLES: ReadonlySet<TableName> = new Set(["staff", "registers"]);

/** Inserts or replaces a row stamped with `version`; a tombstone for the same key is dropped (the row is back). */
export function upsertTracked(db: Db, table: TableName, row: Row, version: number): void {
  if (MOVABLE_TABLES.has(table)) recordDepartures(db, table, row, version);
  const columns = Object.keys(TABLES[table].columns);
  const sql = `INSERT OR REPLACE INTO ${table} (${columns.join(", ")}, change_version) VALUES (${columns.map(() => "?").join(", ")}, ?)`;
  prepared(db, sql).run(...columns.map((c) => row[c] ?? null), version);
  prepared(db, "DELETE FROM tombstones WHERE table_name = ? AND key_json = ?").run(table, keyJson(table, row));
}

/** Deletes a row and records its tombstone; false when there was no such row. */
export function deleteTracked(db: Db, table: TableName, key: Row, version: number): boolean {
  const def = TABLES[table];
  const where = def.key.map((c) => `${c} = ?`).join(" AND ");
  const values = def.key.map((c) => key[c] ?? null);
  const existing = prepared(db, `SELECT * FROM ${table} WHERE ${where}`).get(...values) as Row | undefined;
  if (!existing) return false;
  prepared(db, `DELETE FROM ${table} WHERE ${where}`).run(...values);
  const { change_version: _dropped, ...row } = existing;
  prepared(
    db,
    "INSERT OR REPLACE INTO tombstones (table_name, key_json, row_json, change_version) VALUES (?, ?, ?, ?)",
  ).run(table, keyJson(table, existing), JSON.stringify(row), version);
  return true;
}

/** One row by key (with its change_version), or undefined. */
export function findTracked(db: Db, table: TableName, key: Row): (Row & { change_version: number }) | undefined {
  const def = TABLES[table];
  const where = def.key.map((c) => `${c} = ?`).join(" AND ");
  return prepared(db, `SELECT * FROM ${table} WHERE ${where}`).get(...def.key.map((c) => key[c] ?? null)) as
    | (Row & { change_version: number })
    | undefined;
}

/**
 * A row that leaves a store is not deleted at HQ, so no tombstone tells that store's databases to drop it: a
 * departure (table, key, store, version) does, and an incremental package sends it as a delete. Coming back to
 * the store removes the departure (the upsert carries the row again).
 */
function recordDepartures(db: Db, table: TableName, row: Row, version: number): void {
  const forStore = TABLES[table].forStore;
  if (!forStore) return;
  const key = keyJson(table, row);
  const existing = findTracked(db, table, keyOf(table, row));
  const stores = preparedPluck(db, "SELECT id FROM stores").all() as string[];
  for (const store of stores) {
    if (forStore(row, store)) {
      prepared(db, "DELETE FROM departures WHERE table_name = ? AND key_json = ? AND store_id = ?").run(
        table,
        key,
        store,
      );
    } else if (existing && forStore(existing, store)) {
      prepared(
        db,
        "INSERT OR REPLACE INTO departures (table_name, key_json, store_id, change_version) VALUES (?, ?, ?, ?)",
      ).run(table, key, store, version);
    }
  }
}
