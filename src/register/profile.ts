// The register's offline profile settings (SPEC §2), read from its offline database with the D365 defaults.
import type { OfflineStore } from "../offline/offline-store.js";
import type { DownloadJobId } from "../schema/tables.js";
import { excludedJobsOf } from "../sync/package/exclusion.js";

/** SPEC §2 offline profile, in its own units (timeout seconds; reconnect/health check minutes; sync seconds). */
export interface ProfileSettings {
  /** The offline profile these settings came from (absent: the defaults, no profile in the offline database). */
  id?: string;
  timeoutInterval: number;
  reconnectInterval: number;
  allowManualOfflineBeforeSignIn: boolean;
  advancedOfflineSwitching: boolean;
  healthCheckInterval: number;
  downloadInterval: number;
  uploadInterval: number;
  /** Slow-server switching: answers slower than this many ms count; 0 = off. */
  slowResponseThreshold: number;
  /** That many slow answers in a row switch the register offline; 0 = off. */
  slowResponseCount: number;
  /** Offline data exclusion: download jobs the offline database does not receive. */
  offlineDataExclusion: DownloadJobId[];
}

export const DEFAULT_PROFILE: ProfileSettings = {
  timeoutInterval: 5,
  reconnectInterval: 1,
  allowManualOfflineBeforeSignIn: false,
  advancedOfflineSwitching: false,
  healthCheckInterval: 1,
  downloadInterval: 60,
  uploadInterval: 60,
  slowResponseThreshold: 0,
  slowResponseCount: 0,
  offlineDataExclusion: [],
};

export function profileFromDatabase(local: OfflineStore, registerId: string): ProfileSettings {
  const register = local.register(registerId);
  const row = register ? local.profile(register.offline_profile_id) : undefined;
  if (!row) return { ...DEFAULT_PROFILE };
  return {
    id: String(row.id),
    timeoutInterval: Number(row.timeout_interval),
    reconnectInterval: Number(row.reconnect_interval),
    allowManualOfflineBeforeSignIn: Number(row.allow_manual_offline_before_sign_in) === 1,
    advancedOfflineSwitching: Number(row.advanced_offline_switching) === 1,
    healthCheckInterval: Number(row.health_check_interval),
    downloadInterval: Number(row.download_interval),
    uploadInterval: Number(row.upload_interval),
    // Absent in a database last filled by an older server: slow switching off, nothing excluded.
    slowResponseThreshold: Number(row.slow_response_threshold ?? 0),
    slowResponseCount: Number(row.slow_response_count ?? 0),
    offlineDataExclusion: excludedJobsOf(
      row.offline_data_exclusion === null || row.offline_data_exclusion === undefined
        ? null
        : String(row.offline_data_exclusion),
    ),
  };
}
