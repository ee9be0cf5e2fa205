// HQ on SQLite (the embedded default): hq.db in the server's data folder, migrations by user_version (hq-db.ts).
import type { Db } from "../../lib/db.js";
import { openHqDatabase } from "../hq-db.js";
import { assembleHqStore } from "./assemble.js";
import { sqliteSql } from "./sqlite-sql.js";
import type { HqStore } from "./store.js";

/** The SQLite store also hands out its connection, for tests that look at rows directly. */
export interface SqliteHqStore extends HqStore {
  readonly db: Db;
}

export function openSqliteHq(file: string): SqliteHqStore {
  const db = openHqDatabase(file);
  const store = assembleHqStore({
    sql: sqliteSql(db),
    location: file,
    source: db.memory ? undefined : { engine: "sqlite", file: db.name },
    close: async () => {
      if (db.open) db.close();
    },
  });
  return Object.assign(store, { db });
}

/** The connection of a SQLite HQ (tests); undefined on PostgreSQL. */
export function sqliteDbOf(store: HqStore): Db | undefined {
  return (store as Partial<SqliteHqStore>).db;
}
