// HQ database schema (server/hq.db): master data with change tracking, devices, sign-in state, register status.
import { type Db, type Migration, openDatabase } from "../lib/db.js";
import { addMissingColumns, masterDataDdl } from "../sync/package/tables.js";
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
  `${masterDataDdl({ changeVersion: true })}
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
  // 4: slow-server switching fields of the offline profile (nullable: off).
  addMissingColumns("offline_profiles"),
  // 5: customers created offline, waiting for HQ's async customer job (src/server/async-customers.ts).
  ASYNC_CUSTOMERS_DDL,
];

// NORMAL: with WAL a commit survives a killed process (what `kill -TERM`/crash tests exercise); only a power cut
// can lose the last commits, and HQ edits can be redone. FULL would cost one fsync per upload batch and edit.
export function openHqDatabase(file: string): Db {
  return openDatabase(file, { migrations: HQ_MIGRATIONS, synchronous: "NORMAL" });
}
