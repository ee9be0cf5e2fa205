// Pure rules of recurring distribution schedules (D365 batch jobs): defaults, `--schedule` parsing, what is due.
import { parseDuration } from "../../lib/clock.js";

/**
 * The jobs a schedule can run: HQ's "synchronize customers from async mode" (first, so customers it creates go out
 * with the 1010 run due at the same time), each download job, 9999 (all of them) and P-0001 (upload to HQ).
 */
export const SCHEDULABLE_JOBS = ["ASYNC-CUSTOMERS", "1010", "1040", "1060", "1070", "1090", "9999", "P-0001"] as const;
export const ASYNC_CUSTOMERS_JOB = "ASYNC-CUSTOMERS";
export type SchedulableJob = (typeof SCHEDULABLE_JOBS)[number];

const MINUTE = 60_000;

/**
 * Defaults after D365's usual batch set-up: products and prices often, the rest every quarter hour, everything
 * nightly, and transactions up to HQ every quarter hour.
 */
export const DEFAULT_INTERVALS: Readonly<Record<SchedulableJob, number>> = {
  "ASYNC-CUSTOMERS": 15 * MINUTE,
  "1010": 15 * MINUTE,
  "1040": 5 * MINUTE,
  "1060": 15 * MINUTE,
  "1070": 15 * MINUTE,
  "1090": 15 * MINUTE,
  "9999": 24 * 60 * MINUTE,
  "P-0001": 15 * MINUTE,
};

/** Shortest interval a schedule may have: a run can take a while with a large catalog. */
export const MIN_INTERVAL_MS = 10_000;

export const DEFAULT_TRY_COUNT = 3;

export interface ScheduleSetting {
  job: SchedulableJob;
  intervalMs: number;
  paused: boolean;
}

export interface ScheduleState extends ScheduleSetting {
  /** When the last scheduled run started (ms), null before the first. */
  lastRunAt: number | null;
  /** `ok: 3 session(s)` or `failed: …`; null before the first run. */
  lastResult: string | null;
  /** When the next run is due (ms); null while paused. */
  nextRunAt: number | null;
}

export function isSchedulableJob(job: string): job is SchedulableJob {
  return (SCHEDULABLE_JOBS as readonly string[]).includes(job);
}

/** A change to one schedule, as `--schedule` and `pos cdx schedules set|pause|resume` give it. */
export type ScheduleChange = { job: SchedulableJob; intervalMs?: number; paused?: boolean };

/** Thrown for bad schedule text; the caller names where it came from (an option, a request body). */
export class ScheduleInputError extends Error {}

/** `5m`, `15m`, `24h`, `90s` → ms; `off` → paused. */
export function parseInterval(job: SchedulableJob, text: string): ScheduleChange {
  const value = text.trim().toLowerCase();
  if (value === "off" || value === "paused") return { job, paused: true };
  const ms = parseDuration(value);
  if (ms === undefined) throw new ScheduleInputError(`${job}: expected an interval such as 5m, 15m or 24h, or off`);
  if (ms < MIN_INTERVAL_MS)
    throw new ScheduleInputError(`${job}: interval ${text} is shorter than ${formatInterval(MIN_INTERVAL_MS)}`);
  return { job, intervalMs: ms, paused: false };
}

export function parseJob(text: string): SchedulableJob {
  const job = text.trim().toUpperCase();
  if (!isSchedulableJob(job))
    throw new ScheduleInputError(`unknown job "${text}" (expected one of ${SCHEDULABLE_JOBS.join(", ")})`);
  return job;
}

/** `1040=5m,1010=15m,9999=off` → one change per job; a job named twice is a mistake, not "the last one wins". */
export function parseScheduleList(text: string): ScheduleChange[] {
  const changes: ScheduleChange[] = [];
  for (const part of text.split(",")) {
    if (part.trim() === "") continue;
    const [job, interval, extra] = part.split("=");
    if (job === undefined || interval === undefined || extra !== undefined)
      throw new ScheduleInputError(`"${part.trim()}": expected <job>=<interval>, e.g. 1040=5m`);
    const change = parseInterval(parseJob(job), interval);
    if (changes.some((c) => c.job === change.job)) throw new ScheduleInputError(`${change.job} is given twice`);
    changes.push(change);
  }
  if (changes.length === 0) throw new ScheduleInputError("expected <job>=<interval>[,…], e.g. 1040=5m,1010=15m");
  return changes;
}

/** Every job's setting: the defaults, then what was saved, then the changes, in that order. */
export function mergeSettings(
  saved: readonly ScheduleSetting[],
  changes: readonly ScheduleChange[] = [],
): ScheduleSetting[] {
  return SCHEDULABLE_JOBS.map((job) => {
    let setting: ScheduleSetting = { job, intervalMs: DEFAULT_INTERVALS[job], paused: false };
    const stored = saved.find((s) => s.job === job);
    if (stored) setting = { ...setting, intervalMs: stored.intervalMs, paused: stored.paused };
    for (const change of changes.filter((c) => c.job === job)) {
      setting = {
        ...setting,
        ...(change.intervalMs === undefined ? {} : { intervalMs: change.intervalMs }),
        ...(change.paused === undefined ? {} : { paused: change.paused }),
      };
    }
    return setting;
  });
}

/**
 * When a schedule runs next: an interval after its last run (or after it was set up), never in the past for
 * a run that was missed while the server was down or time jumped — a missed run happens once, not once per
 * interval missed, as a batch job does.
 */
export function nextRunAt(setting: ScheduleSetting, from: number): number | null {
  return setting.paused ? null : from + setting.intervalMs;
}

/** The schedules due at `now`, in job order (download jobs first, 9999, then P-0001). */
export function dueJobs(states: readonly ScheduleState[], now: number): SchedulableJob[] {
  return states.filter((s) => s.nextRunAt !== null && s.nextRunAt <= now).map((s) => s.job);
}

/** The earliest time anything is due, or null when every schedule is paused. */
export function earliestDue(states: readonly ScheduleState[]): number | null {
  let earliest: number | null = null;
  for (const s of states)
    if (s.nextRunAt !== null && (earliest === null || s.nextRunAt < earliest)) earliest = s.nextRunAt;
  return earliest;
}

export function parseTryCount(value: unknown): number {
  const n = typeof value === "string" && /^\d+$/.test(value.trim()) ? Number(value) : value;
  if (typeof n !== "number" || !Number.isInteger(n) || n < 1 || n > 100)
    throw new ScheduleInputError(`try count: expected a whole number from 1 to 100, got ${JSON.stringify(value)}`);
  return n;
}

/** 300000 → `5m`, 86400000 → `24h`, 90000 → `90s`: the largest unit that divides it, as `--schedule` takes it. */
export function formatInterval(ms: number): string {
  for (const [unit, size] of [
    ["h", 3_600_000],
    ["m", 60_000],
    ["s", 1000],
  ] as const) {
    if (ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}
