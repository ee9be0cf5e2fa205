// Opens one provisioned register: its config, local database, HTTP client, ConnectionManager and sale sessions.
import type { TenderMethod } from "../domain/tenders.js";
import { apiPath, type RegisterConfigAnswer } from "../lib/api.js";
import type { Clock } from "../lib/clock.js";
import type { Db } from "../lib/db.js";
import { OperationError, UnreachableError } from "../lib/errors.js";
import { createHttpClient, type HttpClient, NetworkError } from "../lib/http.js";
import type { Paths } from "../lib/paths.js";
import { createOfflineStore, type OfflineStore } from "../offline/offline-store.js";
import { openOfflineDatabase } from "../offline/schema.js";
import {
  createSyncLoop,
  offlineStatusReport,
  reportOfflineStatus,
  type SyncLoop,
  type SyncRound,
} from "../sync/loop.js";
import { excludedJobsOf } from "../sync/package/exclusion.js";
import type { DownloadJobId } from "../sync/package/tables.js";
import { pull } from "../sync/pull.js";
import { push } from "../sync/push.js";
import { type RegisterConfig, readRegisterConfig } from "./config.js";
import { ConnectionManager, type ConnectionRules, type SwitchEvent } from "./connection-manager.js";
import { type ConnectionStateStore, createFileStateStore } from "./connection-state.js";
import { createNumberAllocator } from "./numbers.js";
import { createOfflineSource, offlineReadiness } from "./offline-source.js";
import { createOnlineSource, probeServer } from "./online-source.js";
import { type Receipt, type RegisterContext, SaleSession } from "./sale-session.js";

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

export interface OpenRegisterOptions {
  paths: Paths;
  clock: Clock;
  registerId: string;
  /** Overrides for this run (replay's `profile:`), on top of the register's offline profile. */
  profile?: Partial<ProfileSettings>;
  /** Server URL override (replay through the fault proxy). */
  serverUrl?: string;
  /** Where the connection state lives; a file in the register's home by default. */
  stateStore?: ConnectionStateStore;
  onSwitch?: (event: SwitchEvent) => void;
  journal?: (receipt: Receipt) => void;
}

export interface RegisterRuntime {
  config: RegisterConfig;
  db: Db;
  local: OfflineStore;
  http: HttpClient;
  manager: ConnectionManager;
  profile: ProfileSettings;
  context: RegisterContext;
  newSession(): SaleSession;
  /** Starts background sync rounds (downloadInterval / uploadInterval); stopped by close(). */
  startSync(onRound?: (round: SyncRound) => void): SyncLoop;
  close(): Promise<void>;
}

export async function openRegister(options: OpenRegisterOptions): Promise<RegisterRuntime> {
  const { paths, clock, registerId } = options;
  const config = readRegisterConfig(paths, registerId);
  const db = openOfflineDatabase(paths.offlineDb(registerId));
  const local = createOfflineStore(db);
  const profile = { ...profileFromDatabase(local, registerId), ...options.profile };
  const timeoutMs = profile.timeoutInterval * 1000;
  const http = createHttpClient({
    baseUrl: options.serverUrl ?? config.serverUrl,
    token: config.deviceToken,
    timeoutMs,
  });
  try {
    const context = await registerContext(local, config, http);
    const manager = createConnectionManager({
      clock,
      config,
      local,
      http,
      profile,
      store: options.stateStore ?? createFileStateStore(connectionStateFile(paths, registerId), () => clock.now()),
      ...(options.onSwitch ? { onSwitch: options.onSwitch } : {}),
    });
    const numbers = createNumberAllocator(local, registerId);
    const iso = () => new Date(clock.now()).toISOString();
    let loop: SyncLoop | null = null;
    const startSync = (onRound?: (round: SyncRound) => void): SyncLoop => {
      loop ??= createSyncLoop({
        clock,
        downloadMs: profile.downloadInterval * 1000,
        uploadMs: profile.uploadInterval * 1000,
        shouldRun: () => manager.mode === "online",
        pullOnce: async () => {
          if (!config.database) return "online-only register: nothing to pull";
          const r = await pull({
            http,
            db,
            clock,
            database: config.database,
            workDir: `${paths.registerDir(registerId)}/downloads`,
          });
          if (r.failed > 0) throw new Error(r.stoppedBy ?? "a session failed");
          return `pulled ${r.applied} session(s), ${r.rows} rows`;
        },
        pushOnce: async () => {
          const r = await push({ http, local, clock, store: config.store });
          if (r.conflicts.length > 0) throw new Error(`${r.conflicts.length} conflict(s)`);
          return `pushed ${r.uploaded + r.duplicates} transaction(s)`;
        },
        report: () =>
          reportOfflineStatus(
            http,
            registerId,
            offlineStatusReport(manager.state, local, db, paths.offlineDb(registerId)),
          ),
        ...(onRound ? { onRound } : {}),
      });
      loop.start();
      return loop;
    };
    return {
      config,
      db,
      local,
      http,
      manager,
      profile,
      context,
      newSession: () =>
        new SaleSession({
          clock,
          manager,
          context,
          numbers,
          recordOnline: (wire, seq, total) => local.saveTransaction(wire, seq, total, "online", iso()),
          ...(options.journal ? { journal: options.journal } : {}),
        }),
      startSync,
      close: async () => {
        manager.stopHealthCheck();
        await loop?.stop();
        http.close();
        db.close();
      },
    };
  } catch (error) {
    http.close();
    db.close();
    throw error;
  }
}

