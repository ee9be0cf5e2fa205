// Opens one provisioned register: its config, local database, HTTP client, ConnectionManager and sale sessions.
import type { TenderMethod } from "../domain/tenders.js";
import { toWire } from "../domain/transaction.js";
import { apiPath, type RegisterConfigAnswer, registerConfigAnswerSchema } from "../lib/api.js";
import type { Clock } from "../lib/clock.js";
import type { Db } from "../lib/db.js";
import { OperationError, UnreachableError } from "../lib/errors.js";
import { type HttpClient, NetworkError } from "../lib/http.js";
import type { Paths } from "../lib/paths.js";
import type { OfflineStore } from "../offline/offline-store.js";
import { nextCartId, recordSuspendedCart } from "../offline/own-data.js";
import { createSyncLoop, type SyncLoop, type SyncRound } from "../sync/loop.js";
import { pull } from "../sync/pull.js";
import { push } from "../sync/push.js";
import { withCustomerAsyncMode } from "./async-mode.js";
import type { RegisterConfig } from "./config.js";
import { ConnectionManager, type ConnectionRules, type SwitchEvent } from "./connection-manager.js";
import type { ConnectionStateStore } from "./connection-state.js";
import { fileHighWaterMark } from "./high-water.js";
import { createNumberAllocator } from "./numbers.js";
import { createAsyncCustomer, createOfflineSource, offlineReadiness, seqOf } from "./offline-source.js";
import { offlineStatusReport, reportOfflineStatus } from "./offline-status.js";
import { type CheckoutRecorder, createOnlineSource, probeServer } from "./online-source.js";
import { openRegisterFiles } from "./open.js";
import type { ProfileSettings } from "./profile.js";
import {
  type InDoubtResolution,
  parseInDoubt,
  type Receipt,
  type RegisterContext,
  SaleSession,
} from "./sale-session.js";

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
  /** Told how each sale left in doubt by a lost checkout answer was settled. */
  onResolved?: (resolution: InDoubtResolution) => void;
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
  const opened = openRegisterFiles({
    paths,
    clock,
    registerId,
    check: "full",
    ...(options.profile ? { profile: options.profile } : {}),
    ...(options.serverUrl ? { serverUrl: options.serverUrl } : {}),
    ...(options.stateStore ? { state: options.stateStore } : {}),
  });
  const { config, db, local, http, profile } = opened;
  const iso = () => new Date(clock.now()).toISOString();
  try {
    const context = await registerContext(local, config, http);
    // Numbers a crashed process had reserved are lost: recorded as a gap, never handed out again.
    local.recordLostNumbers(registerId, isAlive, iso());
    const manager = createConnectionManager({
      clock,
      config,
      local,
      http,
      profile,
      store: opened.state,
      ...(options.onSwitch ? { onSwitch: options.onSwitch } : {}),
    });
    const numbers = createNumberAllocator(local, registerId, { highWater: fileHighWaterMark(paths, registerId) });
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
          inDoubt: {
            isInDoubt: (id) => local.transaction(id)?.status === "in-doubt",
            list: () => local.inDoubt().map((row) => parseInDoubt(row.body)),
          },
          ...(options.onResolved ? { onResolved: options.onResolved } : {}),
          ...(options.journal ? { journal: options.journal } : {}),
          carts: {
            nextId: () => nextCartId(db, registerId),
            keptAtServer: (cart) =>
              recordSuspendedCart(db, {
                id: cart.id,
                kept: "server",
                staff: cart.staff,
                body: JSON.stringify(cart),
                now: iso(),
              }),
          },
          ...(config.supportsOffline
            ? { offlineCarts: createOfflineSource(local, registerId, config.store, clock) }
            : {}),
        }),
      startSync,
      close: async () => {
        manager.stopHealthCheck();
        await loop?.stop();
        try {
          numbers.release(iso());
        } finally {
          opened.close();
        }
      },
    };
  } catch (error) {
    opened.close();
    throw error;
  }
}

function isAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
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
    online: withCustomerAsyncMode(
      createOnlineSource(http, config.store, timeoutMs, checkoutRecorder(local, clock), config.registerId),
      () => local.store(config.store)?.customer_async_mode === 1,
      (input) => createAsyncCustomer(local, config.registerId, input, new Date(clock.now()).toISOString()),
    ),
    offline: config.supportsOffline ? createOfflineSource(local, config.registerId, config.store, clock) : null,
    offlineReadiness: () => offlineReadiness(local, config.registerId, config.store, profile.offlineDataExclusion),
    probe: () => probeServer(http, timeoutMs),
    ...(parts.onSwitch ? { onSwitch: parts.onSwitch } : {}),
  });
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
    const r = await http.get(apiPath.registerConfig(config.registerId), registerConfigAnswerSchema);
    if (!r.ok) throw new OperationError(`server answered ${r.status}`, "ChannelConfigurationNotFound");
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

/** The register's durable record around an online checkout: in doubt before sending, then stored or refused. */
function checkoutRecorder(local: OfflineStore, clock: Clock): CheckoutRecorder {
  const iso = () => new Date(clock.now()).toISOString();
  return {
    sending: (tx) => local.saveTransaction(toWire(tx), seqOf(tx.id), tx.total, "in-doubt", iso()),
    stored: (tx) => local.markOnline(tx.id, iso()),
    refused: (tx, reason) => local.checkoutRefused(tx.id, seqOf(tx.id), reason, iso()),
  };
}
