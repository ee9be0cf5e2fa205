// A store server's own database (store.db in its home): the device tokens it accepts and staff sign-in lockout.
import { type Db, openDatabase, prepared } from "../../lib/db.js";
import type { Device } from "../devices.js";
import { staffLogonStore } from "../hq/register-facing.js";
import { sqliteSql } from "../hq/sqlite-sql.js";
import type { StaffLogonStore } from "../hq/store.js";

/** Numbered migrations (index + 1 = user_version); append, never edit a shipped one. */
const STORE_MIGRATIONS = [
  `CREATE TABLE devices (
  register_id TEXT PRIMARY KEY,
  store_id TEXT NOT NULL,
  token_hash TEXT NOT NULL UNIQUE,
  activated_at TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE staff_logon (staff_id TEXT PRIMARY KEY, failed_attempts INTEGER NOT NULL, last_failure_at TEXT, blocked_at TEXT);`,
];

export interface StoreLocal {
  /** Keeps the hash of a token HQ issued: the register's previous token stops working here at once. */
  keepDevice(device: Device, tokenHash: string, activatedAt: string): void;
  authenticate(tokenHash: string): Device | undefined;
  /** A token HQ no longer accepts (revoked by an activation elsewhere): refused here from now on. */
  forgetToken(tokenHash: string): void;
  /** Every kept token hash, with its register and store. */
  devices(): { tokenHash: string; register: string; store: string }[];
  readonly staffLogon: StaffLogonStore;
  close(): void;
}

export function openStoreLocal(file: string): StoreLocal {
  const db: Db = openDatabase(file, { migrations: STORE_MIGRATIONS });
  return {
    keepDevice(device, tokenHash, activatedAt) {
      db.transaction(() => {
        // A hash is unique: another register's row holding it (never, with random tokens) would be replaced.
        prepared(db, "DELETE FROM devices WHERE token_hash = ? AND register_id <> ?").run(tokenHash, device.register);
        prepared(
          db,
          `INSERT INTO devices (register_id, store_id, token_hash, activated_at) VALUES (?, ?, ?, ?)
           ON CONFLICT (register_id) DO UPDATE SET store_id = excluded.store_id, token_hash = excluded.token_hash,
             activated_at = excluded.activated_at`,
        ).run(device.register, device.store, tokenHash, activatedAt);
      })();
    },
    authenticate(tokenHash) {
      const row = prepared<unknown[], { register_id: string; store_id: string }>(
        db,
        "SELECT register_id, store_id FROM devices WHERE token_hash = ?",
      ).get(tokenHash);
      return row ? { register: row.register_id, store: row.store_id } : undefined;
    },
    forgetToken(tokenHash) {
      prepared(db, "DELETE FROM devices WHERE token_hash = ?").run(tokenHash);
    },
    devices() {
      return prepared<[], { tokenHash: string; register: string; store: string }>(
        db,
        "SELECT token_hash AS tokenHash, register_id AS register, store_id AS store FROM devices ORDER BY register_id",
      ).all();
    },
    staffLogon: staffLogonStore(sqliteSql(db)),
    close() {
      if (db.open) db.close();
    },
  };
}
