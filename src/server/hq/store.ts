// HQ's storage, named by what HQ does: the one way server code reads and writes HQ, on SQLite or PostgreSQL.
import type { z } from "zod";
import type { offlineStatusBodySchema } from "../../lib/api.js";
import type { AsyncCustomer, AsyncCustomerUpload } from "../../lib/api-customers.js";
import type { CancelAnswer, ChannelDatabase, RegisterStatus, SessionStatusBody } from "../../lib/api-sync.js";
import type { Row, TableName } from "../../schema/tables.js";
import type { PackagePlan } from "../cdx/generate.js";
import type { GenerateOutcome } from "../cdx/generate-protocol.js";
import type { SessionRow } from "../cdx/sessions.js";
import type { TransactionRow } from "../channel-views.js";

export type OfflineStatusBody = z.output<typeof offlineStatusBodySchema>;

/** A row as HQ stores it: the table's columns plus the version of the change that last wrote it. */
export type TrackedRow = Row & { change_version: number };

/** Master data written inside one change: every row written gets the change's version. */
export interface TrackedWriter {
  readonly version: number;
  find(table: TableName, key: Row): Promise<TrackedRow | undefined>;
  /** Rows whose columns equal `where` (all rows without it), in key order. */
  rows(table: TableName, where?: Row): Promise<TrackedRow[]>;
  /** Inserts or updates (never delete + insert) a row; departures and tombstones follow. */
  upsert(table: TableName, row: Row): Promise<void>;
  /** Deletes a row, leaving its tombstone; false when there was no such row. */
  delete(table: TableName, key: Row): Promise<boolean>;
  /** The next free six-digit customer account number (004001 …). */
  nextCustomerId(): Promise<string>;
  /** A server_state value written with the change (committed, or not, together with it). */
  setState(key: string, value: string): Promise<void>;
}

export interface Tombstone {
  table: TableName;
  key: Row;
  row: Row;
  changeVersion: number;
}

export interface Departure {
  table: TableName;
  key: Row;
  store: string;
  changeVersion: number;
}

/** Master data with change tracking (SPEC §3): every change bumps one counter, in commit order. */
export interface MasterDataStore {
  currentVersion(): Promise<number>;
  /** One transaction with a freshly bumped change version: all or nothing, one version for every row. */
  change<T>(work: (writer: TrackedWriter) => Promise<T>): Promise<T>;
  find(table: TableName, key: Row): Promise<TrackedRow | undefined>;
  rows(table: TableName, where?: Row): Promise<TrackedRow[]>;
  /** Rows, tombstones and departures with change_version > `version` (what an incremental package reads). */
  changesSince(
    version: number,
  ): Promise<{ rows: Partial<Record<TableName, TrackedRow[]>>; tombstones: Tombstone[]; departures: Departure[] }>;
}

/** Device activation and tokens (only the token's hash is stored). */
export interface DeviceStore {
  /** Issues the register's device: undefined when HQ has no such register; the previous token stops working. */
  activate(
    register: string,
    tokenHash: string,
    activatedAt: string,
  ): Promise<{ store: string; reactivated: boolean } | undefined>;
  authenticate(tokenHash: string): Promise<{ register: string; store: string } | undefined>;
}

export interface StaffLogon {
  failedAttempts: number;
  blockedAt: string | null;
}

/** Online sign-in state: consecutive failures and the block after `max` of them. */
export interface StaffLogonStore {
  find(staff: string): Promise<StaffLogon | undefined>;
  /** Counts one failure in one statement (parallel failures each count); blocks at `max`. */
  recordFailure(staff: string, at: string, max: number): Promise<{ failures: number; blocked: boolean }>;
  /** A right password: clears the failures unless a block landed meanwhile (then true: still blocked). */
  recordSuccess(staff: string): Promise<{ blocked: boolean }>;
  /** A manager's unblock: what was there before it was cleared. */
  clear(staff: string): Promise<StaffLogon | undefined>;
}

