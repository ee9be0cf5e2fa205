// Channel databases as HQ sees them: each store's channel database and one `<register>-OFFLINE` per offline register.
import type { ChannelDatabase } from "../../lib/api-sync.js";
import { notFound, validationFailed } from "../api-error.js";
import type { HqStore } from "../hq/store.js";

export type DatabaseKind = ChannelDatabase["kind"];

/** The register's offline database entity (SPEC §3). */
export function offlineDatabaseName(register: string): string {
  return `${register}-OFFLINE`;
}

/** A database named on the command line or in a request: unknown names are bad input (400 → exit 2). */
export async function requireDatabase(hq: HqStore, name: string): Promise<ChannelDatabase> {
  const found = await hq.distribution.findDatabase(name);
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
export async function setPaused(hq: HqStore, name: string, paused: boolean): Promise<ChannelDatabase> {
  const database = await hq.distribution.setPaused(name, paused);
  if (!database) throw notFound(`no channel database ${name} (pos cdx databases lists them)`);
  return database;
}
