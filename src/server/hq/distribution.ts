// Distribution at HQ over Sql: download sessions, their statuses and order, packages' records and chains.
import {
  type CancelAnswer,
  CDX_ERROR_CODES,
  type DownloadStatus,
  type SessionStatusBody,
  UNFINISHED_STATUSES,
} from "../../lib/api-sync.js";
import { ApiError, notFound } from "../api-error.js";
import { blockedError, PREPARING, type SessionRow, toDownloadSession } from "../cdx/sessions.js";
import { DEFAULT_TRY_COUNT } from "../schedules/rules.js";
import { column, type Sql, scalar } from "./sql.js";
import type { PackageRecord, PackageReservation, SessionFilter } from "./store.js";

const UNFINISHED_SQL = UNFINISHED_STATUSES.map((s) => `'${s}'`).join(", ");
const TRY_COUNT_KEY = "cdx_try_count";

export async function readState(sql: Sql, key: string): Promise<string | undefined> {
  return scalar<string>(sql, "SELECT value FROM server_state WHERE key = ?", [key]);
}

export async function writeState(sql: Sql, key: string, value: string): Promise<void> {
  await sql.run(
    "INSERT INTO server_state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    [key, value],
  );
}

export async function readTryCount(sql: Sql): Promise<number> {
  const value = Number(await readState(sql, TRY_COUNT_KEY));
  return Number.isInteger(value) && value >= 1 ? value : DEFAULT_TRY_COUNT;
}

export async function writeTryCount(sql: Sql, tryCount: number): Promise<void> {
  await writeState(sql, TRY_COUNT_KEY, String(tryCount));
}

export async function findSession(sql: Sql, id: number): Promise<SessionRow | undefined> {
  const row = await sql.get<SessionRow>("SELECT * FROM download_sessions WHERE id = ?", [id]);
  return row?.status === PREPARING ? undefined : row;
}

async function getSession(sql: Sql, id: number): Promise<SessionRow> {
  const row = await findSession(sql, id);
  if (!row) throw notFound(`no download session ${id}`);
  return row;
}

export async function listSessions(sql: Sql, filter: SessionFilter = {}): Promise<SessionRow[]> {
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
  const rows = await sql.all<SessionRow>(
    `SELECT * FROM download_sessions WHERE ${where.join(" AND ")} ORDER BY id DESC${limit}`,
    params,
  );
  return rows.reverse();
}

