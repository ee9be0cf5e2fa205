// The register's Connection status (SPEC §4.4) and operation 917 from the shell: data only, never printing.
import { existsSync, statSync } from "node:fs";
import { operation917Caption } from "../domain/operations.js";
import type { Clock } from "../lib/clock.js";
import type { Db } from "../lib/db.js";
import { PosError } from "../lib/errors.js";
import { createHttpClient } from "../lib/http.js";
import type { Paths } from "../lib/paths.js";
import { createOfflineStore, type NumberGap, type OfflineStore } from "../offline/offline-store.js";
import { lastSyncLog, type SyncLogEntry } from "../sync/sync-log.js";
import { readRegisterConfig } from "./config.js";
import type { ConnectionManager, SwitchEvent } from "./connection-manager.js";
import { createFileStateStore } from "./connection-state.js";
import { type ConnectionMode, classifyOutcome, describeOutcome } from "./failover.js";
import { probeServer } from "./online-source.js";
import { connectionStateFile, openRegisterDatabase, openRegisterFiles } from "./open.js";
import { DEFAULT_PROFILE, profileFromDatabase } from "./profile.js";
import { createConnectionManager } from "./runtime.js";

/** `pos status` probes with at most this timeout: a glance must not wait the full timeoutInterval. */
export const STATUS_PROBE_MAX_MS = 2000;

/** One row of the sync log, with how long ago it finished (or started, while running). */
export interface SyncAttempt extends Omit<SyncLogEntry, "id"> {
  ageMs: number;
}

export interface AppliedJob {
  job: string;
  session: number;
  toVersion: number;
  appliedAt: string;
  ageMs: number;
}

export interface ServerProbe {
  reachable: boolean;
  /** "ok", or why not in the cashier's words ("server refused the connection"). */
  outcome: string;
  status: number | null;
  ms: number;
}

export interface RegisterStatus {
  register: string;
  store: string;
  storeName: string | null;
  serverUrl: string;
  supportsOffline: boolean;
  mode: ConnectionMode;
  since: string;
  sinceAgeMs: number;
  reason: string | null;
  /** Caption of the operation 917 button: the switch it offers. */
  button: "Disconnect" | "Connect";
  /** Null when not probed. */
  server: ServerProbe | null;
  lastDownload: SyncAttempt | null;
  lastUpload: SyncAttempt | null;
  pending: { count: number; oldest: string | null; oldestAgeMs: number | null };
  /** Sales whose checkout answer never came: kept, and sent again before the next sale (or by pos sync push). */
  inDoubt: Array<{ id: string; total: number; createdAt: string }>;
  conflicts: number;
  /** Transaction numbers never used (a crash, a refused checkout), as recorded; never handed out again. */
  numbers: { reservedTo: number; usedTo: number; gaps: NumberGap[] };
  jobs: AppliedJob[];
  database: { file: string; exists: boolean; sizeBytes: number; integrity: string };
  checkedAt: string;
}

export interface RegisterStatusOptions {
  paths: Paths;
  clock: Clock;
  registerId: string;
  probe: boolean;
}

/** Reads everything locally; the probe's failure is part of the answer, never an error. */
export async function registerStatus(options: RegisterStatusOptions): Promise<RegisterStatus> {
  const { paths, clock, registerId } = options;
  const config = readRegisterConfig(paths, registerId);
  const now = clock.now();
  // A register that never switched has no state file yet: it has been online since it was provisioned.
  const stateFile = connectionStateFile(paths, registerId);
  const never = Date.parse(config.provisionedAt);
  const state = createFileStateStore(stateFile, () => (Number.isNaN(never) ? now : never)).read();
  const file = paths.offlineDb(registerId);
  const exists = existsSync(file);
  // A damaged database is part of the answer (its reason shows as the integrity), never an error here.
  let damage: string | null = null;
  let db: Db | null = null;
  try {
    db = openRegisterDatabase(paths, registerId, "open");
  } catch (error) {
    if (!(error instanceof PosError) || error.code !== "OfflineDatabaseDamaged") throw error;
    damage = error.message;
  }
  try {
    const local = db ? createOfflineStore(db) : null;
    const pending = local?.pendingSummary() ?? { count: 0, oldest: null };
    const server = options.probe
      ? await probe(config.serverUrl, Math.min(timeoutMs(local, registerId), STATUS_PROBE_MAX_MS), clock)
      : null;
    return {
      register: registerId,
      store: config.store,
      storeName: local?.store(config.store)?.name ?? null,
      serverUrl: config.serverUrl,
      supportsOffline: config.supportsOffline,
      mode: state.mode,
      since: iso(state.since),
      sinceAgeMs: Math.max(0, now - state.since),
      reason: state.reason,
      button: operation917Caption(state.mode === "online" ? "online" : "offline"),
      server,
      lastDownload: db ? lastSyncAttempt(db, now, "download") : null,
      lastUpload: db ? lastSyncAttempt(db, now, "upload") : null,
      pending: { ...pending, oldestAgeMs: pending.oldest ? Math.max(0, now - Date.parse(pending.oldest)) : null },
      inDoubt: (local?.inDoubt() ?? []).map((row) => ({ id: row.id, total: row.total, createdAt: row.created_at })),
      conflicts: local ? local.count("transactions", "status = 'conflict'") : 0,
      numbers: local
        ? { ...local.numberState(registerId), gaps: local.numberGaps() }
        : { reservedTo: 0, usedTo: 0, gaps: [] },
      jobs: db ? appliedJobs(db, now) : [],
      database: {
        file,
        exists,
        sizeBytes: fileSize(file) + fileSize(`${file}-wal`),
        integrity: !exists ? "missing" : (damage ?? (db ? integrity(db) : "missing")),
      },
      checkedAt: iso(now),
    };
  } finally {
    db?.close();
  }
}

