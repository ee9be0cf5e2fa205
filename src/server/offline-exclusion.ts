// Which download jobs an offline database does not receive: its register's offline profile's data exclusion.
import type { ChannelDatabase } from "../lib/api-sync.js";
import type { DownloadJobId } from "../schema/tables.js";
import { excludedJobsOf } from "../sync/package/exclusion.js";
import type { HqStore } from "./hq/store.js";

/** Channel databases (the store's) always get everything; only registers' offline databases can be excluded from. */
export async function excludedJobsFor(
  hq: HqStore,
  database: Pick<ChannelDatabase, "kind" | "register">,
): Promise<DownloadJobId[]> {
  if (database.kind !== "offline" || !database.register) return [];
  return excludedJobsOf(await hq.distribution.offlineExclusion(database.register));
}
