// `pos status` for every register of a home: each register's Connection status and the problems it shows.
import type { Clock } from "../lib/clock.js";
import type { Paths } from "../lib/paths.js";
import { listRegisterIds } from "./config.js";
import { type RegisterStatus, registerStatus } from "./status.js";

export interface RegisterOverview extends RegisterStatus {
  /** What needs a look, in words (`pos doctor --register <id>` says how to fix each). */
  problems: string[];
}

/** What a glance at one register shows as wrong; pure, so the table and the JSON agree. */
export function statusProblems(status: RegisterStatus): string[] {
  const problems: string[] = [];
  if (status.server && !status.server.reachable) problems.push(`server ${status.serverUrl}: ${status.server.outcome}`);
  if (status.lastDownload?.result === "failed") problems.push(`last download failed: ${status.lastDownload.message}`);
  if (status.lastUpload?.result === "failed") problems.push(`last upload failed: ${status.lastUpload.message}`);
  if (status.conflicts > 0) problems.push(`${status.conflicts} conflict(s)`);
  if (!status.database.exists) problems.push(`${status.database.file} is missing`);
  else if (status.database.integrity !== "ok") problems.push(`offline database: ${status.database.integrity}`);
  return problems;
}

export async function registersOverview(paths: Paths, clock: Clock): Promise<RegisterOverview[]> {
  const overview: RegisterOverview[] = [];
  for (const registerId of listRegisterIds(paths)) {
    const status = await registerStatus({ paths, clock, registerId, probe: true });
    overview.push({ ...status, problems: statusProblems(status) });
  }
  return overview;
}
