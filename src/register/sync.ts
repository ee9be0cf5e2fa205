// Sync for one provisioned register: opens its config, database and a device-token client around pull / push.
import { join } from "node:path";
import type { Clock } from "../lib/clock.js";
import type { Db } from "../lib/db.js";
import { UsageError } from "../lib/errors.js";
import type { HttpClient } from "../lib/http.js";
import type { Paths } from "../lib/paths.js";
import { createOfflineStore } from "../offline/offline-store.js";
import { type PullProgress, type PullResult, pull } from "../sync/pull.js";
import { type PushResult, push } from "../sync/push.js";
import { type RegisterConfig, readRegisterConfig } from "./config.js";
import { offlineStatusReport, reportOfflineStatus } from "./offline-status.js";
import { type OpenedRegister, openRegisterFiles } from "./open.js";

export interface RegisterSyncOptions {
  paths: Paths;
  clock: Clock;
  registerId: string;
}

/** Opens the register (its profile's timeout) around one sync round, then reports to HQ. */
async function withRegister<T>(
  options: RegisterSyncOptions,
  check: "open" | "full",
  round: (parts: { config: RegisterConfig; db: Db; http: HttpClient }) => Promise<T>,
): Promise<T> {
  const opened = openRegisterFiles({ ...options, check });
  try {
    return await round(opened);
  } finally {
    await reportStatus(options, opened);
    opened.close();
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
  return withRegister(options, "open", ({ db, http }) =>
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
async function reportStatus(options: RegisterSyncOptions, opened: OpenedRegister): Promise<void> {
  const { paths, registerId } = options;
  try {
    await reportOfflineStatus(
      opened.http,
      registerId,
      offlineStatusReport(opened.state.read(), createOfflineStore(opened.db), opened.db, paths.offlineDb(registerId)),
    );
  } catch {
    // Informational only: the pull or push result stands on its own.
  }
}

export async function pushRegister(
  options: RegisterSyncOptions & { batchSize?: number; onProgress?: (done: number, total: number) => void },
): Promise<PushResult> {
  return withRegister(options, "full", ({ config, db, http }) =>
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
