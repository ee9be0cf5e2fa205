// Every download and upload attempt, recorded in the register's database so the Connection status window is true across processes.
import type { Db } from "../lib/db.js";

export type SyncKind = "download" | "upload";
export type SyncResult = "running" | "ok" | "failed" | "nothing";

export interface SyncCounts {
  sessions?: number;
  rows?: number;
  transactions?: number;
  bytes?: number;
}

export interface SyncLogEntry {
  id: number;
  kind: SyncKind;
  startedAt: string;
  finishedAt: string | null;
  result: SyncResult;
  message: string | null;
  sessions: number;
  rows: number;
  transactions: number;
  bytes: number;
}

export function startSyncLog(db: Db, kind: SyncKind, now: string): number {
  return Number(
    db.prepare("INSERT INTO sync_log (kind, started_at, result) VALUES (?, ?, 'running')").run(kind, now)
      .lastInsertRowid,
  );
}

export function finishSyncLog(
  db: Db,
  id: number,
  result: Exclude<SyncResult, "running">,
  now: string,
  message: string | null,
  counts: SyncCounts = {},
): void {
  db.prepare(
    `UPDATE sync_log SET finished_at = ?, result = ?, message = ?, sessions = ?, rows = ?, transactions = ?, bytes = ?
      WHERE id = ?`,
  ).run(now, result, message, counts.sessions ?? 0, counts.rows ?? 0, counts.transactions ?? 0, counts.bytes ?? 0, id);
}

export function lastSyncLog(db: Db, kind: SyncKind): SyncLogEntry | null {
  const row = db
    .prepare(
      `SELECT id, kind, started_at AS startedAt, finished_at AS finishedAt, result, message, sessions, rows, transactions, bytes
         FROM sync_log WHERE kind = ? ORDER BY id DESC LIMIT 1`,
    )
    .get(kind) as SyncLogEntry | undefined;
  return row ?? null;
}
