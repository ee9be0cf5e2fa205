// Download sessions at HQ: rows, their statuses as targets report them, strict per-database order, rerun, cancel.
import {
  type CancelAnswer,
  CDX_ERROR_CODES,
  type DownloadSession,
  type DownloadStatus,
  type SessionStatusBody,
  UNFINISHED_STATUSES,
} from "../../lib/api-sync.js";
import { type Db, prepared } from "../../lib/db.js";
import { ApiError, notFound } from "../api-error.js";
// D365's tryCount (3 unless set with `pos cdx try-count`): the failed attempt that suspends a session.
import { readTryCount } from "../schedules/settings.js";

/** Internal: the row exists (its id is in the package header) while the package is written; never listed. */
export const PREPARING = "Preparing";

const UNFINISHED_SQL = UNFINISHED_STATUSES.map((s) => `'${s}'`).join(", ");

export interface SessionRow {
  id: number;
  job: string;
  database: string;
  status: DownloadStatus | typeof PREPARING;
  message: string | null;
  full: number;
  from_version: number;
  to_version: number;
  rows_json: string;
  size: number;
  sha256: string;
  file: string | null;
  attempts: number;
  created_at: string;
  requested_at: string | null;
  downloaded_at: string | null;
  applied_at: string | null;
  /** Null for sessions made before packages were shared (their package id is the session id). */
  package: number | null;
  package_scope: string | null;
}

export function toDownloadSession(row: SessionRow): DownloadSession {
  return {
    id: row.id,
    job: row.job,
    database: row.database,
    status: row.status as DownloadStatus,
    message: row.message,
    full: row.full === 1,
    fromVersion: row.from_version,
    toVersion: row.to_version,
    rows: JSON.parse(row.rows_json) as Record<string, number>,
    size: row.size,
    sha256: row.sha256,
    attempts: row.attempts,
    createdAt: row.created_at,
    requestedAt: row.requested_at,
    downloadedAt: row.downloaded_at,
    appliedAt: row.applied_at,
    file: row.file,
    package: row.package ?? row.id,
    packageScope: row.package_scope ?? row.database,
  };
}

export function findSession(hq: Db, id: number): SessionRow | undefined {
  const row = prepared<unknown[], SessionRow>(hq, "SELECT * FROM download_sessions WHERE id = ?").get(id);
  return row?.status === PREPARING ? undefined : row;
}

export function getSession(hq: Db, id: number): SessionRow {
  const row = findSession(hq, id);
  if (!row) throw notFound(`no download session ${id}`);
  return row;
}

export interface SessionFilter {
  database?: string | undefined;
  statuses?: readonly string[] | undefined;
  job?: string | undefined;
  /** The most recent `limit` sessions (still listed oldest first). */
  limit?: number | undefined;
}

export function listSessions(hq: Db, filter: SessionFilter = {}): DownloadSession[] {
  const where = ["status <> ?"];
  const params: (string | number)[] = [PREPARING];
  if (filter.database !== undefined) {
    where.push("database = ?");
    params.push(filter.database);
  }
  if (filter.job !== undefined) {
    where.push("job = ?");
    params.push(filter.job);
  }
  if (filter.statuses?.length) {
    where.push(`status IN (${filter.statuses.map(() => "?").join(", ")})`);
    params.push(...filter.statuses);
  }
  const limit = filter.limit === undefined ? "" : ` LIMIT ${Math.trunc(filter.limit)}`;
  const rows = hq
    .prepare(`SELECT * FROM download_sessions WHERE ${where.join(" AND ")} ORDER BY id DESC${limit}`)
    .all(...params) as SessionRow[];
  return rows.reverse().map(toDownloadSession);
}

