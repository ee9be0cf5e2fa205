// What a register tells HQ about its offline state after each sync round (`pos cdx registers` shows it).
import { existsSync, statSync } from "node:fs";
import { apiPath, type OfflineStatusBody, offlineStatusAnswerSchema } from "../lib/api.js";
import type { Db } from "../lib/db.js";
import type { HttpClient } from "../lib/http.js";
import type { OfflineStore } from "../offline/offline-store.js";
import { lastSyncLog } from "../sync/sync-log.js";
import type { ConnectionState } from "./connection-state.js";

/** The body of POST /v1/registers/:id/offline-status, from the register's own records. */
export function offlineStatusReport(
  state: ConnectionState,
  local: OfflineStore,
  db: Db,
  dbFile: string,
): OfflineStatusBody {
  const pending = local.pendingSummary();
  const entry = (kind: "download" | "upload") => {
    const log = lastSyncLog(db, kind);
    return log
      ? { at: log.finishedAt ?? log.startedAt, result: log.result, message: log.message?.slice(0, 500) ?? null }
      : null;
  };
  const size = (f: string) => (existsSync(f) ? statSync(f).size : 0);
  return {
    mode: state.mode === "online" ? "online" : "offline",
    manual: state.mode === "offline-manual",
    since: new Date(state.since).toISOString(),
    lastDownload: entry("download"),
    lastUpload: entry("upload"),
    pendingCount: pending.count,
    oldestPendingAt: pending.oldest,
    dbSizeBytes: size(dbFile) + size(`${dbFile}-wal`),
  };
}

export async function reportOfflineStatus(
  http: HttpClient,
  registerId: string,
  body: OfflineStatusBody,
): Promise<void> {
  // A short timeout: the report must never hold up the round it follows.
  await http.post(apiPath.offlineStatus(registerId), body, offlineStatusAnswerSchema, { timeoutMs: 2000 });
}
