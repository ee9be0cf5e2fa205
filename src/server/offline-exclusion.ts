// Which download jobs an offline database does not receive: its register's offline profile's data exclusion.
import type { ChannelDatabase } from "../lib/api-sync.js";
import { type Db, prepared } from "../lib/db.js";
import type { DownloadJobId } from "../schema/tables.js";
import { excludedJobsOf } from "../sync/package/exclusion.js";

/** Channel databases (the store's) always get everything; only registers' offline databases can be excluded from. */
export function excludedJobsFor(hq: Db, database: Pick<ChannelDatabase, "kind" | "register">): DownloadJobId[] {
  if (database.kind !== "offline" || !database.register) return [];
  const row = prepared(
    hq,
    `SELECT p.offline_data_exclusion AS excluded FROM registers r
       JOIN offline_profiles p ON p.id = r.offline_profile_id WHERE r.id = ?`,
  ).get(database.register) as { excluded: string | null } | undefined;
  return excludedJobsOf(row?.excluded);
}
