// Prepared statements cached per database handle, so hot routes never re-prepare SQL.
import type { Statement } from "better-sqlite3";
import type { Db } from "../lib/db.js";

const statements = new WeakMap<Db, Map<string, Statement>>();

export function prepared(db: Db, sql: string): Statement {
  let cache = statements.get(db);
  if (!cache) {
    cache = new Map();
    statements.set(db, cache);
  }
  let statement = cache.get(sql);
  if (!statement) {
    statement = db.prepare(sql);
    cache.set(sql, statement);
  }
  return statement;
}

export function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}

/** Like `prepared`, for statements that return the first column's value (pluck mode is per statement). */
export function preparedPluck(db: Db, sql: string): Statement {
  return prepared(db, `-- pluck\n${sql}`).pluck();
}