/** The one way to build a register's ConnectionManager: from its config, local database, client and profile. */
export function createConnectionManager(parts: {
  clock: Clock;
  config: RegisterConfig;
  local: OfflineStore;
  http: HttpClient;
  profile: ProfileSettings;
  store: ConnectionStateStore;
  onSwitch?: (event: SwitchEvent) => void;
}): ConnectionManager {
  const { clock, config, local, http, profile } = parts;
  const timeoutMs = profile.timeoutInterval * 1000;
  const rules: ConnectionRules = {
    timeoutMs,
    reconnectMs: profile.reconnectInterval * 60_000,
    advancedOfflineSwitching: profile.advancedOfflineSwitching,
    healthCheckMs: profile.healthCheckInterval * 60_000,
    supportsOffline: config.supportsOffline,
    allowManualOfflineBeforeSignIn: profile.allowManualOfflineBeforeSignIn,
    ...(profile.id ? { offlineProfileId: profile.id } : {}),
    slowResponseThresholdMs: profile.slowResponseThreshold,
    slowResponseCount: profile.slowResponseCount,
  };
  return new ConnectionManager({
    clock,
    store: parts.store,
    rules,
    online: createOnlineSource(http, config.store, timeoutMs),
    offline: config.supportsOffline ? createOfflineSource(local, config.registerId, config.store, clock) : null,
    offlineReadiness: () => offlineReadiness(local, config.registerId, config.store, profile.offlineDataExclusion),
    probe: () => probeServer(http, timeoutMs),
    ...(parts.onSwitch ? { onSwitch: parts.onSwitch } : {}),
  });
}

export function connectionStateFile(paths: Paths, registerId: string): string {
  return `${paths.registerDir(registerId)}/state.json`;
}

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
    // Absent in a database last filled by an older server: slow switching off.
    slowResponseThreshold: Number(row.slow_response_threshold ?? 0),
    slowResponseCount: Number(row.slow_response_count ?? 0),
    offlineDataExclusion: excludedJobsOf(
      row.offline_data_exclusion === null || row.offline_data_exclusion === undefined
        ? null
        : String(row.offline_data_exclusion),
    ),
  };
}

/** Currency and tenders from the offline database (job 1070), or from the server for a register without one. */
async function registerContext(
  local: OfflineStore,
  config: RegisterConfig,
  http: HttpClient,
): Promise<RegisterContext> {
  const store = local.store(config.store);
  if (store) {
    const tenders: TenderMethod[] = local.tenders(config.store).map((t) => ({
      id: t.tender_id,
      name: t.name,
      kind: t.kind as TenderMethod["kind"],
      allowedOffline: t.allowed_offline === 1,
    }));
    return {
      registerId: config.registerId,
      store: config.store,
      currency: store.currency,
      decimals: store.decimals,
      tenders,
    };
  }
  let answer: RegisterConfigAnswer;
  try {
    const r = await http.get<RegisterConfigAnswer>(apiPath.registerConfig(config.registerId));
    if (r.status !== 200) throw new OperationError(`server answered ${r.status}`, "ChannelConfigurationNotFound");
    answer = r.body;
  } catch (error) {
    const why = (error as Error).message;
    // Without the server and without channel data there is nothing to sell against (SPEC §4.2).
    if (error instanceof NetworkError && !config.supportsOffline) {
      throw new UnreachableError(
        `server unreachable (${why}) and register ${config.registerId} does not work offline`,
        "RealtimeServiceNotSupported",
        "wait for the server; to sell offline, set Supports offline at HQ and provision the register again",
      );
    }
    throw new OperationError(
      `register ${config.registerId} has no channel configuration offline and the server did not give it (${why})`,
      "ChannelConfigurationNotFound",
      "run job 1070 (pos cdx run 1070) and pos sync pull, or start the server",
    );
  }
  return {
    registerId: config.registerId,
    store: config.store,
    currency: answer.store.currency,
    decimals: answer.store.decimals,
    tenders: answer.tenders.map((t) => ({ id: t.id, name: t.name, kind: t.kind, allowedOffline: t.allowedOffline })),
  };
}
