// What `pos register list|show` report about the registers under a home: config (no secrets) and local state.
import { existsSync, statSync } from "node:fs";
import type { Clock } from "../lib/clock.js";
import type { Paths } from "../lib/paths.js";
import { createOfflineStore } from "../offline/offline-store.js";
import { openOfflineDatabase } from "../schema/offline.js";
import { listRegisterIds, readRegisterConfig } from "./config.js";
import { createFileStateStore } from "./connection-state.js";

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
  conflicts: number;
  offlineDbBytes: number;
}

export function showLocalRegister(paths: Paths, clock: Clock, registerId: string): LocalRegisterInfo {
  const config = readRegisterConfig(paths, registerId);
  const state = createFileStateStore(`${paths.registerDir(registerId)}/state.json`, () => clock.now()).read();
  const file = paths.offlineDb(registerId);
  let pending = 0;
  let conflicts = 0;
  if (existsSync(file)) {
    const db = openOfflineDatabase(file);
    try {
      const local = createOfflineStore(db);
      pending = local.pendingSummary().count;
      conflicts = local.conflicts().length;
    } finally {
      db.close();
    }
  }
  const size = (f: string) => (existsSync(f) ? statSync(f).size : 0);
  return {
    register: config.registerId,
    store: config.store,
    serverUrl: config.serverUrl,
    supportsOffline: config.supportsOffline,
    database: config.database,
    provisionedAt: config.provisionedAt,
    mode: state.mode,
    modeSince: new Date(state.since).toISOString(),
    pending,
    conflicts,
    offlineDbBytes: size(file) + size(`${file}-wal`),
  };
}

export function listLocalRegisters(paths: Paths, clock: Clock): LocalRegisterInfo[] {
  return listRegisterIds(paths).map((id) => showLocalRegister(paths, clock, id));
}
