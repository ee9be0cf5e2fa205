// The register's local database (offline.db): master data from packages plus the register's own tables.
import { type Db, openDatabase } from "../lib/db.js";
import { addMissingColumns } from "./tables.js";
import { TARGET_COLUMNS_UPGRADE, TARGET_MIGRATIONS } from "./target.js";

/**
 * Register-local tables, after the master-data target migrations. Every register keeps this file (the
 * transaction number sequence, the pending-upload queue and the sync log live here); master-data tables
 * are only filled for a register that supports offline.
 */
const REGISTER_MIGRATIONS = [
  `CREATE TABLE number_sequence (
     register_id TEXT PRIMARY KEY,
     -- every number below reserved_to has been handed out or lost to a crash; never reused
     reserved_to INTEGER NOT NULL
   );
   CREATE TABLE transactions (
     id TEXT PRIMARY KEY,
     seq INTEGER NOT NULL,
     store_id TEXT NOT NULL,
     staff_id TEXT NOT NULL,
     customer_id TEXT,
     total INTEGER NOT NULL,
     currency TEXT NOT NULL,
     mode TEXT NOT NULL,
     created_at TEXT NOT NULL,
     -- pending: stored offline, not yet confirmed by the server; uploaded: server confirmed;
     -- online: the server stored it at checkout; conflict: the server holds different content (409)
     status TEXT NOT NULL CHECK (status IN ('pending', 'uploaded', 'online', 'conflict')),
     status_at TEXT NOT NULL,
     message TEXT,
     body TEXT NOT NULL
   );
   CREATE INDEX transactions_status ON transactions (status, seq);
   CREATE TABLE offline_customers (
     temp_id TEXT PRIMARY KEY,
     name TEXT NOT NULL,
     email TEXT,
     phone TEXT,
     created_at TEXT NOT NULL,
     status TEXT NOT NULL CHECK (status IN ('pending', 'uploaded')),
     hq_id TEXT
   );
   CREATE TABLE sync_log (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     kind TEXT NOT NULL CHECK (kind IN ('download', 'upload')),
     started_at TEXT NOT NULL,
     finished_at TEXT,
     result TEXT NOT NULL CHECK (result IN ('running', 'ok', 'failed', 'nothing')),
     message TEXT,
     sessions INTEGER NOT NULL DEFAULT 0,
     rows INTEGER NOT NULL DEFAULT 0,
     transactions INTEGER NOT NULL DEFAULT 0,
     bytes INTEGER NOT NULL DEFAULT 0
   );
   CREATE INDEX sync_log_kind ON sync_log (kind, id);
   CREATE TABLE logon_failures (
     staff_id TEXT PRIMARY KEY,
     failures INTEGER NOT NULL,
     blocked_at TEXT
   );`,
  // In doubt: sent to the server, whose answer never came; kept until resolved (re-sent, the server is idempotent).
  // used_to: every number up to it went to a transaction or is recorded in number_gaps; holder_pid: the process
  // holding the numbers between used_to and reserved_to (a dead holder means they were lost: a recorded gap).
  `CREATE TABLE transactions_v2 (
     id TEXT PRIMARY KEY,
     seq INTEGER NOT NULL,
     store_id TEXT NOT NULL,
     staff_id TEXT NOT NULL,
     customer_id TEXT,
     total INTEGER NOT NULL,
     currency TEXT NOT NULL,
     mode TEXT NOT NULL,
     created_at TEXT NOT NULL,
     status TEXT NOT NULL CHECK (status IN ('in-doubt', 'pending', 'uploaded', 'online', 'conflict')),
     status_at TEXT NOT NULL,
     message TEXT,
     body TEXT NOT NULL
   );
   INSERT INTO transactions_v2 SELECT id, seq, store_id, staff_id, customer_id, total, currency, mode, created_at,
     status, status_at, message, body FROM transactions;
   DROP TABLE transactions;
   ALTER TABLE transactions_v2 RENAME TO transactions;
   CREATE INDEX transactions_status ON transactions (status, seq);
   ALTER TABLE number_sequence ADD COLUMN used_to INTEGER NOT NULL DEFAULT 0;
   ALTER TABLE number_sequence ADD COLUMN holder_pid INTEGER;
   UPDATE number_sequence SET used_to = reserved_to;
   CREATE TABLE number_gaps (
     first INTEGER NOT NULL,
     last INTEGER NOT NULL,
     recorded_at TEXT NOT NULL,
     reason TEXT NOT NULL
   );`,
  // How each upload conflict (409) was settled, by whom it cannot say but when and to what: never silently dropped.
  `CREATE TABLE conflict_resolutions (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     transaction_id TEXT NOT NULL,
     action TEXT NOT NULL CHECK (action IN ('void', 'resend')),
     -- the new number the sale was queued under (resend), null for void
     new_id TEXT,
     resolved_at TEXT NOT NULL,
     -- the server's reason for refusing it, and the refused content as it was
     message TEXT,
     body TEXT NOT NULL
   );`,
  // Slow-server switching and offline data exclusion fields of the offline profile (nullable: off).
  TARGET_COLUMNS_UPGRADE,
  // Returns name the sale they give back (what is left to return is checked offline against this register's own
  // sales). Suspended carts: kept here when suspended offline (recalled only on this register); a cart suspended
  // online is kept at the server and only its id is recorded here, so ids never repeat.
  `ALTER TABLE transactions ADD COLUMN return_of TEXT;
   CREATE INDEX transactions_return_of ON transactions (return_of) WHERE return_of IS NOT NULL;
   CREATE TABLE suspended_carts (
     id TEXT PRIMARY KEY,
     kept TEXT NOT NULL CHECK (kept IN ('offline', 'server')),
     staff_id TEXT NOT NULL,
     suspended_at TEXT NOT NULL,
     status TEXT NOT NULL CHECK (status IN ('suspended', 'recalled')),
     recalled_at TEXT,
     body TEXT NOT NULL
   );`,
  // The store's customer async mode (nullable: off).
  addMissingColumns("stores"),
];

export function offlineMigrations() {
  return [...TARGET_MIGRATIONS, ...REGISTER_MIGRATIONS];
}

/**
 * synchronous=FULL: a completed sale must survive a power cut, not only a process kill; transaction numbers
 * are reserved in blocks so each sale still costs one fsync (see README, "Durability").
 */
export function openOfflineDatabase(file: string): Db {
  return openDatabase(file, { migrations: offlineMigrations(), synchronous: "FULL" });
}
