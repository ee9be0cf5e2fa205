// Distribution schedule runs: one package per (store, job, version) shared by the sessions of every database needing it.
import { existsSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { ChannelDatabase, DownloadSession } from "../../lib/api-sync.js";
import type { Clock } from "../../lib/clock.js";
import { type Db, prepared, preparedPluck } from "../../lib/db.js";
import { InternalError } from "../../lib/errors.js";
import { DOWNLOAD_JOB_IDS, DOWNLOAD_JOBS, type DownloadJobId } from "../../schema/tables.js";
import { validationFailed } from "../api-error.js";
import { currentChangeVersion } from "../change-tracking.js";
import { excludedJobsFor } from "../offline-exclusion.js";
import { isoTime } from "../statements.js";
import { listDatabases, pauseReason, requireDatabase } from "./databases.js";
import type { PackagePlan } from "./generate.js";
import { generateOnWorker } from "./generate-protocol.js";
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
  /** Package files written (each shared by the sessions of every database that needed it). */
  packages: number;
  /** Database × job pairs with nothing new: no session recorded. */
  upToDate: number;
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
 * --full and for a database that never had a package of the job — one full package, never a backlog).
 *
 * Distribution by data group, as D365 does: databases whose rows come from the same store and whose chains
 * stand at the same version get one package (per job), written once and shared by their sessions; each
 * database still has its own session (status, attempts, Suspended). A database with nothing new gets no
 * session at all and its chain stays where it was (its version only moves when it applies a package, so the
 * next package must start where the last one ended). The packages are written on a worker thread.
 */
export async function runDownload(ctx: ScheduleContext, request: DownloadRunRequest): Promise<DownloadRunResult> {
  const jobs = jobsOf(request.job);
  const targets = request.database
    ? [requireDatabase(ctx.hq, request.database)]
    : listDatabases(ctx.hq).filter((d) => !d.removedAt && (!request.kind || d.kind === request.kind));
  const result: DownloadRunResult = { sessions: [], skipped: [], packages: 0, upToDate: 0 };
  const active = targets.filter((database) => {
    const reason = pauseReason(database);
    if (reason) result.skipped.push({ database: database.name, reason });
    return reason === null;
  });
  if (active.length === 0) return result;
  // The run reads HQ through a second connection (a snapshot), which an in-memory database cannot have.
  if (ctx.hq.memory) throw new InternalError("distribution runs need HQ in a file, not in memory");
  const current = currentChangeVersion(ctx.hq);
  const groups = new Map<string, PackageGroup>();
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
      const fromVersion = full ? 0 : (last ?? 0);
      // Nothing changed at HQ since this chain's end: nothing to package, no need to look at a single row.
      if (!full && fromVersion >= current) {
        result.upToDate++;
        continue;
      }
      const key = `${database.store}\u0000${job}\u0000${full ? 1 : 0}\u0000${fromVersion}`;
      const group = groups.get(key) ?? { store: database.store, job, full, fromVersion, databases: [] };
      group.databases.push(database);
      groups.set(key, group);
    }
  }
  if (groups.size === 0) return result;
  mkdirSync(ctx.packagesDir, { recursive: true });
  const planned = [...groups.values()].map((group) => reservePackage(ctx, group));
  let outcome: Awaited<ReturnType<typeof generateOnWorker>>;
  try {
    outcome = await generateOnWorker({ hqFile: ctx.hq.name, plans: planned.map((p) => p.plan) });
  } catch (error) {
    dropReserved(ctx.hq, planned);
    throw error;
  }
  if (!outcome.ok) {
    dropReserved(ctx.hq, planned);
    throw new InternalError(`writing the run's packages failed: ${outcome.message}`);
  }
  const ids = recordSessions(ctx, planned, outcome);
  result.packages = ids.packages;
  result.upToDate += ids.upToDate;
  for (const id of ids.sessions) result.sessions.push(toDownloadSession(getSession(ctx.hq, id)));
  // Listed as before sharing: database by database (channel databases first), each in job order.
  const order = new Map(active.map((d, i) => [d.name, i]));
  result.sessions.sort(
    (a, b) => (order.get(a.database) ?? 0) - (order.get(b.database) ?? 0) || a.job.localeCompare(b.job),
  );
  return result;
}

interface PackageGroup {
  store: string;
  job: DownloadJobId;
  full: boolean;
  fromVersion: number;
  databases: ChannelDatabase[];
}

interface ReservedPackage {
  group: PackageGroup;
  plan: Omit<PackagePlan, "toVersion">;
}

