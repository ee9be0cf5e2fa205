// What `pos register list|show` report about the registers under a home: config (no secrets) and local state.
import type { Clock } from "../lib/clock.js";
import type { Paths } from "../lib/paths.js";
import { listRegisterIds, readRegisterConfig } from "./config.js";
import { registerStatus } from "./status.js";

export interface LocalRegisterInfo {
  register: string;
  store: string;
  serverUrl: string;
  supportsOffline: boolean;
  database: string | null;
  provisionedAt: string;
  mode: string;
  modeSince: string;
  pending: number;
  inDoubt: number;
  conflicts: number;
  offlineDbBytes: number;
  /** "ok", or what is wrong with offline.db. */
  integrity: string;
}

/** The same reading as `pos status` (without probing the server), so the two never disagree. */
export async function showLocalRegister(paths: Paths, clock: Clock, registerId: string): Promise<LocalRegisterInfo> {
  const config = readRegisterConfig(paths, registerId);
  const status = await registerStatus({ paths, clock, registerId, probe: false });
  return {
    register: config.registerId,
    store: config.store,
    serverUrl: config.serverUrl,
    supportsOffline: config.supportsOffline,
    database: config.database,
    provisionedAt: config.provisionedAt,
    mode: status.mode,
    modeSince: status.since,
    pending: status.pending.count,
    inDoubt: status.inDoubt.length,
    conflicts: status.conflicts,
    offlineDbBytes: status.database.sizeBytes,
    integrity: status.database.integrity,
  };
}

export async function listLocalRegisters(paths: Paths, clock: Clock): Promise<LocalRegisterInfo[]> {
  const out: LocalRegisterInfo[] = [];
  for (const id of listRegisterIds(paths)) out.push(await showLocalRegister(paths, clock, id));
  return out;
}
