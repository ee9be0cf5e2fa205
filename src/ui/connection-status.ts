// The Connection status window (SPEC §4.4): mode, server, last sync attempts, pending uploads, jobs, database.
import type { ChalkInstance } from "chalk";
import type { RegisterStatus, SyncAttempt } from "../register/status.js";
import { ago, formatBytes, modeBadge, renderPairs } from "./format.js";
import { renderTable } from "./table.js";

export function renderConnectionStatus(status: RegisterStatus, color: ChalkInstance): string {
  const store = status.storeName ? `${status.storeName} (${status.store})` : status.store;
  const mode = `${modeBadge(status.mode, color)} since ${status.since} (${ago(status.sinceAgeMs)})${
    status.reason ? color.dim(` — ${status.reason}`) : ""
  }`;
  const pending =
    status.pending.count === 0
      ? "0"
      : color.yellow(
          `${status.pending.count}${status.pending.oldestAgeMs === null ? "" : ` (oldest ${ago(status.pending.oldestAgeMs)})`}`,
        );
  const db = status.database;
  const database = db.exists
    ? `${db.file}  ${formatBytes(db.sizeBytes)}  integrity ${db.integrity === "ok" ? color.green("ok") : color.red(db.integrity)}`
    : color.red(`${db.file} does not exist`);
  const pairs: Array<readonly [string, string]> = [
    ["mode", mode],
    ["917 button", status.button],
    ["server", serverLine(status, color)],
    ["last download", attemptLine(status.lastDownload, color)],
    ["last upload", attemptLine(status.lastUpload, color)],
    ["pending uploads", pending],
    [
      "in doubt",
      status.inDoubt.length === 0
        ? "0"
        : color.red(
            `${status.inDoubt.length} (${status.inDoubt.map((t) => t.id).join(", ")}) — sent again before the next sale`,
          ),
    ],
    ["conflicts", status.conflicts === 0 ? "0" : color.red(String(status.conflicts))],
    [
      "numbers",
      `used to ${status.numbers.usedTo}${status.numbers.gaps.length === 0 ? "" : `, gaps ${status.numbers.gaps.map((g) => (g.first === g.last ? `${g.first}` : `${g.first}–${g.last}`)).join(", ")}`}`,
    ],
    ["offline database", database],
  ];
  if (!status.supportsOffline) pairs.push(["supports offline", color.yellow("no (online-only register)")]);
  const jobs =
    status.jobs.length === 0
      ? color.dim("  no download session applied yet")
      : renderTable(
          [
            { header: "job" },
            { header: "session", align: "right" },
            { header: "version", align: "right" },
            { header: "applied" },
            { header: "age", align: "right" },
          ],
          status.jobs.map((j) => [j.job, j.session, j.toVersion, j.appliedAt, ago(j.ageMs)]),
          { color, indent: 2 },
        );
  return [
    color.bold(`Connection status — register ${status.register}, store ${store}`),
    renderPairs(pairs, color),
    "",
    color.bold("Last applied session per job"),
    jobs,
  ].join("\n");
}

function serverLine(status: RegisterStatus, color: ChalkInstance): string {
  const probe = status.server;
  if (!probe) return `${status.serverUrl} ${color.dim("(not checked)")}`;
  if (probe.reachable) return `${status.serverUrl} ${color.green(`answers (${probe.ms} ms)`)}`;
  return `${status.serverUrl} ${color.red(`does not answer: ${probe.outcome}`)} ${color.dim(`(${probe.ms} ms)`)}`;
}

export function attemptLine(attempt: SyncAttempt | null, color: ChalkInstance): string {
  if (!attempt) return color.dim("never");
  const result =
    attempt.result === "failed"
      ? color.red("failed")
      : attempt.result === "ok"
        ? color.green("ok")
        : attempt.result === "running"
          ? color.cyan("running")
          : "nothing to do";
  const counts =
    attempt.kind === "download"
      ? `${attempt.sessions} sessions, ${attempt.rows.toLocaleString("en-US")} rows, ${formatBytes(attempt.bytes)}`
      : `${attempt.transactions} transactions`;
  const message = attempt.message ? ` — ${attempt.message}` : "";
  return `${result} ${attempt.finishedAt ?? attempt.startedAt} (${ago(attempt.ageMs)}), ${counts}${message}`;
}