/**
 * The package's id is the id of the first session made for it (a Preparing row reserved now, because the id
 * goes into the file's header): session ids are unique, so a package id never meets an unrelated session id
 * already applied in a target database.
 */
function reservePackage(ctx: ScheduleContext, group: PackageGroup): ReservedPackage {
  const { hq } = ctx;
  const first = group.databases[0] as ChannelDatabase;
  const id = Number(
    prepared(
      hq,
      `INSERT INTO download_sessions (job, database, status, full, from_version, to_version, created_at, package_scope)
       VALUES (?, ?, '${PREPARING}', ?, ?, ?, ?, ?)`,
    ).run(
      group.job,
      first.name,
      group.full ? 1 : 0,
      group.fromVersion,
      group.fromVersion,
      isoTime(ctx.clock.now()),
      group.store,
    ).lastInsertRowid,
  );
  const file = join(ctx.packagesDir, `package-${id}-${group.store.replace(/[^A-Za-z0-9_-]/g, "_")}-${group.job}.pkg`);
  prepared(hq, "UPDATE download_sessions SET file = ?, package = ? WHERE id = ?").run(file, id, id);
  return {
    group,
    plan: {
      session: id,
      job: group.job,
      database: group.store,
      store: group.store,
      full: group.full,
      fromVersion: group.fromVersion,
      file,
    },
  };
}

function dropReserved(hq: Db, planned: readonly ReservedPackage[]): void {
  for (const { plan } of planned) {
    prepared(hq, "DELETE FROM download_sessions WHERE id = ?").run(plan.session);
    rmSync(plan.file, { force: true });
  }
}

/** One transaction: every non-empty package becomes one Available session per database that needs it. */
function recordSessions(
  ctx: ScheduleContext,
  planned: readonly ReservedPackage[],
  outcome: Extract<Awaited<ReturnType<typeof generateOnWorker>>, { ok: true }>,
): { sessions: number[]; packages: number; upToDate: number } {
  const { hq } = ctx;
  const made = { sessions: [] as number[], packages: 0, upToDate: 0 };
  const emptyFiles: string[] = [];
  const now = isoTime(ctx.clock.now());
  hq.transaction(() => {
    planned.forEach(({ group, plan }, index) => {
      const written = outcome.written[index];
      if (!written || (written.empty && !group.full)) {
        prepared(hq, "DELETE FROM download_sessions WHERE id = ?").run(plan.session);
        emptyFiles.push(plan.file);
        made.upToDate += group.databases.length;
        return;
      }
      made.packages++;
      const rowsJson = JSON.stringify(written.rows);
      prepared(
        hq,
        "UPDATE download_sessions SET status = 'Available', to_version = ?, rows_json = ?, size = ?, sha256 = ? WHERE id = ?",
      ).run(outcome.version, rowsJson, written.size, written.sha256, plan.session);
      made.sessions.push(plan.session);
      for (const database of group.databases.slice(1)) {
        const id = prepared(
          hq,
          `INSERT INTO download_sessions (job, database, status, full, from_version, to_version, rows_json, size, sha256,
             file, created_at, package, package_scope)
           VALUES (?, ?, 'Available', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        ).run(
          group.job,
          database.name,
          group.full ? 1 : 0,
          group.fromVersion,
          outcome.version,
          rowsJson,
          written.size,
          written.sha256,
          plan.file,
          now,
          plan.session,
          group.store,
        ).lastInsertRowid;
        made.sessions.push(Number(id));
      }
      for (const database of group.databases) setPackagedVersion(hq, database.name, group.job, outcome.version);
    });
  })();
  for (const file of emptyFiles) rmSync(file, { force: true });
  return made;
}

/**
 * Start-up, before any run: sessions a killed run left half-made are dropped with their files (ids are not
 * reused), and so are the writer's temporary files.
 */
export function dropUnfinishedRuns(hq: Db, packagesDir: string): number {
  const files = preparedPluck<unknown[], string>(
    hq,
    `SELECT file FROM download_sessions WHERE status = '${PREPARING}' AND file IS NOT NULL`,
  ).all();
  for (const file of files) rmSync(file, { force: true });
  if (existsSync(packagesDir)) {
    for (const name of readdirSync(packagesDir)) {
      if (name.endsWith(".partial") || name.endsWith(".body")) rmSync(join(packagesDir, name), { force: true });
    }
  }
  return prepared(hq, `DELETE FROM download_sessions WHERE status = '${PREPARING}'`).run().changes;
}
