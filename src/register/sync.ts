// Sync for one provisioned register: opens its config, database and a device-token client around pull / push.
import { join } from "node:path";
import type { Clock } from "../lib/clock.js";
import type { Db } from "../lib/db.js";
import { UsageError } from "../lib/errors.js";
import type { HttpClient } from "../lib/http.js";
import { createHttpClient } from "../lib/http.js";
import type { Paths } from "../lib/paths.js";
import { createOfflineStore } from "../offline/offline-store.js";
import { openOfflineDatabase } from "../schema/offline.js";
import { type PullProgress, type PullResult, pull } from "../sync/pull.js";
import { type PushResult, push } from "../sync/push.js";
import { type RegisterConfig, readRegisterConfig } from "./config.js";
import { createFileStateStore } from "./connection-state.js";
import { offlineStatusReport, reportOfflineStatus } from "./offline-status.js";
import { connectionStateFile } from "./runtime.js";

export interface RegisterSyncOptions {
  paths: Paths;
  clock: Clock;
  registerId: string;
  timeoutMs?: number;
}

/** Opens the register's config, database and a device-token client around one sync round, then reports to HQ. */
async function withRegister<T>(
  options: RegisterSyncOptions,
  round: (parts: { config: RegisterConfig; db: Db; http: HttpClient }) => Promise<T>,
): Promise<T> {
  const config = readRegisterConfig(options.paths, options.registerId);
  const db = openOfflineDatabase(options.paths.offlineDb(options.registerId));
  const http = createHttpClient({
    baseUrl: config.serverUrl,
    token: config.deviceToken,
    timeoutMs: options.timeoutMs ?? 30_000,
  });
  try {
    return await round({ config, db, http });
  } finally {
    await reportStatus(options, http, db);
    http.close();
    db.close();
  }
}

export async function pullRegister(
  options: RegisterSyncOptions & { onProgress?: (event: PullProgress) => void },
): Promise<PullResult> {
  const config = readRegisterConfig(options.paths, options.registerId);
  const database = config.database;
  if (!database) {
    throw new UsageError(
      `register ${options.registerId} is online only: it has no offline database to pull into`,
      "RealtimeServiceNotSupported",
      `provision it with offline support: pos register provision ${options.registerId} --sync`,
    );
  }
  return withRegister(options, ({ db, http }) =>
    pull({
      http,
      db,
      clock: options.clock,
      database,
      workDir: join(options.paths.registerDir(options.registerId), "downloads"),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    }),
  );
}

/** Each sync round tells HQ the register's offline status (`pos cdx registers`); a failed report changes nothing. */
async function reportStatus(options: RegisterSyncOptions, http: HttpClient, db: Db): Promise<void> {
  const { paths, clock, registerId } = options;
  try {
    const state = createFileStateStore(connectionStateFile(paths, registerId), () => clock.now()).read();
    await reportOfflineStatus(
      http,
      registerId,
      offlineStatusReport(state, createOfflineStore(db), db, paths.offlineDb(registerId)),
    );
  } catch {
    // Informational only: the pull or push result stands on its own.
  }
}

export async function pushRegister(
  options: RegisterSyncOptions & { batchSize?: number; onProgress?: (done: number, total: number) => void },
): Promise<PushResult> {
  return withRegister(options, ({ config, db, http }) =>
    push({
      http,
      local: createOfflineStore(db),
      clock: options.clock,
      store: config.store,
      ...(options.batchSize ? { batchSize: options.batchSize } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    }),
  );
}