export function blockingSession(sql: Sql, row: Pick<SessionRow, "id" | "database">): Promise<SessionRow | undefined> {
  return sql.get<SessionRow>(
    `SELECT * FROM download_sessions WHERE database = ? AND id < ? AND status IN (${UNFINISHED_SQL}) ORDER BY id LIMIT 1`,
    [row.database, row.id],
  );
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

export function reportStatus(sql: Sql, id: number, report: SessionStatusBody, now: string): Promise<SessionRow> {
  return sql.transaction(async (tx) => {
    const row = await getSession(tx, id);
    if (!REPORT_FROM[report.status].includes(row.status)) throw wrongState(row, `report ${report.status}`);
    const message = report.message ?? null;
    switch (report.status) {
      case "Requested": {
        const blocker = await blockingSession(tx, row);
        if (blocker) throw blockedError(row, blocker);
        await tx.run("UPDATE download_sessions SET status = 'Requested', requested_at = ? WHERE id = ?", [now, id]);
        break;
      }
      case "Downloaded":
        await tx.run("UPDATE download_sessions SET status = 'Downloaded', downloaded_at = ? WHERE id = ?", [now, id]);
        break;
      case "Applied":
        if (row.status !== "Applied") {
          await tx.run("UPDATE download_sessions SET status = 'Applied', applied_at = ?, message = ? WHERE id = ?", [
            now,
            message,
            id,
          ]);
        }
        break;
      default: {
        const attempts = row.attempts + 1;
        const status = attempts >= (await readTryCount(tx)) ? "Suspended" : report.status;
        const text =
          status === "Suspended" ? `${report.status} ${attempts} times; last: ${message ?? "(no message)"}` : message;
        await tx.run("UPDATE download_sessions SET status = ?, message = ?, attempts = ? WHERE id = ?", [
          status,
          text,
          attempts,
          id,
        ]);
      }
    }
    return getSession(tx, id);
  });
}

const RERUNNABLE: readonly string[] = ["Suspended", "Download failed", "Apply failed", "Requested", "Downloaded"];

export function rerunSession(sql: Sql, id: number): Promise<SessionRow> {
  return sql.transaction(async (tx) => {
    const row = await getSession(tx, id);
    // Already Available: a rerun asked twice is done, not an error.
    if (row.status === "Available") return row;
    if (!RERUNNABLE.includes(row.status)) throw wrongState(row, "rerun it (only failed or suspended sessions)");
    await tx.run("UPDATE download_sessions SET status = 'Available', attempts = 0, message = ? WHERE id = ?", [
      `rerun after ${row.status}${row.message ? `: ${row.message}` : ""}`,
      id,
    ]);
    return getSession(tx, id);
  });
}

/**
 * Cancels a session that is not applied, with every later unfinished session of the same database and job (they
 * would hit a version gap); the chain goes back to the last session before it that is not canceled (none: the
 * next run makes a full package).
 */
export function cancelSession(sql: Sql, id: number, now: string): Promise<CancelAnswer> {
  return sql.transaction(async (tx) => {
    const row = await getSession(tx, id);
    // Already Canceled: a cancel asked twice is done, not an error; nothing else changes.
    if (row.status === "Canceled") {
      return { session: toDownloadSession(row), alsoCanceled: [], packagedVersion: null, changed: false };
    }
    if (!UNFINISHED_STATUSES.includes(row.status as DownloadStatus)) throw wrongState(row, "cancel it");
    const later = await column<number>(
      tx,
      `SELECT id FROM download_sessions WHERE database = ? AND job = ? AND id > ? AND status IN (${UNFINISHED_SQL})
       ORDER BY id`,
      [row.database, row.job, row.id],
    );
    const cancel = "UPDATE download_sessions SET status = 'Canceled', message = ? WHERE id = ?";
    await tx.run(cancel, [`canceled ${now}`, row.id]);
    for (const other of later)
      await tx.run(cancel, [`canceled with session ${row.id} (same database and job) ${now}`, other]);
    const before = await tx.get<{ to_version: number }>(
      `SELECT to_version FROM download_sessions WHERE database = ? AND job = ? AND id < ?
         AND status NOT IN ('Canceled', '${PREPARING}') ORDER BY id DESC LIMIT 1`,
      [row.database, row.job, row.id],
    );
    if (before) await setPackagedVersion(tx, row.database, row.job, before.to_version);
    else await tx.run("DELETE FROM distribution_versions WHERE database = ? AND job = ?", [row.database, row.job]);
    return {
      session: toDownloadSession(await getSession(tx, id)),
      alsoCanceled: later,
      packagedVersion: before?.to_version ?? null,
      changed: true,
    };
  });
}

export function cancelUnfinished(sql: Sql, database: string, message: string): Promise<number> {
  return sql.run(
    `UPDATE download_sessions SET status = 'Canceled', message = ? WHERE database = ? AND status IN (${UNFINISHED_SQL})`,
    [message, database],
  );
}

export function packagedVersion(sql: Sql, database: string, job: string): Promise<number | undefined> {
  return scalar<number>(sql, "SELECT packaged_version FROM distribution_versions WHERE database = ? AND job = ?", [
    database,
    job,
  ]);
}

async function setPackagedVersion(sql: Sql, database: string, job: string, version: number): Promise<void> {
  await sql.run(
    `INSERT INTO distribution_versions (database, job, packaged_version) VALUES (?, ?, ?)
     ON CONFLICT (database, job) DO UPDATE SET packaged_version = excluded.packaged_version`,
    [database, job, version],
  );
}

export function unfinishedSessions(sql: Sql, database: string): Promise<SessionRow[]> {
  return sql.all<SessionRow>(
    `SELECT * FROM download_sessions WHERE database = ? AND status IN (${UNFINISHED_SQL}) ORDER BY id`,
    [database],
  );
}

export function interruptedChannelSessions(sql: Sql): Promise<SessionRow[]> {
  return sql.all<SessionRow>(
    `SELECT s.* FROM download_sessions s JOIN channel_databases d ON d.name = s.database
     WHERE d.kind = 'channel' AND s.status IN ('Requested', 'Downloaded') ORDER BY s.id`,
  );
}

/** The package's id is its first session's: a Preparing row reserved now, because the id goes into the header. */
export function reservePackage(sql: Sql, r: PackageReservation): Promise<{ id: number; file: string }> {
  return sql.transaction(async (tx) => {
    const id = (await scalar<number>(
      tx,
      `INSERT INTO download_sessions (job, database, status, "full", from_version, to_version, created_at, package_scope)
       VALUES (?, ?, '${PREPARING}', ?, ?, ?, ?, ?) RETURNING id`,
      [r.job, r.firstDatabase, r.full ? 1 : 0, r.fromVersion, r.fromVersion, r.createdAt, r.store],
    )) as number;
    const file = r.file(id);
    await tx.run("UPDATE download_sessions SET file = ?, package = ? WHERE id = ?", [file, id, id]);
    return { id, file };
  });
}

export async function dropReserved(sql: Sql, ids: readonly number[]): Promise<void> {
  for (const id of ids) await sql.run("DELETE FROM download_sessions WHERE id = ?", [id]);
}

export function recordPackages(
  sql: Sql,
  records: readonly PackageRecord[],
  version: number,
  now: string,
): Promise<{ sessions: number[]; packages: number; upToDate: number; emptyFiles: string[] }> {
  return sql.transaction(async (tx) => {
    const made = { sessions: [] as number[], packages: 0, upToDate: 0, emptyFiles: [] as string[] };
    for (const record of records) {
      const written = record.written;
      if (!written || (written.empty && !record.full)) {
        await tx.run("DELETE FROM download_sessions WHERE id = ?", [record.session]);
        made.emptyFiles.push(record.file);
        made.upToDate += record.databases.length;
        continue;
      }
      made.packages++;
      const rowsJson = JSON.stringify(written.rows);
      await tx.run(
        "UPDATE download_sessions SET status = 'Available', to_version = ?, rows_json = ?, size = ?, sha256 = ? WHERE id = ?",
        [version, rowsJson, written.size, written.sha256, record.session],
      );
      made.sessions.push(record.session);
      for (const database of record.databases.slice(1)) {
        const id = (await scalar<number>(
          tx,
          `INSERT INTO download_sessions (job, database, status, "full", from_version, to_version, rows_json, size, sha256,
             file, created_at, package, package_scope)
           VALUES (?, ?, 'Available', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
          [
            record.job,
            database,
            record.full ? 1 : 0,
            record.fromVersion,
            version,
            rowsJson,
            written.size,
            written.sha256,
            record.file,
            now,
            record.session,
            record.store,
          ],
        )) as number;
        made.sessions.push(id);
      }
      for (const database of record.databases) await setPackagedVersion(tx, database, record.job, version);
    }
    return made;
  });
}

export function dropUnfinishedRuns(sql: Sql): Promise<string[]> {
  return sql.transaction(async (tx) => {
    const files = await column<string>(
      tx,
      `SELECT file FROM download_sessions WHERE status = '${PREPARING}' AND file IS NOT NULL`,
    );
    await tx.run(`DELETE FROM download_sessions WHERE status = '${PREPARING}'`);
    return files;
  });
}
