// Channel and offline databases as HQ records them (the CDX targets), over Sql.
import { type ChannelDatabase, UNFINISHED_STATUSES } from "../../lib/api-sync.js";
import { offlineDatabaseName } from "../cdx/databases.js";
import { cancelUnfinished } from "./distribution.js";
import { column, type Sql, scalar } from "./sql.js";
import type { RegisterDatabaseChange } from "./store.js";

interface EntityRow {
  name: string;
  kind: ChannelDatabase["kind"];
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

async function toChannelDatabase(sql: Sql, row: EntityRow): Promise<ChannelDatabase> {
  const versions = await sql.all<{ job: string; packaged_version: number }>(
    "SELECT job, packaged_version FROM distribution_versions WHERE database = ? ORDER BY job",
    [row.name],
  );
  const pending =
    (await scalar<number>(
      sql,
      `SELECT COUNT(*) FROM download_sessions WHERE database = ? AND status IN (${UNFINISHED_STATUSES.map(() => "?").join(", ")})`,
      [row.name, ...UNFINISHED_STATUSES],
    )) ?? 0;
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
export async function listDatabases(sql: Sql): Promise<ChannelDatabase[]> {
  const rows = await sql.all<EntityRow>(`${ENTITY_SELECT} ORDER BY d.kind, d.name`);
  const out: ChannelDatabase[] = [];
  for (const row of rows) out.push(await toChannelDatabase(sql, row));
  return out;
}

export async function findDatabase(sql: Sql, name: string): Promise<ChannelDatabase | undefined> {
  const row = await sql.get<EntityRow>(`${ENTITY_SELECT} WHERE d.name = ?`, [name]);
  return row ? toChannelDatabase(sql, row) : undefined;
}

export async function setPaused(sql: Sql, name: string, paused: boolean): Promise<ChannelDatabase | undefined> {
  const changed = await sql.run("UPDATE channel_databases SET paused = ? WHERE name = ?", [paused ? 1 : 0, name]);
  return changed === 0 ? undefined : findDatabase(sql, name);
}

export function reconcileDatabases(sql: Sql, now: string): Promise<{ created: string[]; removed: string[] }> {
  return sql.transaction(async (tx) => {
    const result = { created: [] as string[], removed: [] as string[] };
    for (const store of await column<string>(tx, "SELECT id FROM stores ORDER BY id")) {
      const inserted = await tx.run(
        `INSERT INTO channel_databases (name, kind, store_id, created_at) VALUES (?, 'channel', ?, ?)
         ON CONFLICT (name) DO NOTHING`,
        [store, store, now],
      );
      if (inserted > 0) result.created.push(store);
    }
    const registers = await column<string>(tx, "SELECT id FROM registers ORDER BY id");
    const orphans = await column<string>(
      tx,
      "SELECT register_id FROM channel_databases WHERE kind = 'offline' AND register_id NOT IN (SELECT id FROM registers) ORDER BY register_id",
    );
    for (const register of [...registers, ...orphans]) {
      const change = await reconcileRegisterDatabase(tx, register, now);
      if (change === "created" || change === "re-added") result.created.push(offlineDatabaseName(register));
      if (change === "removed") result.removed.push(offlineDatabaseName(register));
    }
    return result;
  });
}

/**
 * Creates, re-adds or removes a register's offline database after its *Supports offline* changed. A removed
 * database is kept (marked removed) so its sessions stay visible. A re-added one is a new database: its
 * unfinished sessions are canceled and its chains forgotten, so the first run makes one full package per job.
 */
export function reconcileRegisterDatabase(sql: Sql, register: string, now: string): Promise<RegisterDatabaseChange> {
  return sql.transaction(async (tx) => {
    const name = offlineDatabaseName(register);
    const reg = await tx.get<{ store_id: string; supports_offline: number }>(
      "SELECT store_id, supports_offline FROM registers WHERE id = ?",
      [register],
    );
    const entity = await tx.get<{ removed_at: string | null }>(
      "SELECT removed_at FROM channel_databases WHERE name = ?",
      [name],
    );
    if (reg?.supports_offline === 1) {
      if (!entity) {
        await tx.run(
          "INSERT INTO channel_databases (name, kind, store_id, register_id, created_at) VALUES (?, 'offline', ?, ?, ?)",
          [name, reg.store_id, register, now],
        );
        return "created";
      }
      await tx.run("UPDATE channel_databases SET store_id = ? WHERE name = ?", [reg.store_id, name]);
      if (entity.removed_at === null) return "unchanged";
      await tx.run("UPDATE channel_databases SET removed_at = NULL, created_at = ? WHERE name = ?", [now, name]);
      await cancelUnfinished(tx, name, `canceled: ${name} was re-added ${now} and starts over with full packages`);
      await tx.run("DELETE FROM distribution_versions WHERE database = ?", [name]);
      return "re-added";
    }
    if (!entity || entity.removed_at !== null) return "unchanged";
    await tx.run("UPDATE channel_databases SET removed_at = ? WHERE name = ?", [now, name]);
    await cancelUnfinished(tx, name, `canceled: ${name} was removed ${now} (the register no longer supports offline)`);
    return "removed";
  });
}

export async function offlineExclusion(sql: Sql, register: string): Promise<string | null> {
  const row = await sql.get<{ excluded: string | null }>(
    `SELECT p.offline_data_exclusion AS excluded FROM registers r
       JOIN offline_profiles p ON p.id = r.offline_profile_id WHERE r.id = ?`,
    [register],
  );
  return row?.excluded ?? null;
}
