// `pos sync pull`: download the register's sessions in order, verify, apply (all or nothing), report each status.
import { mkdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import {
  type DownloadSession,
  type REPORTED_STATUSES,
  sessionAnswerSchema,
  sessionsAnswerSchema,
  syncPath,
  UNFINISHED_STATUSES,
} from "../lib/api-sync.js";
import type { Clock } from "../lib/clock.js";
import type { Db } from "../lib/db.js";
import { UnreachableError } from "../lib/errors.js";
import { type DownloadResult, type HttpClient, NetworkError } from "../lib/http.js";
import { answerOf, callServer, toCliError } from "../lib/server-errors.js";
import { resolveAsyncCustomers } from "./async-customers.js";
import { applyPackage } from "./package/apply.js";
import { PackageError } from "./package/format.js";
import { finishSyncLog, startSyncLog } from "./sync-log.js";

export interface PullOptions {
  http: HttpClient;
  db: Db;
  clock: Clock;
  /** The register's offline database entity at HQ (`<id>-OFFLINE`). */
  database: string;
  /** Where packages are downloaded to before they are applied (removed afterwards). */
  workDir: string;
  onProgress?: (event: PullProgress) => void;
  /**
   * A store server pulling its channel database (`--role store`): no register sync log, no async customers, and
   * the package applied by `applyFile` (the CDX thread) instead of on this thread.
   */
  channel?: {
    applyFile(
      file: string,
      expected: PackageExpectation,
      now: string,
    ): Promise<{ rows: Record<string, number | undefined>; alreadyApplied: boolean }>;
  };
}

export interface PackageExpectation {
  session: number;
  job: string;
  database: string;
  size: number;
  sha256: string;
}

export type PullProgress =
  | { kind: "session"; session: DownloadSession; index: number; count: number }
  | { kind: "downloaded"; session: DownloadSession; bytes: number }
  | { kind: "resuming"; session: DownloadSession; from: number }
  /** Mid-apply: rows inserted so far in the session's one transaction (nothing is committed yet). */
  | { kind: "applying"; session: DownloadSession; rows: number }
  | { kind: "applied"; session: DownloadSession; rows: number; alreadyApplied: boolean };

export interface PulledSession {
  id: number;
  job: string;
  full: boolean;
  status: "Applied" | "Download failed" | "Apply failed" | "Suspended";
  rows: number;
  bytes: number;
  /** Times the package download broke part-way and was resumed where it stopped (HTTP Range). */
  resumed: number;
  message: string | null;
}

export interface PullResult {
  database: string;
  sessions: PulledSession[];
  applied: number;
  failed: number;
  rows: number;
  bytes: number;
  /** Package downloads resumed after a break, over all sessions. */
  resumed: number;
  /** Why the round stopped early (a failed or suspended session blocks every later one). */
  stoppedBy: string | null;
  /** Customers created offline that now have their real id (HQ created them, 1010 brought them). */
  customersResolved: number;
}

const PENDING: ReadonlySet<string> = new Set(UNFINISHED_STATUSES);

export async function pull(options: PullOptions): Promise<PullResult> {
  const { http, db, clock, database } = options;
  const iso = () => new Date(clock.now()).toISOString();
  const log = options.channel ? undefined : { id: startSyncLog(db, "download", iso()) };
  const result: PullResult = {
    database,
    sessions: [],
    applied: 0,
    failed: 0,
    rows: 0,
    bytes: 0,
    resumed: 0,
    stoppedBy: null,
    customersResolved: 0,
  };
  try {
    const listed = await answerOf(() => http.get(syncPath.sessions(database), sessionsAnswerSchema), "list sessions");
    const todo = listed.sessions.filter((s) => PENDING.has(s.status)).sort((a, b) => a.id - b.id);
    mkdirSync(options.workDir, { recursive: true });
    for (const [index, session] of todo.entries()) {
      options.onProgress?.({ kind: "session", session, index, count: todo.length });
      const outcome = await pullOne(options, session, iso);
      result.sessions.push(outcome);
      result.rows += outcome.rows;
      result.bytes += outcome.bytes;
      result.resumed += outcome.resumed;
      if (outcome.status === "Applied") {
        result.applied++;
        continue;
      }
      result.failed++;
      result.stoppedBy = `session ${session.id} (job ${session.job}): ${outcome.status}${outcome.message ? ` — ${outcome.message}` : ""}`;
      break;
    }
    if (!log) return result;
    if (result.failed === 0) result.customersResolved = await resolveAsyncCustomers(http, db);
    const counts = { sessions: result.applied, rows: result.rows, bytes: result.bytes };
    if (result.failed > 0) finishSyncLog(db, log.id, "failed", iso(), result.stoppedBy, counts);
    else finishSyncLog(db, log.id, result.applied > 0 ? "ok" : "nothing", iso(), null, counts);
    return result;
  } catch (error) {
    if (log) {
      finishSyncLog(db, log.id, "failed", iso(), (error as Error).message, {
        sessions: result.applied,
        rows: result.rows,
      });
    }
    throw error;
  }
}

async function pullOne(options: PullOptions, session: DownloadSession, iso: () => string): Promise<PulledSession> {
  const { http, db } = options;
  const base = { id: session.id, job: session.job, full: session.full, rows: 0, bytes: 0, resumed: 0 };
  if (session.status === "Suspended") {
    return {
      ...base,
      status: "Suspended",
      message: `suspended after ${session.attempts} failed attempts: run pos cdx rerun ${session.id} or pos cdx cancel ${session.id}`,
    };
  }
  await report(http, session.id, "Requested");
  const file = join(options.workDir, `session-${session.id}.pkg`);
  let keepPartial = false;
  try {
    const path = syncPath.package(session.id);
    let download: Downloaded;
    try {
      download = await callServer(() => downloadResuming(options, session, file));
    } catch (error) {
      // A download the network broke keeps what it got: the next round resumes from there (If-Range guards it).
      keepPartial = error instanceof UnreachableError;
      throw error;
    }
    base.resumed = download.resumed;
    if (download.status !== 200) {
      const failed = {
        ok: false as const,
        ...download,
        body: download.body,
        server: http.baseUrl,
        method: "GET" as const,
        path,
      };
      const message = `server answered ${download.status}: ${toCliError(failed).message}`;
      await report(http, session.id, "Download failed", message);
      return { ...base, status: "Download failed", message };
    }
    options.onProgress?.({ kind: "downloaded", session, bytes: download.bytes });
    await report(http, session.id, "Downloaded");
    try {
      const expected: PackageExpectation = {
        // A package shared by the databases of a store names its own id and scope in its header.
        session: session.package ?? session.id,
        job: session.job,
        database: session.packageScope ?? session.database,
        size: session.size,
        sha256: session.sha256,
      };
      const applied = options.channel
        ? await options.channel.applyFile(file, expected, iso())
        : await applyPackage(db, file, expected, {
            now: iso(),
            ...(options.onProgress
              ? { onRows: (rows: number) => options.onProgress?.({ kind: "applying", session, rows }) }
              : {}),
          });
      const rows = Object.values(applied.rows).reduce<number>((sum, n) => sum + (n ?? 0), 0);
      options.onProgress?.({ kind: "applied", session, rows, alreadyApplied: applied.alreadyApplied });
      await report(http, session.id, "Applied");
      return {
        ...base,
        status: "Applied",
        rows,
        bytes: download.bytes,
        message: applied.alreadyApplied ? "already applied" : null,
      };
    } catch (error) {
      if (!(error instanceof PackageError)) throw error;
      await report(http, session.id, "Apply failed", error.message);
      return { ...base, status: "Apply failed", bytes: download.bytes, message: error.message };
    }
  } finally {
    if (!keepPartial) rmSync(file, { force: true });
  }
}

type Downloaded = Omit<DownloadResult, "bytes"> & { bytes: number; resumed: number };

/** Downloads before giving up on a package whose link keeps breaking. */
const MAX_RESUMES = 50;
/**
 * Resets in a row that brought no new bytes before giving up: a cut can come before the client has handed on any
 * of the body, but a link that never delivers is down. Timeouts and refusals are never retried here.
 */
const MAX_STALLED = 3;

/**
 * Downloads a session's package into `file`. When the connection breaks part-way, asks for the rest with HTTP Range
 * (If-Range: the package's SHA-256, so a changed package comes whole) instead of starting over, as long as the tries
 * bring new bytes. A partial file from an earlier round is continued the same way. `bytes` is the package's size
 * on disk; applyPackage then checks size and SHA-256 of the whole file.
 */
async function downloadResuming(options: PullOptions, session: DownloadSession, file: string): Promise<Downloaded> {
  const path = syncPath.package(session.id);
  let resumed = 0;
  let stalled = 0;
  for (;;) {
    const held = sizeOf(file);
    const from = held > 0 && held < session.size ? held : 0;
    if (from > 0) options.onProgress?.({ kind: "resuming", session, from });
    try {
      const answer = await options.http.download(path, file, from > 0 ? { from, ifRange: session.sha256 } : {});
      if (answer.status !== 200 && answer.status !== 206) return { ...answer, resumed };
      return { ...answer, status: 200, bytes: sizeOf(file), resumed };
    } catch (error) {
      if (!(error instanceof NetworkError) || resumed >= MAX_RESUMES) throw error;
      stalled = sizeOf(file) > held ? 0 : stalled + 1;
      if (stalled > 0 && (error.kind !== "reset" || stalled >= MAX_STALLED)) throw error;
      resumed++;
    }
  }
}

function sizeOf(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

async function report(http: HttpClient, id: number, status: (typeof REPORTED_STATUSES)[number], message?: string) {
  const body = message === undefined ? { status } : { status, message };
  await answerOf(() => http.post(syncPath.status(id), body, sessionAnswerSchema), `report session ${id} ${status}`);
}