/** The earliest unfinished session of the same database before this one, if any: it must be applied first. */
export function blockingSession(hq: Db, row: Pick<SessionRow, "id" | "database">): SessionRow | undefined {
  return prepared<unknown[], SessionRow>(
    hq,
    `SELECT * FROM download_sessions WHERE database = ? AND id < ? AND status IN (${UNFINISHED_SQL}) ORDER BY id LIMIT 1`,
  ).get(row.database, row.id);
}

export function checkNotBlocked(hq: Db, row: SessionRow): void {
  const blocker = blockingSession(hq, row);
  if (blocker) {
    throw new ApiError(
      409,
      CDX_ERROR_CODES.sessionBlocked,
      `session ${row.id} waits for session ${blocker.id} of ${row.database} (job ${blocker.job}, ${blocker.status}): sessions are applied strictly in order${blocker.status === "Suspended" ? `; run pos cdx rerun ${blocker.id} or pos cdx cancel ${blocker.id}` : ""}`,
    );
  }
}

const wrongState = (row: SessionRow, what: string) =>
  new ApiError(409, CDX_ERROR_CODES.sessionState, `session ${row.id} is ${row.status}: cannot ${what}`);

/** Which statuses each reported status may follow; a report of the current status again is a no-op. */
const REPORT_FROM: Readonly<Record<SessionStatusBody["status"], readonly string[]>> = {
  Requested: ["Available", "Requested", "Downloaded", "Download failed", "Apply failed"],
  Downloaded: ["Requested", "Downloaded"],
  // A target that applied but lost the answer reports Applied again on its next round (applyPackage is a no-op).
  Applied: ["Requested", "Downloaded", "Applied"],
  "Download failed": ["Available", "Requested", "Downloaded", "Download failed", "Apply failed"],
  "Apply failed": ["Available", "Requested", "Downloaded", "Download failed", "Apply failed"],
};

/**
 * Records what a target reports. Requested is refused (409) while an earlier session of the database is
 * unfinished; a failure counts an attempt, and the try-count-th failure suspends the session.
 */
export function reportStatus(hq: Db, id: number, report: SessionStatusBody, now: string): SessionRow {
  return hq
    .transaction(() => {
      const row = getSession(hq, id);
      if (!REPORT_FROM[report.status].includes(row.status)) throw wrongState(row, `report ${report.status}`);
      const message = report.message ?? null;
      switch (report.status) {
        case "Requested":
          checkNotBlocked(hq, row);
          prepared(hq, "UPDATE download_sessions SET status = 'Requested', requested_at = ? WHERE id = ?").run(now, id);
          break;
        case "Downloaded":
          prepared(hq, "UPDATE download_sessions SET status = 'Downloaded', downloaded_at = ? WHERE id = ?").run(
            now,
            id,
          );
          break;
        case "Applied":
          if (row.status !== "Applied") {
            prepared(
              hq,
              "UPDATE download_sessions SET status = 'Applied', applied_at = ?, message = ? WHERE id = ?",
            ).run(now, message, id);
          }
          break;
        default: {
          const attempts = row.attempts + 1;
          const status = attempts >= readTryCount(hq) ? "Suspended" : report.status;
          const text =
            status === "Suspended" ? `${report.status} ${attempts} times; last: ${message ?? "(no message)"}` : message;
          prepared(hq, "UPDATE download_sessions SET status = ?, message = ?, attempts = ? WHERE id = ?").run(
            status,
            text,
            attempts,
            id,
          );
        }
      }
      return getSession(hq, id);
    })
    .immediate();
}

const RERUNNABLE: readonly string[] = ["Suspended", "Download failed", "Apply failed", "Requested", "Downloaded"];

/** Makes a failed, suspended or stuck session Available again with its attempts reset (D365 "Rerun"). */
export function rerunSession(hq: Db, id: number): SessionRow {
  return hq
    .transaction(() => {
      const row = getSession(hq, id);
      // Already Available: a rerun asked twice is done, not an error.
      if (row.status === "Available") return row;
      if (!RERUNNABLE.includes(row.status)) throw wrongState(row, "rerun it (only failed or suspended sessions)");
      prepared(hq, "UPDATE download_sessions SET status = 'Available', attempts = 0, message = ? WHERE id = ?").run(
        `rerun after ${row.status}${row.message ? `: ${row.message}` : ""}`,
        id,
      );
      return getSession(hq, id);
    })
    .immediate();
}

