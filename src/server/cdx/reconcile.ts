// At server start: sessions a killed server left unfinished (P-0001 "Uploaded", its own channel applies) get a final status.
import type { Db } from "../../lib/db.js";
import { prepared, preparedPluck } from "../../lib/db.js";
import { reportStatus, type SessionRow } from "./sessions.js";

export interface ReconcileResult {
  /** Upload sessions that were still `Uploaded`, with the status they were given. */
  uploads: { id: number; status: "Applied" | "Apply failed" }[];
  /** Download sessions of the server's channel databases left `Requested`/`Downloaded`, with their new status. */
  downloads: { id: number; status: string }[];
}

/**
 * Nothing else runs at start, so a session in a transient status was being worked on by a server that is gone.
 * - P-0001: the HQ apply inserts the transactions, the high-water mark and `Applied` in one transaction, so an
 *   `Uploaded` session either has its rows at HQ (Applied) or none of them (Apply failed); then the replication
 *   counter was not advanced and the next run sends the same transactions once.
 * - The server's own channel databases: a package and its applied_sessions row commit together, so a session whose
 *   row is there is Applied; otherwise the apply is recorded as a failed attempt, and the start-up apply that follows
 *   applies it again (sessions of registers' offline databases are left to the registers, which report their own).
 */
export function reconcileInterrupted(hq: Db, channels: ReadonlyMap<string, Db>, now: string): ReconcileResult {
  return { uploads: reconcileUploads(hq, now), downloads: reconcileChannelApplies(hq, channels, now) };
}

function reconcileUploads(hq: Db, now: string): ReconcileResult["uploads"] {
  const stuck = preparedPluck(
    hq,
    "SELECT id FROM upload_sessions WHERE status = 'Uploaded' ORDER BY id",
  ).all() as number[];
  return stuck.map((id) => {
    const row = prepared(
      hq,
      "SELECT COUNT(*) AS inserted, MAX(uploaded_at) AS appliedAt FROM hq_transactions WHERE upload_session = ?",
    ).get(id) as { inserted: number; appliedAt: string | null };
    if (row.inserted > 0) {
      prepared(
        hq,
        "UPDATE upload_sessions SET status = 'Applied', inserted = ?, applied_at = ?, message = ? WHERE id = ?",
      ).run(
        row.inserted,
        row.appliedAt ?? now,
        "the server stopped after the apply; status recorded at the next start",
        id,
      );
      return { id, status: "Applied" as const };
    }
    prepared(hq, "UPDATE upload_sessions SET status = 'Apply failed', message = ? WHERE id = ?").run(
      "the server stopped during the apply at HQ; nothing of it reached HQ, the next P-0001 run sends these transactions",
      id,
    );
    return { id, status: "Apply failed" as const };
  });
}

function reconcileChannelApplies(hq: Db, channels: ReadonlyMap<string, Db>, now: string): ReconcileResult["downloads"] {
  const result: ReconcileResult["downloads"] = [];
  const rows = prepared(
    hq,
    `SELECT s.* FROM download_sessions s JOIN channel_databases d ON d.name = s.database
     WHERE d.kind = 'channel' AND s.status IN ('Requested', 'Downloaded') ORDER BY s.id`,
  ).all() as SessionRow[];
  for (const session of rows) {
    const channel = channels.get(session.database);
    if (!channel) continue;
    const applied = preparedPluck(channel, "SELECT applied_at FROM applied_sessions WHERE session = ?").get(
      session.id,
    ) as string | undefined;
    const ended =
      applied !== undefined
        ? reportStatus(
            hq,
            session.id,
            { status: "Applied", message: "applied before the server stopped; status recorded at the next start" },
            applied,
          )
        : reportStatus(
            hq,
            session.id,
            {
              status: "Apply failed",
              message: `the server stopped during the apply (session was ${session.status}); nothing of it was applied`,
            },
            now,
          );
    result.push({ id: session.id, status: ended.status });
  }
  return result;
}
