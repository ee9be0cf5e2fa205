// Where the schedules and the try count are kept: HQ's server_state (they outlive a restart, like D365 batch jobs).
import type { Db } from "../../lib/db.js";
import { readState, writeState } from "../statements.js";
import { DEFAULT_TRY_COUNT, isSchedulableJob, type ScheduleSetting } from "./rules.js";

const SCHEDULES_KEY = "distribution_schedules";
const TRY_COUNT_KEY = "cdx_try_count";

export interface SavedSchedule extends ScheduleSetting {
  lastRunAt: number | null;
  lastResult: string | null;
}

export function readSchedules(hq: Db): SavedSchedule[] {
  const text = readState(hq, "server_state", SCHEDULES_KEY);
  if (!text) return [];
  const rows = JSON.parse(text) as SavedSchedule[];
  return rows.filter((r) => isSchedulableJob(r.job));
}

export function writeSchedules(hq: Db, schedules: readonly SavedSchedule[]): void {
  writeState(hq, "server_state", SCHEDULES_KEY, JSON.stringify(schedules));
}

/** D365's tryCount: the failed attempt that suspends a download session (3 unless set). */
export function readTryCount(hq: Db): number {
  const value = Number(readState(hq, "server_state", TRY_COUNT_KEY));
  return Number.isInteger(value) && value >= 1 ? value : DEFAULT_TRY_COUNT;
}

export function writeTryCount(hq: Db, tryCount: number): void {
  writeState(hq, "server_state", TRY_COUNT_KEY, String(tryCount));
}