/**
 * Cancels a session that is not applied. Its rows must still reach the database, and every later session of
 * the same database and job starts where this one ended, so those are canceled too (they would hit a version
 * gap), and the database's chain for the job goes back to the last session before this one that is not
 * canceled: the next run packages everything the canceled sessions carried, in one session. With no such
 * session (a first, full package was canceled) the next run makes a full package again.
 */
export function cancelSession(hq: Db, id: number, now: string): CancelAnswer {
  return hq
    .transaction(() => {
      const row = getSession(hq, id);
      // Already Canceled: a cancel asked twice is done, not an error; nothing else changes.
      if (row.status === "Canceled") {
        return { session: toDownloadSession(row), alsoCanceled: [], packagedVersion: null, changed: false };
      }
      if (!UNFINISHED_STATUSES.includes(row.status as DownloadStatus)) throw wrongState(row, "cancel it");
      const later = prepared(
        hq,
        `SELECT id FROM download_sessions WHERE database = ? AND job = ? AND id > ? AND status IN (${UNFINISHED_SQL})
         ORDER BY id`,
      )
        .all(row.database, row.job, row.id)
        .map((r) => (r as { id: number }).id);
      const cancel = prepared(hq, "UPDATE download_sessions SET status = 'Canceled', message = ? WHERE id = ?");
      cancel.run(`canceled ${now}`, row.id);
      for (const other of later) cancel.run(`canceled with session ${row.id} (same database and job) ${now}`, other);
      const before = prepared<unknown[], { to_version: number }>(
        hq,
        `SELECT to_version FROM download_sessions WHERE database = ? AND job = ? AND id < ?
           AND status NOT IN ('Canceled', '${PREPARING}') ORDER BY id DESC LIMIT 1`,
      ).get(row.database, row.job, row.id);
      if (before) setPackagedVersion(hq, row.database, row.job, before.to_version);
      else clearPackagedVersions(hq, row.database, row.job);
      return {
        session: toDownloadSession(getSession(hq, id)),
        alsoCanceled: later,
        packagedVersion: before?.to_version ?? null,
        changed: true,
      };
    })
    .immediate();
}

/** Cancels every unfinished session of a database (it was removed or re-added: its chain starts over). */
export function cancelUnfinished(hq: Db, database: string, message: string): number {
  return prepared(
    hq,
    `UPDATE download_sessions SET status = 'Canceled', message = ? WHERE database = ? AND status IN (${UNFINISHED_SQL})`,
  ).run(message, database).changes;
}

/** How far the database's chain of packages of the job reaches; undefined = never packaged (next: full). */
export function packagedVersion(hq: Db, database: string, job: string): number | undefined {
  const row = prepared<unknown[], { packaged_version: number }>(
    hq,
    "SELECT packaged_version FROM distribution_versions WHERE database = ? AND job = ?",
  ).get(database, job);
  return row?.packaged_version;
}

export function setPackagedVersion(hq: Db, database: string, job: string, version: number): void {
  prepared(hq, "INSERT OR REPLACE INTO distribution_versions (database, job, packaged_version) VALUES (?, ?, ?)").run(
    database,
    job,
    version,
  );
}

/** Forgets the chain of one job, or of every job when `job` is omitted. */
export function clearPackagedVersions(hq: Db, database: string, job?: string): void {
  if (job === undefined) prepared(hq, "DELETE FROM distribution_versions WHERE database = ?").run(database);
  else prepared(hq, "DELETE FROM distribution_versions WHERE database = ? AND job = ?").run(database, job);
}
