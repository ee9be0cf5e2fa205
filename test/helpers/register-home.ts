// A provisioned register for e2e tests: the real `pos register provision`, then its offline database filled with
// the sample company's master data (what `--sync` will do once the distribution schedule can be run).
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { defaultFixturesDir, loadFixtures } from "../../src/lib/fixtures.js";
import { createPaths } from "../../src/lib/paths.js";
import { openOfflineDatabase } from "../../src/schema/offline.js";
import { TABLE_NAMES, TABLES } from "../../src/schema/tables.js";
import { runPos } from "./cli.js";

export interface ProvisionOptions {
  /** Fill the offline database so the register can sell offline (default true). */
  seedOffline?: boolean;
  /** Offline profile fields to override in the seeded database, e.g. { timeout_interval: 1 }. */
  profile?: Record<string, number>;
}

export async function provisionTestRegister(
  home: string,
  serverUrl: string,
  registerId: string,
  options: ProvisionOptions = {},
): Promise<void> {
  const result = await runPos(["register", "provision", registerId, "--server", serverUrl], { home });
  if (result.code !== 0) throw new Error(`provision failed (${result.code}):\n${result.stdout}\n${result.stderr}`);
  if (options.seedOffline === false) return;
  const store = registerId.split("-")[0] ?? "";
  const db = openOfflineDatabase(createPaths(home).offlineDb(registerId));
  try {
    const data = loadFixtures(defaultFixturesDir());
    db.transaction(() => {
      for (const table of TABLE_NAMES) {
        const def = TABLES[table];
        const columns = Object.keys(def.columns);
        const insert = db.prepare(
          `INSERT OR REPLACE INTO ${table} (${columns.join(", ")}) VALUES (${columns.map(() => "?").join(", ")})`,
        );
        for (const row of data[table]) {
          if (def.forStore && !def.forStore(row, store)) continue;
          insert.run(...columns.map((c) => row[c] ?? null));
        }
      }
      for (const [field, value] of Object.entries(options.profile ?? {})) {
        db.prepare(`UPDATE offline_profiles SET ${field} = ?`).run(value);
      }
    })();
  } finally {
    db.close();
  }
}

/**
 * Moves the register's connection state back in time by `ms`, as if that long had passed since it went
 * offline or last tried the server: reconnect rules are tested without waiting in real time.
 */
export function ageConnectionState(home: string, registerId: string, ms: number): void {
  const file = join(home, "registers", registerId, "state.json");
  const state = JSON.parse(readFileSync(file, "utf8")) as Record<string, number | string | null>;
  for (const key of ["since", "lastReconnectAttempt", "healthyAt"]) {
    const value = state[key];
    if (typeof value === "number") state[key] = value - ms;
  }
  writeFileSync(file, JSON.stringify(state));
}