export interface SessionFilter {
  database?: string | undefined;
  statuses?: readonly string[] | undefined;
  job?: string | undefined;
  /** The most recent `limit` sessions (still listed oldest first). */
  limit?: number | undefined;
}

export type RegisterDatabaseChange = "created" | "re-added" | "removed" | "unchanged";

/** A package about to be written: its first session's row, reserved (Preparing) for the id in its header. */
export interface PackageReservation {
  job: string;
  firstDatabase: string;
  full: boolean;
  fromVersion: number;
  store: string;
  createdAt: string;
  /** The package file's path for the reserved id. */
  file: (id: number) => string;
}

/** What a written package becomes: Available sessions for its databases (empty: nothing recorded). */
export interface PackageRecord {
  session: number;
  file: string;
  job: string;
  store: string;
  full: boolean;
  fromVersion: number;
  databases: readonly string[];
  written: { rows: Record<string, number | undefined>; size: number; sha256: string; empty: boolean } | undefined;
}

/**
 * Download sessions as their targets see them — a register's offline database, a store's channel database —
 * and as they report on them (what a store-facing server needs of HQ's distribution).
 */
export interface DownloadSessionStore {
  /** A session by id (never one still Preparing). */
  find(id: number): Promise<SessionRow | undefined>;
  list(filter?: SessionFilter): Promise<SessionRow[]>;
  /** Unfinished sessions of one database in id order: what its next round applies. */
  unfinished(database: string): Promise<SessionRow[]>;
  /** The earliest unfinished session of the same database before this one: it must be applied first. */
  blocking(row: Pick<SessionRow, "id" | "database">): Promise<SessionRow | undefined>;
  /**
   * Records a target's report atomically with its checks: the allowed transitions, strict order (Requested), and
   * the try count (the try-count-th failure suspends).
   */
  report(id: number, report: SessionStatusBody, now: string): Promise<SessionRow>;
}

/** Distribution (CDX) at HQ: channel and offline databases, packages' records, chains, reruns, settings. */
export interface DistributionStore {
  listDatabases(): Promise<ChannelDatabase[]>;
  findDatabase(name: string): Promise<ChannelDatabase | undefined>;
  setPaused(name: string, paused: boolean): Promise<ChannelDatabase | undefined>;
  /** A channel database per store, an offline database per register that supports offline (one transaction). */
  reconcileDatabases(now: string): Promise<{ created: string[]; removed: string[] }>;
  reconcileRegisterDatabase(register: string, now: string): Promise<RegisterDatabaseChange>;
  /** Download jobs the register's offline profile excludes from its offline database (comma list or null). */
  offlineExclusion(register: string): Promise<string | null>;

  /** Sessions of channel databases left Requested/Downloaded (a server stopped during its own apply). */
  interruptedChannelSessions(): Promise<SessionRow[]>;
  rerunSession(id: number): Promise<SessionRow>;
  cancelSession(id: number, now: string): Promise<CancelAnswer>;
  packagedVersion(database: string, job: string): Promise<number | undefined>;

  reservePackage(reservation: PackageReservation): Promise<{ id: number; file: string }>;
  dropReserved(ids: readonly number[]): Promise<void>;
  /** One transaction: every non-empty package becomes an Available session per database; chains move on. */
  recordPackages(
    records: readonly PackageRecord[],
    version: number,
    now: string,
  ): Promise<{ sessions: number[]; packages: number; upToDate: number; emptyFiles: string[] }>;
  /** Start-up: Preparing rows a killed run left, dropped; answers their files. */
  dropUnfinishedRuns(): Promise<string[]>;
  /**
   * Writes the packages from one consistent snapshot of HQ (SQLite: a read transaction on the CDX thread;
   * PostgreSQL: REPEATABLE READ READ ONLY, rows through a cursor); every package ends at the snapshot's version.
   */
  writePackages(plans: readonly Omit<PackagePlan, "toVersion">[]): Promise<GenerateOutcome>;

