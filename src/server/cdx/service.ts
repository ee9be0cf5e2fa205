// The server's CDX service: runs (download and P-0001) and channel applies, one at a time, and the start-up run.
import type { RunAnswer, RunBody } from "../../lib/api-sync.js";
import type { Clock } from "../../lib/clock.js";
import type { Db } from "../../lib/db.js";
import { validationFailed } from "../api-error.js";
import type { HqStore } from "../hq/store.js";
import { isoTime } from "../statements.js";
import { applyChannelSessions, type ChannelApplyResult } from "./channel-apply.js";
import { requireDatabase } from "./databases.js";
import { type ReconcileResult, reconcileInterrupted } from "./reconcile.js";
import { ALL_JOBS, dropUnfinishedRuns, runDownload } from "./schedule.js";
import { toDownloadSession } from "./sessions.js";
import { runUpload } from "./upload.js";

export const UPLOAD_JOB = "P-0001";

export interface CdxOptions {
  hq: HqStore;
  /** Channel database name (= store id) → its connection. */
  channels: ReadonlyMap<string, Db>;
  clock: Clock;
  /** Where package files are written (`<server dir>/packages`). */
  packagesDir: string;
  /**
   * True (default): the server applies its channel databases' new sessions at once, inside the run. False:
   * only when `applyChannels` is called (`pos server start --channel-download-interval <s>` calls it on a timer).
   */
  applyChannelAtOnce?: boolean;
}

export interface CdxStartup {
  /** Databases created now (new stores, registers that support offline). */
  created: string[];
  removed: string[];
  /** Sessions of the start-up run (new channel databases: one full package per job) as they ended. */
  sessions: ReturnType<typeof toDownloadSession>[];
  applied: ChannelApplyResult[];
  /** Sessions a killed server had left unfinished, and the final status each was given. */
  interrupted: ReconcileResult;
}

export interface CdxService {
  run(body: RunBody): Promise<RunAnswer>;
  /** Applies every channel database's unfinished sessions (the channel download interval). */
  applyChannels(): Promise<ChannelApplyResult[]>;
  /**
   * First start (and every start): databases for every store and offline register, then one full package per
   * job for channel databases that never had one, applied at once — so channel databases only ever change
   * through packages.
   */
  startup(): Promise<CdxStartup>;
  /**
   * After a store or register was added at runtime: the databases master data now calls for, and one full
   * package per job for new channel databases, applied at once (offline databases get theirs at the next run).
   */
  distributeNew(): Promise<Omit<CdxStartup, "interrupted">>;
}

export function createCdxService(options: CdxOptions): CdxService {
  const { hq, channels, clock, packagesDir } = options;
  const atOnce = options.applyChannelAtOnce ?? true;
  // Runs and applies share the chains (distribution_versions) and each database's session order: one at a time.
  let tail: Promise<unknown> = Promise.resolve();
  const serial = <T>(task: () => Promise<T>): Promise<T> => {
    const next = tail.then(task, task);
    tail = next.catch(() => undefined);
    return next;
  };
  const schedule = { hq, clock, packagesDir };
  const applyCtx = { hq, clock, channels };
  const latest = async <T extends { id: number }>(session: T) => {
    const row = await hq.downloadSessions.find(session.id);
    return row ? toDownloadSession(row) : session;
  };
  const latestAll = async <T extends { id: number }>(sessions: readonly T[]) => {
    const out: (T | ReturnType<typeof toDownloadSession>)[] = [];
    for (const s of sessions) out.push(await latest(s));
    return out as ReturnType<typeof toDownloadSession>[];
  };

  const download = async (body: RunBody): Promise<RunAnswer> => {
    const result = await runDownload(schedule, { job: body.job, full: body.full, database: body.database });
    const channelTargets = [...new Set(result.sessions.map((s) => s.database))].filter((d) => channels.has(d));
    if (atOnce && channelTargets.length > 0) await applyChannelSessions(applyCtx, channelTargets);
    return {
      job: body.job,
      sessions: await latestAll(result.sessions),
      skipped: result.skipped,
      uploads: [],
      packages: result.packages,
      upToDate: result.upToDate,
    };
  };

  const upload = async (body: RunBody): Promise<RunAnswer> => {
    if (body.full) throw validationFailed(`full: ${UPLOAD_JOB} always sends what HQ does not have yet`);
    let targets: ReadonlyMap<string, Db> = channels;
    if (body.database !== undefined) {
      const database = await requireDatabase(hq, body.database);
      const channel = channels.get(database.name);
      if (database.kind !== "channel" || !channel) {
        throw validationFailed(`database: ${UPLOAD_JOB} uploads from channel databases; ${body.database} is not one`);
      }
      targets = new Map([[database.name, channel]]);
    }
    return { job: UPLOAD_JOB, sessions: [], skipped: [], uploads: await runUpload({ hq, clock, channels: targets }) };
  };

  const distributeNew = async (): Promise<Omit<CdxStartup, "interrupted">> => {
    const reconciled = await hq.distribution.reconcileDatabases(isoTime(clock.now()));
    const run = await runDownload(schedule, { job: ALL_JOBS, kind: "channel", onlyNew: true });
    const applied = await applyChannelSessions(applyCtx);
    return { ...reconciled, sessions: await latestAll(run.sessions), applied };
  };

  return {
    run: (body) => serial(() => (body.job === UPLOAD_JOB ? upload(body) : download(body))),
    applyChannels: () => serial(() => applyChannelSessions(applyCtx)),
    startup: () =>
      serial(async () => {
        await dropUnfinishedRuns(hq, packagesDir);
        const interrupted = await reconcileInterrupted(hq, channels, isoTime(clock.now()));
        const reconciled = await hq.distribution.reconcileDatabases(isoTime(clock.now()));
        const run = await runDownload(schedule, { job: ALL_JOBS, kind: "channel", onlyNew: true });
        const applied = await applyChannelSessions(applyCtx);
        // The start-up apply retries what an interrupted apply left: report where each session ended.
        const downloads: { id: number; status: string }[] = [];
        for (const d of interrupted.downloads) {
          downloads.push({ id: d.id, status: (await hq.downloadSessions.find(d.id))?.status ?? d.status });
        }
        return {
          ...reconciled,
          interrupted: { ...interrupted, downloads },
          sessions: await latestAll(run.sessions),
          applied,
        };
      }),
    distributeNew: () => serial(distributeNew),
  };
}
