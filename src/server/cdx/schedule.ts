// Distribution schedule runs: one package per (store, job, version) shared by the sessions of every database needing it.
import { existsSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { ChannelDatabase, DownloadSession } from "../../lib/api-sync.js";
import type { Clock } from "../../lib/clock.js";
import { InternalError } from "../../lib/errors.js";
import { DOWNLOAD_JOB_IDS, DOWNLOAD_JOBS, type DownloadJobId } from "../../schema/tables.js";
import { validationFailed } from "../api-error.js";
import { HqUnavailableError } from "../hq/sql.js";
import type { HqStore } from "../hq/store.js";
import { excludedJobsFor } from "../offline-exclusion.js";
import { isoTime } from "../statements.js";
import { pauseReason, requireDatabase } from "./databases.js";
import type { PackagePlan } from "./generate.js";
import type { GenerateOutcome } from "./generate-protocol.js";
import { getSession, toDownloadSession } from "./sessions.js";

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
  hq: HqStore;
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
    ? [await requireDatabase(ctx.hq, request.database)]
    : (await ctx.hq.distribution.listDatabases()).filter(
        (d) => !d.removedAt && (!request.kind || d.kind === request.kind),
      );
  const result: DownloadRunResult = { sessions: [], skipped: [], packages: 0, upToDate: 0 };
  const active = targets.filter((database) => {
    const reason = pauseReason(database);
    if (reason) result.skipped.push({ database: database.name, reason });
    return reason === null;
  });
  if (active.length === 0) return result;
  const current = await ctx.hq.masterData.currentVersion();
  const groups = new Map<string, PackageGroup>();
  for (const database of active) {
    const excluded = await excludedJobsFor(ctx.hq, database);
    for (const job of jobs) {
      if (excluded.includes(job)) {
        result.skipped.push({
          database: database.name,
          reason: `job ${job}: offline data exclusion (offline profile)`,
        });
        continue;
      }
      const last = await ctx.hq.distribution.packagedVersion(database.name, job);
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
  const planned: ReservedPackage[] = [];
  for (const group of groups.values()) planned.push(await reservePackage(ctx, group));
  let outcome: GenerateOutcome;
  try {
    outcome = await ctx.hq.distribution.writePackages(planned.map((p) => p.plan));
  } catch (error) {
    await dropReserved(ctx.hq, planned);
    throw error;
  }
  if (!outcome.ok) {
    if (outcome.unavailable) {
      // The reserved rows cannot be dropped while HQ is away: the next start drops them (dropUnfinishedRuns).
      await dropReserved(ctx.hq, planned).catch(() => undefined);
      throw new HqUnavailableError(
        `HQ's PostgreSQL database went away while the run's packages were written: ${outcome.message}`,
      );
    }
    await dropReserved(ctx.hq, planned);
    throw new InternalError(`writing the run's packages failed: ${outcome.message}`);
  }
  const ids = await recordSessions(ctx, planned, outcome);
  result.packages = ids.packages;
  result.upToDate += ids.upToDate;
  for (const id of ids.sessions) result.sessions.push(toDownloadSession(await getSession(ctx.hq, id)));
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
async function reservePackage(ctx: ScheduleContext, group: PackageGroup): Promise<ReservedPackage> {
  const first = group.databases[0] as ChannelDatabase;
  const { id, file } = await ctx.hq.distribution.reservePackage({
    job: group.job,
    firstDatabase: first.name,
    full: group.full,
    fromVersion: group.fromVersion,
    store: group.store,
    createdAt: isoTime(ctx.clock.now()),
    file: (id) =>
      join(ctx.packagesDir, `package-${id}-${group.store.replace(/[^A-Za-z0-9_-]/g, "_")}-${group.job}.pkg`),
  });
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

async function dropReserved(hq: HqStore, planned: readonly ReservedPackage[]): Promise<void> {
  await hq.distribution.dropReserved(planned.map((p) => p.plan.session));
  for (const { plan } of planned) rmSync(plan.file, { force: true });
}

/** One transaction: every non-empty package becomes one Available session per database that needs it. */
async function recordSessions(
  ctx: ScheduleContext,
  planned: readonly ReservedPackage[],
  outcome: Extract<GenerateOutcome, { ok: true }>,
): Promise<{ sessions: number[]; packages: number; upToDate: number }> {
  const made = await ctx.hq.distribution.recordPackages(
    planned.map(({ group, plan }, index) => ({
      session: plan.session,
      file: plan.file,
      job: group.job,
      store: group.store,
      full: group.full,
      fromVersion: group.fromVersion,
      databases: group.databases.map((d) => d.name),
      written: outcome.written[index],
    })),
    outcome.version,
    isoTime(ctx.clock.now()),
  );
  for (const file of made.emptyFiles) rmSync(file, { force: true });
  return { sessions: made.sessions, packages: made.packages, upToDate: made.upToDate };
}

/**
 * Start-up, before any run: sessions a killed run left half-made are dropped with their files (ids are not
 * reused), and so are the writer's temporary files.
 */
export async function dropUnfinishedRuns(hq: HqStore, packagesDir: string): Promise<number> {
  const files = await hq.distribution.dropUnfinishedRuns();
  for (const file of files) rmSync(file, { force: true });
  if (existsSync(packagesDir)) {
    for (const name of readdirSync(packagesDir)) {
      if (name.endsWith(".partial") || name.endsWith(".body")) rmSync(join(packagesDir, name), { force: true });
    }
  }
  return files.length;
}
