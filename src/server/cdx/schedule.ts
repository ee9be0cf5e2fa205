// Distribution schedule runs: one download session per target database and job, from one HQ snapshot.
import { existsSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { ChannelDatabase, DownloadSession } from "../../lib/api-sync.js";
import type { Clock } from "../../lib/clock.js";
import { type Db, prepared, preparedPluck } from "../../lib/db.js";
import { InternalError } from "../../lib/errors.js";
import { DOWNLOAD_JOB_IDS, DOWNLOAD_JOBS, type DownloadJobId } from "../../schema/tables.js";
import { validationFailed } from "../api-error.js";
import { excludedJobsFor } from "../offline-exclusion.js";
import { isoTime } from "../statements.js";
import { listDatabases, pauseReason, requireDatabase } from "./databases.js";
import { type HqSnapshot, openHqSnapshot, writeSessionPackage } from "./generate.js";
import { getSession, PREPARING, packagedVersion, setPackagedVersion, toDownloadSession } from "./sessions.js";

export const ALL_JOBS = "9999";

export interface DownloadRunRequest {
  job: string;
  full?: boolean | undefined;
  /** One database by name; default every database in every channel data group. */
  database?: string | undefined;
  /** Only databases of this kind (the server's start-up run covers its channel databases). */
  kind?: ChannelDatabase["kind"] | undefined;
  /** Only jobs this database never had a package of (start-up: new channel databases). */
  onlyNew?: boolean | undefined;
}

export interface DownloadRunResult {
  sessions: DownloadSession[];
  skipped: { database: string; reason: string }[];
}

export interface ScheduleContext {
  hq: Db;
  clock: Clock;
  packagesDir: string;
}

/** "1040" → ["1040"], "9999" → every download job; anything else is bad input (400 → exit 2). */
export function jobsOf(job: string): DownloadJobId[] {
  if (job === ALL_JOBS) return [...DOWNLOAD_JOB_IDS];
  if (Object.hasOwn(DOWNLOAD_JOBS, job)) return [job as DownloadJobId];
  throw validationFailed(
    `job: unknown job "${job}" (download jobs ${DOWNLOAD_JOB_IDS.join(", ")}, ${ALL_JOBS} for all, P-0001 to upload)`,
  );
}

/**
 * For each target and job: the rows changed since the database's chain of that job ends (or all rows, for
 * --full and for a database that never had a package of the job — one full package, never a backlog), as one
 * session. Nothing changed: a `No data` session, no file, and the chain stays where it was (the target's
 * version only moves when it applies a package, so the next package must start where the last one ended).
 */
export async function runDownload(ctx: ScheduleContext, request: DownloadRunRequest): Promise<DownloadRunResult> {
  const jobs = jobsOf(request.job);
  const targets = request.database
    ? [requireDatabase(ctx.hq, request.database)]
    : listDatabases(ctx.hq).filter((d) => !d.removedAt && (!request.kind || d.kind === request.kind));
  const result: DownloadRunResult = { sessions: [], skipped: [] };
  const active = targets.filter((database) => {
    const reason = pauseReason(database);
    if (reason) result.skipped.push({ database: database.name, reason });
    return reason === null;
  });
  if (active.length === 0) return result;
  // The run reads HQ through a second connection (a snapshot), which an in-memory database cannot have.
  if (ctx.hq.memory) throw new InternalError("distribution runs need HQ in a file, not in memory");
  mkdirSync(ctx.packagesDir, { recursive: true });
  const snapshot = openHqSnapshot(ctx.hq.name);
  try {
    for (const database of active) {
      const excluded = excludedJobsFor(ctx.hq, database);
      for (const job of jobs) {
        if (excluded.includes(job)) {
          result.skipped.push({
            database: database.name,
            reason: `job ${job}: offline data exclusion (offline profile)`,
          });
          continue;
        }
        const last = packagedVersion(ctx.hq, database.name, job);
        if (request.onlyNew && last !== undefined) continue;
        const full = request.full === true || last === undefined;
        result.sessions.push(await makeSession(ctx, snapshot, database, job, full, full ? 0 : (last ?? 0)));
      }
    }
  } finally {
    snapshot.close();
  }
  return result;
}

async function makeSession(
  ctx: ScheduleContext,
  snapshot: HqSnapshot,
  database: ChannelDatabase,
  job: DownloadJobId,
  full: boolean,
  fromVersion: number,
): Promise<DownloadSession> {
  const { hq } = ctx;
  const now = isoTime(ctx.clock.now());
  const toVersion = snapshot.version;
  const id = Number(
    prepared(
      hq,
      `INSERT INTO download_sessions (job, database, status, full, from_version, to_version, created_at)
       VALUES (?, ?, '${PREPARING}', ?, ?, ?, ?)`,
    ).run(job, database.name, full ? 1 : 0, fromVersion, toVersion, now).lastInsertRowid,
  );
  const file = join(ctx.packagesDir, `session-${id}-${database.name.replace(/[^A-Za-z0-9_-]/g, "_")}-${job}.pkg`);
  prepared(hq, "UPDATE download_sessions SET file = ? WHERE id = ?").run(file, id);
  try {
    const written = await writeSessionPackage(snapshot.db, {
      session: id,
      job,
      database: database.name,
      store: database.store,
      full,
      fromVersion,
      toVersion,
      file,
    });
    const rows = Object.values(written.rows).reduce((sum, n) => sum + (n ?? 0), 0);
    hq.transaction(() => {
      if (rows === 0 && !full) {
        // Nothing to download: the session is kept as the record that the schedule ran.
        prepared(
          hq,
          "UPDATE download_sessions SET status = 'No data', to_version = from_version, file = NULL WHERE id = ?",
        ).run(id);
        return;
      }
      prepared(
        hq,
        `UPDATE download_sessions SET status = 'Available', rows_json = ?, size = ?, sha256 = ? WHERE id = ?`,
      ).run(JSON.stringify(written.rows), written.size, written.sha256, id);
      setPackagedVersion(hq, database.name, job, toVersion);
    })();
    if (rows === 0 && !full) rmSync(file, { force: true });
  } catch (error) {
    prepared(hq, "DELETE FROM download_sessions WHERE id = ?").run(id);
    rmSync(file, { force: true });
    throw error;
  }
  return toDownloadSession(getSession(hq, id));
}

/**
 * Start-up, before any run: sessions a killed run left half-made are dropped with their files (ids are not
 * reused), and so are the writer's temporary files.
 */
export function dropUnfinishedRuns(hq: Db, packagesDir: string): number {
  const files = preparedPluck(
    hq,
    `SELECT file FROM download_sessions WHERE status = '${PREPARING}' AND file IS NOT NULL`,
  ).all() as string[];
  for (const file of files) rmSync(file, { force: true });
  if (existsSync(packagesDir)) {
    for (const name of readdirSync(packagesDir)) {
      if (name.endsWith(".partial") || name.endsWith(".body")) rmSync(join(packagesDir, name), { force: true });
    }
  }
  return prepared(hq, `DELETE FROM download_sessions WHERE status = '${PREPARING}'`).run().changes;
}
