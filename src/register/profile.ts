// The register's offline profile settings (SPEC §2), read from its offline database with the D365 defaults.
import type { OfflineStore } from "../offline/offline-store.js";

/** SPEC §2 offline profile, in its own units (timeout seconds; reconnect/health check minutes; sync seconds). */
export interface ProfileSettings {
  timeoutInterval: number;
  reconnectInterval: number;
  allowManualOfflineBeforeSignIn: boolean;
  advancedOfflineSwitching: boolean;
  healthCheckInterval: number;
  downloadInterval: number;
  uploadInterval: number;
}

export const DEFAULT_PROFILE: ProfileSettings = {
  timeoutInterval: 5,
  reconnectInterval: 1,
  allowManualOfflineBeforeSignIn: false,
  advancedOfflineSwitching: false,
  healthCheckInterval: 1,
  downloadInterval: 60,
  uploadInterval: 60,
};

export function profileFromDatabase(local: OfflineStore, registerId: string): ProfileSettings {
  const register = local.register(registerId);
  const row = register ? local.profile(register.offline_profile_id) : undefined;
  if (!row) return { ...DEFAULT_PROFILE };
  return {
    timeoutInterval: Number(row.timeout_interval),
    reconnectInterval: Number(row.reconnect_interval),
    allowManualOfflineBeforeSignIn: Number(row.allow_manual_offline_before_sign_in) === 1,
    advancedOfflineSwitching: Number(row.advanced_offline_switching) === 1,
    healthCheckInterval: Number(row.health_check_interval),
    downloadInterval: Number(row.download_interval),
    uploadInterval: Number(row.upload_interval),
  };
}
