// Channel databases as HQ sees them: each store's channel database and one `<register>-OFFLINE` per offline register.
import { type ChannelDatabase, UNFINISHED_STATUSES } from "../../lib/api-sync.js";
import { type Db, prepared, preparedPluck } from "../../lib/db.js";
import { notFound, validationFailed } from "../api-error.js";
import { cancelUnfinished, clearPackagedVersions } from "./sessions.js";

export type DatabaseKind = ChannelDatabase["kind"];

/** The register's offline database entity (SPEC §3). */
export function offlineDatabaseName(register: string): string {
  return `${register}-OFFLINE`;
}

interface EntityRow {
  name: string;
  kind: DatabaseKind;
  store_id: string;
  register_id: string | null;
  paused: number;
  created_at: string;
  removed_at: string | null;
  data_group: string | null;
  profile_paused: number | null;
}

const ENTITY_SELECT = `SELECT d.name, d.kind, d.store_id, d.register_id, d.paused, d.created_at, d.removed_at,
    s.data_group, p.pause_offline_sync AS profile_paused
  FROM channel_databases d
  LEFT JOIN stores s ON s.id = d.store_id
  LEFT JOIN registers r ON r.id = d.register_id
  LEFT JOIN offline_profiles p ON p.id = r.offline_profile_id`;

function toChannelDatabase(hq: Db, row: EntityRow): ChannelDatabase {
  const versions = prepared(hq, "SELECT job, packaged_version FROM distribution_versions WHERE database = ?")
    .all(row.name)
    .map((r) => r as { job: string; packaged_version: number });
  const pending = preparedPluck(
    hq,
    `SELECT COUNT(*) FROM download_sessions WHERE database = ? AND status IN (${UNFINISHED_STATUSES.map(() => "?").join(", ")})`,
  ).get(row.name, ...UNFINISHED_STATUSES) as number;
  return {
    name: row.name,
    kind: row.kind,
    store: row.store_id,
    register: row.register_id,
    dataGroup: row.data_group,
    paused: row.paused === 1,
    profilePaused: row.kind === "offline" && row.profile_paused === 1,
    createdAt: row.created_at,
    removedAt: row.removed_at,
    versions: Object.fromEntries(versions.map((v) => [v.job, v.packaged_version])),
    pending,
  };
}

/** Every database, channel databases first, then offline ones, each by name. */
export function listDatabases(hq: Db): ChannelDatabase[] {
  const rows = prepared<unknown[], EntityRow>(hq, `${ENTITY_SELECT} ORDER BY d.kind, d.name`).all();
  return rows.map((row) => toChannelDatabase(hq, row));
}

export function findDatabase(hq: Db, name: string): ChannelDatabase | undefined {
  const row = prepared<unknown[], EntityRow>(hq, `${ENTITY_SELECT} WHERE d.name = ?`).get(name);
  return row ? toChannelDatabase(hq, row) : undefined;
}

/** A database named on the command line or in a request: unknown names are bad input (400 → exit 2). */
export function requireDatabase(hq: Db, name: string): ChannelDatabase {
  const found = findDatabase(hq, name);
  if (!found) throw validationFailed(`database: no channel database ${name} (pos cdx databases lists them)`);
  return found;
}

/** Why the distribution schedule makes no sessions for a database now, or null. */
export function pauseReason(database: ChannelDatabase): string | null {
  if (database.removedAt) return `removed ${database.removedAt} (the register no longer supports offline)`;
  if (database.paused) return "paused (Pause data synchronization; pos cdx resume to resume)";
  if (database.profilePaused) return "pauseOfflineSync is on in the register's offline profile";
  return null;
}

/** Pause data synchronization on a database (D365's channel database setting). */
export function setPaused(hq: Db, name: string, paused: boolean): ChannelDatabase {
  const result = prepared(hq, "UPDATE channel_databases SET paused = ? WHERE name = ?").run(paused ? 1 : 0, name);
  if (result.changes === 0) throw notFound(`no channel database ${name} (pos cdx databases lists them)`);
  return findDatabase(hq, name) as ChannelDatabase;
}

export interface ReconcileResult {
  created: string[];
  removed: string[];
}

/**
 * Makes the entities match master data: a channel database per store, an offline database per register that
 * supports offline. Safe to run at every start.
 */
export function reconcileDatabases(hq: Db, now: string): ReconcileResult {
  return hq
    .transaction(() => {
      const result: ReconcileResult = { created: [], removed: [] };
      const stores = preparedPluck<unknown[], string>(hq, "SELECT id FROM stores ORDER BY id").all();
      for (const store of stores) {
        const inserted = prepared(
          hq,
          "INSERT OR IGNORE INTO channel_databases (name, kind, store_id, created_at) VALUES (?, 'channel', ?, ?)",
        ).run(store, store, now);
        if (inserted.changes > 0) result.created.push(store);
      }
      const registers = preparedPluck<unknown[], string>(hq, "SELECT id FROM registers ORDER BY id").all();
      const orphans = preparedPluck<unknown[], string>(
        hq,
        "SELECT register_id FROM channel_databases WHERE kind = 'offline' AND register_id NOT IN (SELECT id FROM registers)",
      ).all();
      for (const register of [...registers, ...orphans]) {
        const change = reconcileRegisterDatabase(hq, register, now);
        if (change === "created" || change === "re-added") result.created.push(offlineDatabaseName(register));
        if (change === "removed") result.removed.push(offlineDatabaseName(register));
      }
      return result;
    })
    .immediate();
}

export type RegisterDatabaseChange = "created" | "re-added" | "removed" | "unchanged";

/**
 * Creates, re-adds or removes a register's offline database after its *Supports offline* changed. A removed
 * database is kept (marked removed) so its sessions stay visible. A re-added one is a new database: its
 * unfinished sessions are canceled and its chains forgotten, so the first run makes one full package per job.
 */
export function reconcileRegisterDatabase(hq: Db, register: string, now: string): RegisterDatabaseChange {
  const name = offlineDatabaseName(register);
  const reg = prepared<unknown[], { store_id: string; supports_offline: number }>(
    hq,
    "SELECT store_id, supports_offline FROM registers WHERE id = ?",
  ).get(register);
  const entity = prepared<unknown[], { removed_at: string | null }>(
    hq,
    "SELECT removed_at FROM channel_databases WHERE name = ?",
  ).get(name);
  if (reg?.supports_offline === 1) {
    if (!entity) {
      prepared(
        hq,
        "INSERT INTO channel_databases (name, kind, store_id, register_id, created_at) VALUES (?, 'offline', ?, ?, ?)",
      ).run(name, reg.store_id, register, now);
      return "created";
    }
    prepared(hq, "UPDATE channel_databases SET store_id = ? WHERE name = ?").run(reg.store_id, name);
    if (entity.removed_at === null) return "unchanged";
    prepared(hq, "UPDATE channel_databases SET removed_at = NULL, created_at = ? WHERE name = ?").run(now, name);
    cancelUnfinished(hq, name, `canceled: ${name} was re-added ${now} and starts over with full packages`);
    clearPackagedVersions(hq, name);
    return "re-added";
  }
  if (!entity || entity.removed_at !== null) return "unchanged";
  prepared(hq, "UPDATE channel_databases SET removed_at = ? WHERE name = ?").run(now, name);
  cancelUnfinished(hq, name, `canceled: ${name} was removed ${now} (the register no longer supports offline)`);
  return "removed";
}
