// The retail server as a target: applies its channel databases' sessions with the registers' applyPackage code.
import type { DownloadSession } from "../../lib/api-sync.js";
import type { Clock } from "../../lib/clock.js";
import { type Db, prepared } from "../../lib/db.js";
import { applyPackage } from "../../sync/package/apply.js";
import { isoTime } from "../statements.js";
import { pauseForTest } from "../test-pause.js";
import { reportStatus, type SessionRow, toDownloadSession, UNFINISHED } from "./sessions.js";

export interface ChannelApplyContext {
  hq: Db;
  clock: Clock;
  /** Channel database name (the store id) → its connection. */
  channels: ReadonlyMap<string, Db>;
}

export interface ChannelApplyResult {
  database: string;
  /** Every session this round touched, as it ended. */
  sessions: DownloadSession[];
  /** Why the round stopped for this database (a failed or suspended session blocks the later ones). */
  stoppedBy: string | null;
}

/**
 * Applies each channel database's unfinished sessions in id order, recording the statuses a register would
 * report (Requested, Downloaded — the file is already here —, Applied; Apply failed with the reason, which
 * counts an attempt). The first failure or Suspended session ends that database's round.
 */
export async function applyChannelSessions(
  ctx: ChannelApplyContext,
  only?: readonly string[],
): Promise<ChannelApplyResult[]> {
  const results: ChannelApplyResult[] = [];
  const names = (
    prepared(ctx.hq, "SELECT name FROM channel_databases WHERE kind = 'channel' ORDER BY name").all() as {
      name: string;
    }[]
  ).map((r) => r.name);
  for (const name of names) {
    if (only && !only.includes(name)) continue;
    const channel = ctx.channels.get(name);
    if (!channel) continue;
    results.push(await applyDatabase(ctx, name, channel));
  }
  return results;
}

async function applyDatabase(ctx: ChannelApplyContext, name: string, channel: Db): Promise<ChannelApplyResult> {
  const result: ChannelApplyResult = { database: name, sessions: [], stoppedBy: null };
  const pending = prepared(
    ctx.hq,
    `SELECT * FROM download_sessions WHERE database = ? AND status IN (${UNFINISHED.map(() => "?").join(", ")}) ORDER BY id`,
  ).all(name, ...UNFINISHED) as SessionRow[];
  const now = () => isoTime(ctx.clock.now());
  for (const session of pending) {
    if (session.status === "Suspended") {
      result.sessions.push(toDownloadSession(session));
      result.stoppedBy = `session ${session.id} is Suspended (pos cdx rerun ${session.id} or pos cdx cancel ${session.id})`;
      break;
    }
    reportStatus(ctx.hq, session.id, { status: "Requested" }, now());
    reportStatus(ctx.hq, session.id, { status: "Downloaded" }, now());
    pauseForTest("channel-apply");
    try {
      await applyPackage(
        channel,
        session.file ?? "",
        { session: session.id, job: session.job, database: name, size: session.size, sha256: session.sha256 },
        { now: now() },
      );
    } catch (error) {
      const message = (error as Error).message;
      const failed = reportStatus(ctx.hq, session.id, { status: "Apply failed", message }, now());
      result.sessions.push(toDownloadSession(failed));
      result.stoppedBy = `session ${session.id} (job ${session.job}): ${failed.status} — ${message}`;
      break;
    }
    pauseForTest("channel-applied");
    result.sessions.push(toDownloadSession(reportStatus(ctx.hq, session.id, { status: "Applied" }, now())));
  }
  return result;
}
