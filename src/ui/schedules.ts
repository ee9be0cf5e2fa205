// Human renderings of the recurring distribution schedules (`pos cdx schedules`).
import type { Schedule, SchedulesAnswer } from "../lib/api-schedules.js";
import { renderTable } from "./table.js";

function time(iso: string | null): string {
  return iso ? iso.replace("T", " ").replace(/\.\d+Z$|Z$/, "") : "—";
}

export function renderSchedules(answer: SchedulesAnswer): string {
  const table = renderTable(
    ["JOB", "NAME", "EVERY", "STATE", "LAST RUN", "LAST RESULT", "NEXT RUN"],
    answer.schedules.map((s) => [
      s.job,
      s.name,
      s.interval,
      s.paused ? "paused" : "active",
      time(s.lastRunAt),
      s.lastResult ?? "—",
      s.paused ? "—" : time(s.nextRunAt),
    ]),
  );
  return `${table}\ntry count: ${answer.tryCount} (failed attempts before a download session is Suspended)`;
}

export function renderSchedule(answer: { schedule: Schedule }): string {
  const s = answer.schedule;
  return s.paused
    ? `schedule ${s.job} (${s.name}) paused`
    : `schedule ${s.job} (${s.name}) runs every ${s.interval}; next run ${time(s.nextRunAt)}`;
}
