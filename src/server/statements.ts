// Small helpers for the server's databases: ISO times and the key/value state tables.
import { type Db, prepared } from "../lib/db.js";

export function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}

/** One value of a `(key, value)` state table (server_state in hq.db, channel_state in a channel database). */
export function readState(db: Db, table: "server_state" | "channel_state", key: string): string | undefined {
  const row = prepared<unknown[], { value: string }>(db, `SELECT value FROM ${table} WHERE key = ?`).get(key);
  return row?.value;
}

export function writeState(db: Db, table: "server_state" | "channel_state", key: string, value: string): void {
  prepared(db, `INSERT OR REPLACE INTO ${table} (key, value) VALUES (?, ?)`).run(key, value);
}
