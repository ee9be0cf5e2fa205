// HQ database schema (server/hq.db): master data with change tracking, devices, sign-in state, register status.
import { type Db, type Migration, openDatabase } from "../lib/db.js";
import { addMissingColumns } from "../schema/tables.js";
import { ASYNC_CUSTOMERS_DDL } from "./async-customers.js";

/**
 * Numbered migrations (index + 1 = user_version); append, never edit a shipped one.
 * Distribution (3): `channel_databases` are the CDX targets; `distribution_versions` is how far each target's chain
 * of packages of a job reaches (absent = never packaged: the next run makes a full package); `departures` are
 * rows that left a store without being deleted (staff store access, a register's store), sent to that store as
 * deletes; `download_sessions` / `upload_sessions` as SPEC §3; `hq_transactions` is what P-0001 brought to HQ.
 * Change tracking: `change_tracking.version` is the one global counter; every write bumps it once and stamps
 * the rows it touches; a delete leaves a tombstone (table, key json, deleted row) with the version of the delete,
 * so "what changed since X" = rows with change_version > X + tombstones with change_version > X.
 */
export const HQ_MIGRATIONS: readonly Migration[] = [
  // 1: frozen as pos 0.1.0 shipped it (master-data tables with change_version); never regenerate from TABLES.
  `CREATE TABLE IF NOT EXISTS customers (id TEXT NOT NULL, name TEXT NOT NULL, email TEXT, phone TEXT, account_allowed INTEGER NOT NULL, change_version INTEGER NOT NULL, PRIMARY KEY (id)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS customers_change_version ON customers (change_version);
CREATE TABLE IF NOT EXISTS products (id TEXT NOT NULL, name TEXT NOT NULL, tax_group TEXT NOT NULL, unit TEXT NOT NULL, active INTEGER NOT NULL, change_version INTEGER NOT NULL, PRIMARY KEY (id)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS products_change_version ON products (change_version);
CREATE TABLE IF NOT EXISTS barcodes (barcode TEXT NOT NULL, product_id TEXT NOT NULL, change_version INTEGER NOT NULL, PRIMARY KEY (barcode)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS barcodes_change_version ON barcodes (change_version);
CREATE TABLE IF NOT EXISTS prices (store_id TEXT NOT NULL, product_id TEXT NOT NULL, amount INTEGER NOT NULL, change_version INTEGER NOT NULL, PRIMARY KEY (store_id, product_id)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS prices_change_version ON prices (change_version);
CREATE TABLE IF NOT EXISTS staff (id TEXT NOT NULL, name TEXT NOT NULL, role TEXT NOT NULL, password_hash TEXT NOT NULL, stores TEXT NOT NULL, permissions TEXT NOT NULL, change_version INTEGER NOT NULL, PRIMARY KEY (id)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS staff_change_version ON staff (change_version);
CREATE TABLE IF NOT EXISTS stores (id TEXT NOT NULL, name TEXT NOT NULL, currency TEXT NOT NULL, decimals INTEGER NOT NULL, offline_customer_creation INTEGER NOT NULL, days_transactions_exist INTEGER NOT NULL, data_group TEXT NOT NULL, change_version INTEGER NOT NULL, PRIMARY KEY (id)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS stores_change_version ON stores (change_version);
CREATE TABLE IF NOT EXISTS tax_groups (store_id TEXT NOT NULL, tax_group TEXT NOT NULL, name TEXT NOT NULL, rate_ppm INTEGER NOT NULL, change_version INTEGER NOT NULL, PRIMARY KEY (store_id, tax_group)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS tax_groups_change_version ON tax_groups (change_version);
CREATE TABLE IF NOT EXISTS tenders (store_id TEXT NOT NULL, tender_id TEXT NOT NULL, name TEXT NOT NULL, kind TEXT NOT NULL, allowed_offline INTEGER NOT NULL, change_version INTEGER NOT NULL, PRIMARY KEY (store_id, tender_id)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS tenders_change_version ON tenders (change_version);
CREATE TABLE IF NOT EXISTS registers (id TEXT NOT NULL, store_id TEXT NOT NULL, name TEXT NOT NULL, supports_offline INTEGER NOT NULL, offline_profile_id TEXT NOT NULL, receipt_mask TEXT NOT NULL, change_version INTEGER NOT NULL, PRIMARY KEY (id)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS registers_change_version ON registers (change_version);
CREATE TABLE IF NOT EXISTS offline_profiles (id TEXT NOT NULL, name TEXT NOT NULL, timeout_interval REAL NOT NULL, reconnect_interval REAL NOT NULL, allow_manual_offline_before_sign_in INTEGER NOT NULL, advanced_offline_switching INTEGER NOT NULL, health_check_interval REAL NOT NULL, pause_offline_sync INTEGER NOT NULL, download_interval REAL NOT NULL, upload_interval REAL NOT NULL, change_version INTEGER NOT NULL, PRIMARY KEY (id)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS offline_profiles_change_version ON offline_profiles (change_version);
CREATE TABLE change_tracking (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL);
INSERT INTO change_tracking (id, version) VALUES (1, 0);
CREATE TABLE tombstones (
  table_name TEXT NOT NULL,
  key_json TEXT NOT NULL,
  row_json TEXT NOT NULL,
  change_version INTEGER NOT NULL,
  PRIMARY KEY (table_name, key_json)
) WITHOUT ROWID;
CREATE INDEX tombstones_change_version ON tombstones (change_version);
CREATE TABLE server_state (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE INDEX barcodes_product ON barcodes (product_id);
CREATE INDEX prices_product ON prices (product_id);`,
  `CREATE TABLE devices (
  register_id TEXT PRIMARY KEY,
  store_id TEXT NOT NULL,
  token_hash TEXT NOT NULL UNIQUE,
  activated_at TEXT NOT NULL,
  activations INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE staff_logon (
  staff_id TEXT PRIMARY KEY,
  failed_attempts INTEGER NOT NULL,
  last_failure_at TEXT,
  blocked_at TEXT
) WITHOUT ROWID;
CREATE TABLE register_offline_status (
  register_id TEXT PRIMARY KEY,
  store_id TEXT NOT NULL,
  mode TEXT NOT NULL,
  manual INTEGER NOT NULL,
  pending_count INTEGER NOT NULL,
  db_size_bytes INTEGER NOT NULL,
  status_json TEXT NOT NULL,
  reported_at TEXT NOT NULL
) WITHOUT ROWID;`,
  // 3: distribution (CDX). See src/server/cdx/*.
  `CREATE TABLE channel_databases (
  name TEXT PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('channel', 'offline')),
  store_id TEXT NOT NULL,
  register_id TEXT,
  paused INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  removed_at TEXT
) WITHOUT ROWID;
CREATE TABLE download_sessions (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  job TEXT NOT NULL,
  database TEXT NOT NULL,
  status TEXT NOT NULL,
  message TEXT,
  full INTEGER NOT NULL,
  from_version INTEGER NOT NULL,
  to_version INTEGER NOT NULL,
  rows_json TEXT NOT NULL DEFAULT '{}',
  size INTEGER NOT NULL DEFAULT 0,
  sha256 TEXT NOT NULL DEFAULT '',
  file TEXT,
  attempts INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  requested_at TEXT,
  downloaded_at TEXT,
  applied_at TEXT
);
CREATE INDEX download_sessions_database ON download_sessions (database, id);
CREATE INDEX download_sessions_status ON download_sessions (status);
CREATE TABLE distribution_versions (
  database TEXT NOT NULL,
  job TEXT NOT NULL,
  packaged_version INTEGER NOT NULL,
  PRIMARY KEY (database, job)
) WITHOUT ROWID;
CREATE TABLE departures (
  table_name TEXT NOT NULL,
  key_json TEXT NOT NULL,
  store_id TEXT NOT NULL,
  change_version INTEGER NOT NULL,
  PRIMARY KEY (table_name, key_json, store_id)
) WITHOUT ROWID;
CREATE INDEX departures_change_version ON departures (table_name, store_id, change_version);
CREATE TABLE upload_sessions (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  store_id TEXT NOT NULL,
  status TEXT NOT NULL,
  message TEXT,
  from_counter INTEGER NOT NULL,
  to_counter INTEGER NOT NULL,
  transactions INTEGER NOT NULL,
  customers INTEGER NOT NULL,
  inserted INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  applied_at TEXT
);
CREATE TABLE upload_progress (
  store_id TEXT PRIMARY KEY,
  uploaded_counter INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE hq_transactions (
  id TEXT PRIMARY KEY,
  store_id TEXT NOT NULL,
  register_id TEXT NOT NULL,
  staff_id TEXT NOT NULL,
  customer_id TEXT,
  currency TEXT NOT NULL,
  total_minor INTEGER NOT NULL,
  created_at TEXT NOT NULL,
  mode TEXT NOT NULL,
  content_hash TEXT NOT NULL,
  body TEXT NOT NULL,
  replication_counter INTEGER NOT NULL,
  upload_session INTEGER NOT NULL,
  uploaded_at TEXT NOT NULL
) WITHOUT ROWID;`,
  // 4: packages shared by the databases of a store (data group distribution). package: the id in the file's
  // header (the first session made for it); package_scope: the store whose rows it carries.
  `ALTER TABLE download_sessions ADD COLUMN package INTEGER;
ALTER TABLE download_sessions ADD COLUMN package_scope TEXT;`,
  // 5: slow-server switching and offline data exclusion fields of the offline profile (nullable: off).
  addMissingColumns("offline_profiles"),
  // 6: customers created offline, waiting for HQ's async customer job (src/server/async-customers.ts).
  ASYNC_CUSTOMERS_DDL,
  // 7: the store's customer async mode (nullable: off).
  addMissingColumns("stores"),
];

// NORMAL: with WAL a commit survives a killed process (what `kill -TERM`/crash tests exercise); only a power cut
// can lose the last commits, and HQ edits can be redone. FULL would cost one fsync per upload batch and edit.
export function openHqDatabase(file: string): Db {
  return openDatabase(file, { migrations: HQ_MIGRATIONS, synchronous: "NORMAL" });
}
