// At server start: sessions a killed server left unfinished (P-0001 "Uploaded", its own channel applies) get a final status.
import type { Db } from "../../lib/db.js";
import { preparedPluck } from "../../lib/db.js";
import type { HqStore } from "../hq/store.js";

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
export async function reconcileInterrupted(
  hq: HqStore,
  channels: ReadonlyMap<string, Db>,
  now: string,
): Promise<ReconcileResult> {
  return {
    uploads: await hq.uploads.reconcileInterrupted(now),
    downloads: await reconcileChannelApplies(hq, channels, now),
  };
}

async function reconcileChannelApplies(
  hq: HqStore,
  channels: ReadonlyMap<string, Db>,
  now: string,
): Promise<ReconcileResult["downloads"]> {
  const result: ReconcileResult["downloads"] = [];
  for (const session of await hq.distribution.interruptedChannelSessions()) {
    const channel = channels.get(session.database);
    if (!channel) continue;
    const applied = preparedPluck(channel, "SELECT applied_at FROM applied_sessions WHERE session = ?").get(
      session.id,
    ) as string | undefined;
    const ended =
      applied !== undefined
        ? await hq.downloadSessions.report(
            session.id,
            { status: "Applied", message: "applied before the server stopped; status recorded at the next start" },
            applied,
          )
        : await hq.downloadSessions.report(
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
