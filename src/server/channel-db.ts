// Channel database schema (server/channel-<store>.db): the store's master data and the transactions it received.
import { type Db, type Migration, openDatabase } from "../lib/db.js";
import { addMissingColumns } from "../schema/tables.js";
import { TARGET_COLUMNS_UPGRADE, TARGET_MIGRATIONS } from "../schema/target.js";

/**
 * Numbered migrations (index + 1 = user_version); append, never edit a shipped one.
 * `transactions.replication_counter` grows by one per stored transaction (AUTOINCREMENT never reuses a value),
 * so the P-0001 upload to HQ can send "everything after counter X" exactly once.
 */
export const CHANNEL_MIGRATIONS: readonly Migration[] = [
  // 1: master-data tables + applied_sessions, as every package target has them.
  ...TARGET_MIGRATIONS,
  `CREATE TABLE channel_state (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE INDEX barcodes_product ON barcodes (product_id);`,
  `CREATE TABLE transactions (
  replication_counter INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  store_id TEXT NOT NULL,
  register_id TEXT NOT NULL,
  staff_id TEXT NOT NULL,
  customer_id TEXT,
  currency TEXT NOT NULL,
  total_minor INTEGER NOT NULL,
  created_at TEXT NOT NULL,
  received_at TEXT NOT NULL,
  mode TEXT NOT NULL,
  content_hash TEXT NOT NULL,
  body TEXT NOT NULL
);
CREATE TABLE transaction_conflicts (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  transaction_id TEXT NOT NULL,
  register_id TEXT NOT NULL,
  stored_hash TEXT NOT NULL,
  incoming_hash TEXT NOT NULL,
  incoming_body TEXT NOT NULL,
  first_received_at TEXT NOT NULL,
  last_received_at TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  UNIQUE (transaction_id, incoming_hash)
);`,
  // 4: the highest number a register used, asked for when it is provisioned again (numbers never repeat).
  "CREATE INDEX transactions_register ON transactions (register_id, id);",
  // 5: slow-server switching and offline data exclusion fields of the offline profile (nullable: off).
  TARGET_COLUMNS_UPGRADE,
  // 6: returns name the sale they give back (the server checks what is left to return); carts suspended at the
  // store, recalled once (see src/server/channel-carts.ts).
  `ALTER TABLE transactions ADD COLUMN return_of TEXT;
CREATE INDEX transactions_return_of ON transactions (return_of) WHERE return_of IS NOT NULL;
CREATE TABLE suspended_carts (
  id TEXT PRIMARY KEY,
  store_id TEXT NOT NULL,
  register_id TEXT NOT NULL,
  staff_id TEXT NOT NULL,
  suspended_at TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('suspended', 'recalled')),
  recalled_at TEXT,
  recalled_by TEXT,
  body TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX suspended_carts_store ON suspended_carts (store_id, status);`,
  // 7: the store's customer async mode (nullable: off).
  addMissingColumns("stores"),
];

// NORMAL (see hq-db.ts): WAL + NORMAL keeps every acknowledged upload across a process kill.
export function openChannelDatabase(file: string): Db {
  return openDatabase(file, { migrations: CHANNEL_MIGRATIONS, synchronous: "NORMAL" });
}