/** The latest sync attempt of one kind, or of either kind (the sale header's "last sync"), with its age. */
export function lastSyncAttempt(db: Db, now: number, kind?: SyncAttempt["kind"]): SyncAttempt | null {
  const candidates = (kind ? [kind] : (["download", "upload"] as const)).map((k) => lastSyncLog(db, k));
  const latest = candidates.reduce<SyncLogEntry | null>((a, b) => (b && (!a || b.id > a.id) ? b : a), null);
  if (!latest) return null;
  const { id: _id, ...attempt } = latest;
  return { ...attempt, ageMs: Math.max(0, now - Date.parse(latest.finishedAt ?? latest.startedAt)) };
}

/** What the sale screen's header needs, cheap enough to read before every prompt. */
export function saleHeaderFacts(local: OfflineStore, now: number) {
  return {
    pending: local.pendingSummary().count,
    inDoubt: local.inDoubt().length,
    lastSync: lastSyncAttempt(local.db, now),
  };
}

function appliedJobs(db: Db, now: number): AppliedJob[] {
  const rows = db
    .prepare(
      `SELECT a.job, a.session, a.to_version, a.applied_at FROM applied_sessions a
        WHERE a.session = (SELECT max(b.session) FROM applied_sessions b WHERE b.job = a.job)
        ORDER BY a.job`,
    )
    .all() as Array<{ job: string; session: number; to_version: number; applied_at: string }>;
  return rows.map((r) => ({
    job: r.job,
    session: r.session,
    toVersion: r.to_version,
    appliedAt: r.applied_at,
    ageMs: Math.max(0, now - Date.parse(r.applied_at)),
  }));
}

function integrity(db: Db): string {
  const rows = db.pragma("quick_check") as Array<{ quick_check: string }>;
  const problems = rows.map((r) => r.quick_check).filter((m) => m !== "ok");
  return problems.length === 0 ? "ok" : problems.join("; ");
}

function fileSize(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

function timeoutMs(local: OfflineStore | null, registerId: string): number {
  return (local ? profileFromDatabase(local, registerId) : DEFAULT_PROFILE).timeoutInterval * 1000;
}

async function probe(serverUrl: string, timeout: number, clock: Clock): Promise<ServerProbe> {
  const http = createHttpClient({ baseUrl: serverUrl, timeoutMs: timeout });
  const started = clock.now();
  try {
    const outcome = await probeServer(http, timeout);
    const ok = classifyOutcome(outcome) === "ok";
    return {
      reachable: ok,
      outcome: ok ? "ok" : describeOutcome(outcome),
      status: outcome.kind === "response" ? outcome.status : null,
      ms: Math.max(0, clock.now() - started),
    };
  } finally {
    http.close();
  }
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

// ---- operation 917 from the shell ---------------------------------------------------------------

export interface Operation917Result {
  register: string;
  /** False when the register already was in the asked mode (the command is idempotent). */
  changed: boolean;
  mode: ConnectionMode;
  since: string;
  reason: string | null;
  button: "Disconnect" | "Connect";
}

export interface Operation917Options {
  paths: Paths;
  clock: Clock;
  registerId: string;
}

/** Operation 917 while online: offline (manual), refused with the D365 error when the offline database cannot sell. */
export async function disconnectRegister(options: Operation917Options): Promise<Operation917Result> {
  const connection = openConnection(options);
  try {
    const event = connection.manager.disconnect();
    return operationResult(options.registerId, connection.manager, event);
  } finally {
    connection.close();
  }
}

/** Operation 917 while offline: tries the server at once; UnreachableError (exit 3) saying why when it does not answer. */
export async function connectRegister(options: Operation917Options): Promise<Operation917Result> {
  const connection = openConnection(options);
  try {
    const event = await connection.manager.connect();
    return operationResult(options.registerId, connection.manager, event);
  } finally {
    connection.close();
  }
}

function operationResult(register: string, manager: ConnectionManager, event: SwitchEvent | null): Operation917Result {
  const state = manager.state;
  return {
    register,
    changed: event !== null,
    mode: state.mode,
    since: iso(state.since),
    reason: state.reason,
    button: operation917Caption(state.mode === "online" ? "online" : "offline"),
  };
}

/**
 * A ConnectionManager without a sale: unlike openRegister it needs neither the server nor the channel
 * configuration, so 917 works from the shell whatever state the register is in.
 */
function openConnection(options: Operation917Options): { manager: ConnectionManager; close(): void } {
  const opened = openRegisterFiles(options);
  const manager = createConnectionManager({
    clock: options.clock,
    config: opened.config,
    local: opened.local,
    http: opened.http,
    profile: opened.profile,
    store: opened.state,
  });
  return { manager, close: opened.close };
}
