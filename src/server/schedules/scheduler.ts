// Runs the recurring distribution schedules on the injected Clock: each due job goes through the CDX run entry point.
import type { Schedule, SchedulesAnswer } from "../../lib/api-schedules.js";
import type { RunAnswer, RunBody } from "../../lib/api-sync.js";
import type { Clock } from "../../lib/clock.js";
import { DOWNLOAD_JOBS } from "../../schema/tables.js";
import type { HqStore } from "../hq/store.js";
import { isoTime } from "../statements.js";
import {
  ASYNC_CUSTOMERS_JOB,
  dueJobs,
  earliestDue,
  formatInterval,
  mergeSettings,
  nextRunAt,
  type SchedulableJob,
  type ScheduleChange,
  type ScheduleState,
} from "./rules.js";
import { readSchedules, readTryCount, writeSchedules, writeTryCount } from "./settings.js";

/** With every schedule paused the loop still wakes now and then; a change wakes it at once anyway. */
const IDLE_WAKE_MS = 24 * 3_600_000;
const FAILED_STATUSES = new Set(["Download failed", "Apply failed", "Suspended"]);

export interface ScheduledRun {
  job: SchedulableJob;
  at: string;
  ok: boolean;
  result: string;
}

export interface SchedulerOptions {
  hq: HqStore;
  clock: Clock;
  /** The CDX run entry point (the same one `pos cdx run` uses). */
  run: (body: RunBody) => Promise<RunAnswer>;
  /** `--schedule` changes, saved before the first run. */
  changes?: readonly ScheduleChange[];
  /** `--try-count`, saved. */
  tryCount?: number;
  /** HQ's "synchronize customers from async mode" job; answers how many customers it created. */
  syncCustomers?: () => number | Promise<number>;
  onRun?: (run: ScheduledRun) => void;
}

export interface DistributionScheduler {
  start(): void;
  list(): SchedulesAnswer;
  change(change: ScheduleChange): Promise<Schedule>;
  setTryCount(tryCount: number): Promise<number>;
  /** Resolves once no scheduled run is in progress (after the clock moved: replay waits on it). */
  settled(): Promise<void>;
  stop(): Promise<void>;
}

