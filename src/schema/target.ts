// The first migrations of every database that packages are applied to (channel and offline): frozen SQL.
import type { Migration } from "../lib/db.js";
import { addMissingColumns } from "./tables.js";

/**
 * Master-data tables (without HQ's change_version) and applied_sessions, as pos 0.1.0 shipped them. Literal
 * SQL on purpose: editing `TABLES` must never change a migration that has run on a register. A schema change
 * is a new migration of the database that needs it (CHANNEL_MIGRATIONS, REGISTER_MIGRATIONS), never an edit
 * here; test/unit/schema checks that the migrated tables still match `TABLES`.
 */
export const TARGET_MIGRATIONS: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS customers (id TEXT NOT NULL, name TEXT NOT NULL, email TEXT, phone TEXT, account_allowed INTEGER NOT NULL, PRIMARY KEY (id)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS products (id TEXT NOT NULL, name TEXT NOT NULL, tax_group TEXT NOT NULL, unit TEXT NOT NULL, active INTEGER NOT NULL, PRIMARY KEY (id)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS barcodes (barcode TEXT NOT NULL, product_id TEXT NOT NULL, PRIMARY KEY (barcode)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS prices (store_id TEXT NOT NULL, product_id TEXT NOT NULL, amount INTEGER NOT NULL, PRIMARY KEY (store_id, product_id)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS staff (id TEXT NOT NULL, name TEXT NOT NULL, role TEXT NOT NULL, password_hash TEXT NOT NULL, stores TEXT NOT NULL, permissions TEXT NOT NULL, PRIMARY KEY (id)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS stores (id TEXT NOT NULL, name TEXT NOT NULL, currency TEXT NOT NULL, decimals INTEGER NOT NULL, offline_customer_creation INTEGER NOT NULL, days_transactions_exist INTEGER NOT NULL, data_group TEXT NOT NULL, PRIMARY KEY (id)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS tax_groups (store_id TEXT NOT NULL, tax_group TEXT NOT NULL, name TEXT NOT NULL, rate_ppm INTEGER NOT NULL, PRIMARY KEY (store_id, tax_group)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS tenders (store_id TEXT NOT NULL, tender_id TEXT NOT NULL, name TEXT NOT NULL, kind TEXT NOT NULL, allowed_offline INTEGER NOT NULL, PRIMARY KEY (store_id, tender_id)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS registers (id TEXT NOT NULL, store_id TEXT NOT NULL, name TEXT NOT NULL, supports_offline INTEGER NOT NULL, offline_profile_id TEXT NOT NULL, receipt_mask TEXT NOT NULL, PRIMARY KEY (id)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS offline_profiles (id TEXT NOT NULL, name TEXT NOT NULL, timeout_interval REAL NOT NULL, reconnect_interval REAL NOT NULL, allow_manual_offline_before_sign_in INTEGER NOT NULL, advanced_offline_switching INTEGER NOT NULL, health_check_interval REAL NOT NULL, pause_offline_sync INTEGER NOT NULL, download_interval REAL NOT NULL, upload_interval REAL NOT NULL, PRIMARY KEY (id)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS applied_sessions (
  session INTEGER PRIMARY KEY,
  job TEXT NOT NULL,
  database TEXT NOT NULL,
  full INTEGER NOT NULL,
  from_version INTEGER NOT NULL,
  to_version INTEGER NOT NULL,
  rows TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  applied_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS applied_sessions_job ON applied_sessions (job, session);`,
];

/**
 * Nullable columns master-data tables gained after 0.1.0 (offline profile: slow-server switching, offline data
 * exclusion). Each target database appends this as a migration of its own (CHANNEL_MIGRATIONS,
 * REGISTER_MIGRATIONS); a bare target (tests, benchmarks) runs TARGET_MIGRATIONS and then it.
 */
export const TARGET_COLUMNS_UPGRADE: Migration = (db) => {
  addMissingColumns("offline_profiles")(db);
  // Databases that ran this migration before the stores column existed get it from a later one of their own.
  addMissingColumns("stores")(db);
};
