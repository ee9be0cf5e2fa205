// Human renderings of `pos cdx` answers: tables of jobs, sessions, databases, uploads and register status.
import type {
  CancelAnswer,
  ChannelDatabase,
  DownloadSession,
  JobsAnswer,
  RegisterStatus,
  RunAnswer,
  UploadSession,
  UploadSessionsAnswer,
} from "../lib/api-sync.js";
import { formatBytes } from "./format.js";
import { renderTable } from "./table.js";

const right = (header: string) => ({ header, align: "right" as const });

function rowCount(session: DownloadSession): number {
  return Object.values(session.rows).reduce((sum, n) => sum + n, 0);
}

/** `prices 1` / `products 120, barcodes 130` — which tables a session carries. */
function tables(session: DownloadSession): string {
  return Object.entries(session.rows)
    .map(([table, n]) => `${table} ${n}`)
    .join(", ");
}

/** ISO time without milliseconds and zone letter: `2026-01-01 09:00:00`. */
function time(iso: string | null | undefined): string {
  return iso ? iso.replace("T", " ").replace(/\.\d+Z$|Z$/, "") : "";
}

export function renderJobs(answer: JobsAnswer): string {
  return renderTable(
    ["JOB", "NAME", "KIND", "TABLES"],
    answer.jobs.map((j) => [j.id, j.name, j.kind, j.tables.join(", ")]),
  );
}

export function renderSessions(sessions: readonly DownloadSession[]): string {
  return renderTable(
    ["ID", "JOB", "DATABASE", "STATUS", right("ROWS"), "TABLES", right("SIZE"), "VERSIONS", right("TRIES"), "MESSAGE"],
    sessions.map((s) => [
      s.id,
      s.job,
      s.database,
      s.status,
      rowCount(s),
      tables(s) || "—",
      s.status === "No data" ? "" : formatBytes(s.size),
      `${s.full ? "full " : ""}${s.fromVersion}→${s.toVersion}`,
      s.attempts,
      s.message ?? "",
    ]),
    { empty: "no download sessions" },
  );
}

function renderUploads(sessions: readonly UploadSession[]): string {
  return renderTable(
    ["ID", "DATABASE", "STATUS", right("TRANSACTIONS"), right("NEW AT HQ"), "COUNTERS", "CREATED", "MESSAGE"],
    sessions.map((u) => [
      u.id,
      u.database,
      u.status,
      u.transactions,
      u.inserted,
      `${u.fromCounter}→${u.toCounter}`,
      time(u.createdAt),
      u.message ?? "",
    ]),
    { empty: "no upload sessions" },
  );
}

export function renderRun(answer: RunAnswer): string {
  const parts: string[] = [];
  if (answer.uploads.length > 0) {
    const sent = answer.uploads.reduce((sum, u) => sum + u.transactions, 0);
    parts.push(renderUploads(answer.uploads), `job ${answer.job}: ${sent} transaction(s) uploaded to HQ`);
  } else if (answer.sessions.length > 0) {
    const made = answer.sessions.filter((s) => s.status !== "No data").length;
    const shared = answer.packages === undefined ? "" : ` from ${answer.packages} package(s)`;
    parts.push(renderSessions(answer.sessions), `job ${answer.job}: ${made} session(s)${shared}${upToDate(answer)}`);
  } else {
    parts.push(`job ${answer.job}: no sessions${upToDate(answer)}`);
  }
  for (const s of answer.skipped) parts.push(`skipped ${s.database}: ${s.reason}`);
  return parts.join("\n");
}

function upToDate(answer: RunAnswer): string {
  return answer.upToDate ? `; nothing new for ${answer.upToDate} database × job pair(s) (no session recorded)` : "";
}

export function renderSession(answer: { session: DownloadSession; changed?: boolean | undefined }): string {
  const s = answer.session;
  const line = `session ${s.id} (job ${s.job}, ${s.database}) is ${s.status}${s.message ? `: ${s.message}` : ""}`;
  return answer.changed === false ? `${line} — already so, nothing to do` : line;
}

export function renderCancel(answer: CancelAnswer): string {
  if (answer.changed === false) return renderSession(answer);
  const also = answer.alsoCanceled.length ? `; also canceled ${answer.alsoCanceled.join(", ")} (same job)` : "";
  const next =
    answer.packagedVersion === null
      ? "the next run makes a full package"
      : `the next run packages changes after version ${answer.packagedVersion}`;
  return `${renderSession(answer)}${also}; ${next}`;
}

function databaseState(d: ChannelDatabase): string {
  if (d.removedAt) return "removed";
  if (d.paused) return "paused";
  if (d.profilePaused) return "paused by profile";
  return "active";
}

export function renderDatabases(answer: { databases: readonly ChannelDatabase[] }): string {
  return renderTable(
    ["DATABASE", "KIND", "STORE", "DATA GROUP", "STATE", right("PENDING"), "JOB VERSIONS"],
    answer.databases.map((d) => [
      d.name,
      d.kind,
      d.store,
      d.dataGroup ?? "",
      databaseState(d),
      d.pending,
      Object.entries(d.versions)
        .map(([job, v]) => `${job}:${v}`)
        .join(" ") || "never packaged",
    ]),
    { empty: "no channel databases" },
  );
}

export function renderDatabase(answer: { database: ChannelDatabase }): string {
  return `${answer.database.name}: ${databaseState(answer.database)}`;
}

export function renderUploadSessions(answer: UploadSessionsAnswer): string {
  const parts = [renderUploads(answer.sessions), `HQ holds ${answer.hqTransactions} transaction(s)`];
  if (answer.conflicts.length > 0) {
    parts.push(
      "conflicts (same id, other content; kept at the channel database, never uploaded as new):",
      renderTable(
        ["STORE", "TRANSACTION", "REGISTER", right("ATTEMPTS"), "LAST RECEIVED"],
        answer.conflicts.map((c) => [c.store, c.transactionId, c.register, c.attempts, time(c.receivedAt)]),
        { indent: 2 },
      ),
    );
  }
  return parts.join("\n");
}

export function renderRegisters(answer: { registers: readonly RegisterStatus[] }): string {
  const result = (r: RegisterStatus["lastDownload"]) => (r ? `${r.result} ${time(r.at)}` : "");
  return renderTable(
    [
      "REGISTER",
      "STORE",
      "OFFLINE DB",
      "MODE",
      "LAST DOWNLOAD",
      "LAST UPLOAD",
      right("PENDING"),
      right("DB SIZE"),
      "REPORTED",
    ],
    answer.registers.map((r) => [
      r.register,
      r.store,
      r.database ?? "online only",
      r.mode === null
        ? "never reported"
        : `${r.mode}${r.mode === "offline" ? (r.manual ? " (manual)" : " (auto)") : ""}`,
      result(r.lastDownload),
      result(r.lastUpload),
      r.pendingCount ?? "",
      r.dbSizeBytes === null ? "" : formatBytes(r.dbSizeBytes),
      time(r.reportedAt),
    ]),
    { empty: "no registers" },
  );
}