export async function createScheduler(options: SchedulerOptions): Promise<DistributionScheduler> {
  const { hq, clock } = options;
  const saved = await readSchedules(hq);
  const now = clock.now();
  let states: ScheduleState[] = mergeSettings(saved, options.changes ?? []).map((setting) => {
    const before = saved.find((s) => s.job === setting.job);
    const lastRunAt = before?.lastRunAt ?? null;
    // A run missed while the server was down happens once, at start; never once per interval missed.
    const next = nextRunAt(setting, lastRunAt ?? now);
    return {
      ...setting,
      lastRunAt,
      lastResult: before?.lastResult ?? null,
      nextRunAt: next === null ? null : Math.max(next, now),
    };
  });
  if (options.tryCount !== undefined) await writeTryCount(hq, options.tryCount);
  // Kept here (HQ has the saved copy), so listing the schedules asks HQ nothing.
  let tryCount = await readTryCount(hq);
  const save = () =>
    writeSchedules(
      hq,
      states.map(({ job, intervalMs, paused, lastRunAt, lastResult }) => ({
        job,
        intervalMs,
        paused,
        lastRunAt,
        lastResult,
      })),
    );
  await save();

  let stopped = true;
  const stopSignal = new AbortController();
  let wake = new AbortController();
  let busy: Promise<void> | null = null;
  let loopDone: Promise<void> = Promise.resolve();

  /** One scheduled run: HQ's async customer job, or a CDX run through the same entry point as `pos cdx run`. */
  const runOne = async (job: SchedulableJob): Promise<{ ok: boolean; result: string }> => {
    if (job === ASYNC_CUSTOMERS_JOB) {
      if (!options.syncCustomers) throw new Error("this server does not run HQ's async customer job");
      return { ok: true, result: `ok: ${await options.syncCustomers()} customer(s) created` };
    }
    const answer = await options.run({ job });
    const failed = answer.sessions.filter((s) => FAILED_STATUSES.has(s.status)).length;
    const failedUploads = answer.uploads.filter((u) => u.status === "Apply failed").length;
    const ok = failed + failedUploads === 0;
    const result =
      job === "P-0001"
        ? `${ok ? "ok" : "failed"}: ${answer.uploads.length} upload session(s)`
        : `${ok ? "ok" : "failed"}: ${answer.sessions.length} session(s)${failed ? `, ${failed} failed` : ""}`;
    return { ok, result };
  };

  const runJobs = async (jobs: SchedulableJob[]): Promise<void> => {
    for (const job of jobs) {
      if (stopped) return;
      const startedAt = clock.now();
      let ok = true;
      let result: string;
      try {
        ({ ok, result } = await runOne(job));
      } catch (error) {
        ok = false;
        result = `failed: ${(error as Error).message}`;
      }
      states = states.map((s) =>
        s.job === job
          ? {
              ...s,
              lastRunAt: startedAt,
              lastResult: result,
              nextRunAt: nextRunAt(s, Math.max(startedAt, clock.now())),
            }
          : s,
      );
      await save();
      options.onRun?.({ job, at: isoTime(startedAt), ok, result });
    }
  };

  const loop = async (): Promise<void> => {
    while (!stopped) {
      const due = earliestDue(states);
      const waitMs = due === null ? IDLE_WAKE_MS : Math.max(0, due - clock.now());
      wake = new AbortController();
      await clock.sleep(waitMs, AbortSignal.any([stopSignal.signal, wake.signal]));
      if (stopped) break;
      const jobs = dueJobs(states, clock.now());
      if (jobs.length === 0) continue;
      // Set before any await, so settled() called right after the clock moved sees the run.
      busy = runJobs(jobs);
      try {
        await busy;
      } finally {
        busy = null;
      }
    }
  };

  const view = (s: ScheduleState): Schedule => ({
    job: s.job,
    name: jobName(s.job),
    interval: formatInterval(s.intervalMs),
    intervalMs: s.intervalMs,
    paused: s.paused,
    lastRunAt: s.lastRunAt === null ? null : isoTime(s.lastRunAt),
    lastResult: s.lastResult,
    nextRunAt: s.nextRunAt === null ? null : isoTime(s.nextRunAt),
  });

  return {
    start() {
      if (!stopped) return;
      stopped = false;
      loopDone = loop();
    },
    list: () => ({ schedules: states.map(view), tryCount }),
    async change(change) {
      const current = clock.now();
      states = states.map((s) => {
        if (s.job !== change.job) return s;
        const next: ScheduleState = {
          ...s,
          ...(change.intervalMs === undefined ? {} : { intervalMs: change.intervalMs }),
          ...(change.paused === undefined ? {} : { paused: change.paused }),
        };
        const due = nextRunAt(next, next.lastRunAt ?? current);
        return { ...next, nextRunAt: due === null ? null : Math.max(due, current) };
      });
      await save();
      // The loop sleeps until the old earliest run: wake it to plan again.
      wake.abort();
      const changed = states.find((s) => s.job === change.job);
      if (!changed) throw new Error(`no schedule ${change.job}`);
      return view(changed);
    },
    async setTryCount(value) {
      await writeTryCount(hq, value);
      tryCount = value;
      return value;
    },
    async settled() {
      for (;;) {
        // Let the loop's wake-up (a resolved sleep) reach the point where it marks itself busy.
        await new Promise((resolve) => setImmediate(resolve));
        const current = busy;
        if (!current) return;
        await current.catch(() => undefined);
      }
    },
    async stop() {
      stopped = true;
      stopSignal.abort();
      await busy?.catch(() => undefined);
      await loopDone;
    },
  };
}

function jobName(job: SchedulableJob): string {
  if (job === ASYNC_CUSTOMERS_JOB) return "Synchronize customers from async mode";
  if (job === "9999") return "All download jobs";
  if (job === "P-0001") return "Upload transactions to HQ";
  return DOWNLOAD_JOBS[job].name;
}
