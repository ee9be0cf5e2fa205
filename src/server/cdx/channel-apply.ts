// The retail server as a target: applies its channel databases' sessions with the registers' applyPackage code.
import type { DownloadSession } from "../../lib/api-sync.js";
import type { Clock } from "../../lib/clock.js";
import type { Db } from "../../lib/db.js";
import { applyPackage } from "../../sync/package/apply.js";
import type { HqStore } from "../hq/store.js";
import { isoTime } from "../statements.js";
import { pauseForTest } from "../test-pause.js";
import { applyOnWorker } from "./generate-protocol.js";
import { toDownloadSession } from "./sessions.js";

export interface ChannelApplyContext {
  hq: HqStore;
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
  const names = (await ctx.hq.distribution.listDatabases()).filter((d) => d.kind === "channel").map((d) => d.name);
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
  const pending = await ctx.hq.downloadSessions.unfinished(name);
  const now = () => isoTime(ctx.clock.now());
  for (const session of pending) {
    if (session.status === "Suspended") {
      result.sessions.push(toDownloadSession(session));
      result.stoppedBy = `session ${session.id} is Suspended (pos cdx rerun ${session.id} or pos cdx cancel ${session.id})`;
      break;
    }
    await ctx.hq.downloadSessions.report(session.id, { status: "Requested" }, now());
    await ctx.hq.downloadSessions.report(session.id, { status: "Downloaded" }, now());
    pauseForTest("channel-apply");
    const expected = {
      session: session.package ?? session.id,
      job: session.job,
      database: session.package_scope ?? name,
      size: session.size,
      sha256: session.sha256,
    };
    try {
      // Off the event loop on the CDX thread (its own connection); an in-memory database has no file to share.
      if (channel.memory) await applyPackage(channel, session.file ?? "", expected, { now: now() });
      else await applyOnWorker({ database: channel.name, file: session.file ?? "", expected, now: now() });
    } catch (error) {
      const message = (error as Error).message;
      const failed = await ctx.hq.downloadSessions.report(session.id, { status: "Apply failed", message }, now());
      result.sessions.push(toDownloadSession(failed));
      result.stoppedBy = `session ${session.id} (job ${session.job}): ${failed.status} — ${message}`;
      break;
    }
    pauseForTest("channel-applied");
    result.sessions.push(
      toDownloadSession(await ctx.hq.downloadSessions.report(session.id, { status: "Applied" }, now())),
    );
  }
  return result;
}
