// Download sessions as the API shows them (the rows and their transitions are kept by HqStore.distribution).
import { CDX_ERROR_CODES, type DownloadSession, type DownloadStatus } from "../../lib/api-sync.js";
import { ApiError, notFound } from "../api-error.js";
import type { HqStore } from "../hq/store.js";

/** Internal: the row exists (its id is in the package header) while the package is written; never listed. */
export const PREPARING = "Preparing";

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

export async function getSession(hq: HqStore, id: number): Promise<SessionRow> {
  const row = await hq.downloadSessions.find(id);
  if (!row) throw notFound(`no download session ${id}`);
  return row;
}

/** 409 while an earlier session of the same database is unfinished: sessions are applied strictly in order. */
export async function checkNotBlocked(hq: HqStore, row: SessionRow): Promise<void> {
  const blocker = await hq.downloadSessions.blocking(row);
  if (blocker) throw blockedError(row, blocker);
}

export function blockedError(row: SessionRow, blocker: SessionRow): ApiError {
  return new ApiError(
    409,
    CDX_ERROR_CODES.sessionBlocked,
    `session ${row.id} waits for session ${blocker.id} of ${row.database} (job ${blocker.job}, ${blocker.status}): sessions are applied strictly in order${blocker.status === "Suspended" ? `; run pos cdx rerun ${blocker.id} or pos cdx cancel ${blocker.id}` : ""}`,
  );
}