  readSchedules(): Promise<string | undefined>;
  writeSchedules(json: string): Promise<void>;
  readTryCount(): Promise<number>;
  writeTryCount(tryCount: number): Promise<void>;
}

/** A channel transaction as P-0001 brings it to HQ: the channel's row, with its body, without when it arrived there. */
export type HqTransactionRow = Omit<TransactionRow, "received_at"> & { body: string };

export interface UploadRow {
  id: number;
  store_id: string;
  status: "Uploaded" | "Applied" | "Apply failed";
  message: string | null;
  from_counter: number;
  to_counter: number;
  transactions: number;
  customers: number;
  inserted: number;
  created_at: string;
  applied_at: string | null;
}

/** Upload sessions (P-0001): transactions brought to HQ exactly once, by transaction id. */
export interface UploadStore {
  /** The store's high-water mark: the replication counter HQ has everything up to. */
  progress(store: string): Promise<number>;
  /** Records a session as Uploaded; answers its id. */
  begin(session: { store: string; from: number; to: number; transactions: number; at: string }): Promise<number>;
  /**
   * One transaction: the rows inserted in batches (a transaction id already at HQ is skipped), the high-water
   * mark moved to `to`, the session Applied. Answers how many were new.
   */
  apply(
    id: number,
    store: string,
    to: number,
    rows: Iterable<HqTransactionRow> | AsyncIterable<HqTransactionRow>,
    at: string,
    beforeCommit?: () => void,
  ): Promise<number>;
  fail(id: number, message: string): Promise<void>;
  get(id: number): Promise<UploadRow | undefined>;
  /** The most recent `limit` sessions, oldest first. */
  list(limit: number): Promise<UploadRow[]>;
  countTransactions(): Promise<number>;
  /** Start-up: Uploaded sessions get Applied (their rows are at HQ) or Apply failed (none are). */
  reconcileInterrupted(now: string): Promise<{ id: number; status: "Applied" | "Apply failed" }[]>;
}

/** HQ's "Register offline status": what each register last reported. */
export interface RegisterStatusStore {
  record(device: { register: string; store: string }, status: OfflineStatusBody, at: string): Promise<void>;
  /** Registers that reported, by id. */
  reported(): Promise<{ register: string; store: string; reportedAt: string; status: OfflineStatusBody }[]>;
  /** Every register, with its last report or none. */
  all(): Promise<RegisterStatus[]>;
}

/** Customers created offline, waiting for HQ's async customer job. */
export interface AsyncCustomerStore {
  /** Stores each upload once by temporary id; same id with other content → 409. One transaction. */
  receive(
    device: { register: string; store: string },
    customers: readonly AsyncCustomerUpload[],
    now: string,
  ): Promise<AsyncCustomer[]>;
  list(register?: string): Promise<AsyncCustomer[]>;
  /**
   * Each pending async customer becomes a real customer (own change version, HQ-assigned id) and transactions at
   * HQ that named its temporary id name the real one. One transaction.
   */
  sync(now: string): Promise<{ created: { tempId: string; customerId: string }[]; changeVersion: number | null }>;
}

/** Small key/value settings of the server (fixtures_loaded_at, …). */
export interface ServerStateStore {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string): Promise<void>;
}

export interface HqStore {
  readonly engine: "sqlite" | "postgres";
  /** Where HQ lives, for messages and `pos status`: the file, or postgres://user@host:port/db (no password). */
  readonly location: string;
  readonly masterData: MasterDataStore;
  readonly devices: DeviceStore;
  readonly staffLogon: StaffLogonStore;
  readonly distribution: DistributionStore;
  readonly downloadSessions: DownloadSessionStore;
  readonly uploads: UploadStore;
  readonly registerStatus: RegisterStatusStore;
  readonly asyncCustomers: AsyncCustomerStore;
  readonly state: ServerStateStore;
  /** False once closed. */
  readonly open: boolean;
  close(): Promise<void>;
}
