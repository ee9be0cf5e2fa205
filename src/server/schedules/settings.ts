// Where the schedules and the try count are kept: HQ's server state (they outlive a restart, like D365 batch jobs).
import type { HqStore } from "../hq/store.js";
import { isSchedulableJob, type ScheduleSetting } from "./rules.js";

export interface SavedSchedule extends ScheduleSetting {
  lastRunAt: number | null;
  lastResult: string | null;
}

export async function readSchedules(hq: HqStore): Promise<SavedSchedule[]> {
  const text = await hq.distribution.readSchedules();
  if (!text) return [];
  const rows = JSON.parse(text) as SavedSchedule[];
  return rows.filter((r) => isSchedulableJob(r.job));
}

export function writeSchedules(hq: HqStore, schedules: readonly SavedSchedule[]): Promise<void> {
  return hq.distribution.writeSchedules(JSON.stringify(schedules));
}

/** D365's tryCount: the failed attempt that suspends a download session (3 unless set). */
export function readTryCount(hq: HqStore): Promise<number> {
  return hq.distribution.readTryCount();
}

export function writeTryCount(hq: HqStore, tryCount: number): Promise<void> {
  return hq.distribution.writeTryCount(tryCount);
}
