// The checks of `pos doctor`: pure functions of a register's facts, each answering {id, status, message, fix}.
import type { DownloadSession } from "../lib/api-sync.js";
import { formatAge } from "../lib/clock.js";
import { DOWNLOAD_JOB_IDS } from "../schema/tables.js";
import { formatBytes } from "../ui/format.js";
import type { Check, CheckStatus, RegisterFacts } from "./types.js";

/** Pending uploads older than this are a problem: D365 users want the alert well before month end. */
export const PENDING_MAX_AGE_MS = 24 * 3_600_000;
/** A job this many unapplied sessions behind is a problem; fewer is a warning (a run just happened). */
export const SESSIONS_BEHIND_PROBLEM = 3;
/** Clock skew against the server's Date header (1 s resolution): warning above the first, problem above the second. */
export const SKEW_WARNING_MS = 60_000;
export const SKEW_PROBLEM_MS = 5 * 60_000;
/** Free disk space below which a register cannot be trusted to store the next sale. */
export const DISK_PROBLEM_BYTES = 50 * 1024 * 1024;
export const DISK_WARNING_BYTES = 500 * 1024 * 1024;

const ok = (id: string, message: string): Check => ({ id, status: "ok", message, fix: null });
const warning = (id: string, message: string, fix: string | null = null): Check => ({
  id,
  status: "warning",
  message,
  fix,
});
const problem = (id: string, message: string, fix: string | null): Check => ({ id, status: "problem", message, fix });

const octal = (mode: number) => (mode & 0o777).toString(8).padStart(3, "0");
const reg = (f: RegisterFacts) => `--register ${f.register}`;
const provisionFix = (f: RegisterFacts, url = f.server.url) =>
  `pos register provision ${f.register} --server ${url}${f.supportsOffline ? "" : " --no-offline"}`;
const runAndPull = (f: RegisterFacts, job: string) =>
  `pos cdx run ${job} --db ${f.database ?? `${f.register}-OFFLINE`} && pos sync pull ${reg(f)}`;

/** The home's running server, when the register points elsewhere: the one URL the register should use. */
function movedTo(f: RegisterFacts): string | null {
  return f.home?.alive && f.home.url !== f.server.url ? f.home.url : null;
}

/** `pos server start` with the port (and host) of the register's URL, when that is a server on this machine. */
function startFix(url: string): string | null {
  const parsed = URL.canParse(url) ? new URL(url) : null;
  if (!parsed) return null;
  const host = parsed.hostname;
  const local = host === "127.0.0.1" || host === "localhost" || host === "[::1]";
  if (!local) return null;
  const port = parsed.port || (parsed.protocol === "https:" ? "443" : "80");
  return `pos server start --port ${port}${host === "127.0.0.1" ? "" : ` --host ${host}`}`;
}

export function serverAnswers(f: RegisterFacts): Check {
  const id = "server.answers";
  if (f.server.reachable) return ok(id, `${f.server.url} answers (${f.server.ms} ms)`);
  const moved = movedTo(f);
  if (moved) {
    return problem(
      id,
      `${f.server.url} does not answer (${f.server.outcome}); the server of this home now runs at ${moved}`,
      `pos register set ${f.register} --server ${moved}`,
    );
  }
  const start = startFix(f.server.url);
  return problem(
    id,
    `${f.server.url} does not answer (${f.server.outcome})${start ? "" : ": wait for the server, or ask who runs it"}`,
    start ?? `pos doctor ${reg(f)}`,
  );
}

export function serverUrl(f: RegisterFacts): Check {
  const id = "server.url";
  if (!f.home) return ok(id, `${f.server.url} (no server.json in this home to compare with)`);
  if (f.home.url === f.server.url) return ok(id, `${f.server.url} matches ${f.home.file}`);
  if (!f.home.alive) {
    return warning(
      id,
      `${f.home.file} names ${f.home.url}, but its process ${f.home.pid ?? "?"} is gone (left by a server that was killed); the register uses ${f.server.url}`,
    );
  }
  return problem(
    id,
    `the register uses ${f.server.url} but the server of this home runs at ${f.home.url} (${f.home.file})`,
    `pos register set ${f.register} --server ${f.home.url}`,
  );
}

export function serverToken(f: RegisterFacts): Check {
  const id = "server.token";
  const status = f.server.tokenStatus;
  if (status === null) return warning(id, "device token not checked: the server does not answer");
  if (status === 200) return ok(id, "device token accepted");
  if (status === 401 || status === 403) {
    return problem(
      id,
      `${f.server.url} refuses the device token (${status}${f.server.tokenMessage ? `: ${f.server.tokenMessage}` : ""})`,
      provisionFix(f),
    );
  }
  return warning(id, `device token not confirmed: ${f.server.url} answered ${status}`);
}

export function serverClock(f: RegisterFacts): Check {
  const id = "server.clock";
  if (f.server.serverDate === null) {
    return warning(
      id,
      f.server.reachable ? "the server sent no Date header" : "not checked: the server does not answer",
    );
  }
  const skew = f.server.serverDate - f.server.localDate;
  const text = `clock skew ${skew < -999 ? "-" : "+"}${formatAge(Math.abs(skew))} against the server's Date header`;
  const fix = "sync this machine's clock with the server's (timedatectl set-ntp true)";
  if (Math.abs(skew) > SKEW_PROBLEM_MS) return problem(id, text, fix);
  if (Math.abs(skew) > SKEW_WARNING_MS) return warning(id, text, fix);
  return ok(id, text);
}

export function connectionMode(f: RegisterFacts): Check {
  const id = "register.mode";
  const since = `since ${new Date(f.mode.since).toISOString()}`;
  if (f.mode.mode === "online") return ok(id, `online ${since}`);
  const what = `${f.mode.mode === "offline-manual" ? "offline (manual, operation 917)" : "offline (auto)"} ${since}${f.mode.reason ? `: ${f.mode.reason}` : ""}`;
  if (f.server.reachable) return warning(id, `${what}, while the server answers`, `pos connect ${reg(f)}`);
  return warning(id, what);
}

const READINESS_JOB: Record<string, string> = {
  ChannelConfigurationNotFound: "1070",
  TerminalNotFound: "1090",
  LocalLogonFailed: "1060",
};

export function offlineReadiness(f: RegisterFacts): Check {
  const id = "offline.readiness";
  if (!f.supportsOffline) {
    return warning(
      id,
      "online-only register (RealtimeServiceNotSupported): it cannot sell without the server",
      `${provisionFix(f)} --sync`,
    );
  }
  if (!f.local) return warning(id, "not checked: the offline database cannot be read (see database.integrity)");
  const ready = f.local.readiness;
  if (!ready.ok) {
    return problem(
      id,
      `a switch to offline would fail: ${ready.code}: ${ready.message}`,
      runAndPull(f, READINESS_JOB[ready.code] ?? "9999"),
    );
  }
  if (f.local.products === 0 || f.local.prices === 0) {
    return problem(
      id,
      `a sale offline would find nothing: ${f.local.products} products, ${f.local.prices} prices for store ${f.store} (job 1040)`,
      runAndPull(f, "1040"),
    );
  }
  return ok(
    id,
    `a switch to offline would succeed now: channel configuration, register, staff, ${f.local.products} products, ${f.local.prices} prices`,
  );
}

const FAILED: ReadonlySet<string> = new Set(["Download failed", "Apply failed", "Suspended"]);
const WAITING: ReadonlySet<string> = new Set(["Available", "Requested", "Downloaded"]);

/** The fix that fits why a session failed: a bad package must be made again; a gap rerun; an outage waited out. */
export function failedSessionFix(f: RegisterFacts, session: DownloadSession): { fix: string; why: string } {
  const message = session.message ?? "";
  if (/version gap/i.test(message)) {
    return { fix: `pos cdx rerun ${session.id} && pos sync pull ${reg(f)}`, why: "a version gap: rerun it" };
  }
  if (/checksum|size mismatch|header|not valid JSON|line \d|rows|mismatch|cannot be read|format/i.test(message)) {
    return {
      fix: `pos cdx cancel ${session.id} && ${runAndPull(f, session.job)}`,
      why: "the package itself is bad: a rerun sends the same bytes, so cancel it and run the job again",
    };
  }
  if (/unreachable|refused|reset|timeout|ECONN/i.test(message)) {
    return { fix: `pos sync pull ${reg(f)}`, why: "the server did not answer: wait for it, then pull" };
  }
  return session.status === "Suspended"
    ? { fix: `pos cdx rerun ${session.id} && pos sync pull ${reg(f)}`, why: "suspended after 3 attempts" }
    : { fix: `pos sync pull ${reg(f)}`, why: "it will be tried again" };
}

export function downloads(f: RegisterFacts): Check[] {
  if (!f.database) return [ok("downloads", "online-only register: no offline database to download into")];
  if (f.sessions === null) {
    return [warning("downloads", `not compared with the server: ${f.sessionsError ?? "it does not answer"}`)];
  }
  const sessions = f.sessions;
  return DOWNLOAD_JOB_IDS.map((job) => {
    const id = `downloads.${job}`;
    const mine = sessions.filter((s) => s.job === job).sort((a, b) => a.id - b.id);
    const applied = f.local?.applied.find((a) => a.job === job) ?? null;
    const at = applied ? `session ${applied.session} applied (version ${applied.toVersion})` : "nothing applied yet";
    const failed = mine.find((s) => FAILED.has(s.status));
    if (failed) {
      const { fix, why } = failedSessionFix(f, failed);
      return problem(
        id,
        `${job}: session ${failed.id} is ${failed.status}${failed.message ? ` (${failed.message})` : ""} — ${why}`,
        fix,
      );
    }
    const waiting = mine.filter((s) => WAITING.has(s.status));
    if (waiting.length > 0) {
      const newest = Math.max(...waiting.map((s) => s.toVersion));
      const text = `${job} is ${waiting.length} session${waiting.length === 1 ? "" : "s"} behind: ${at}, the server has up to version ${newest}`;
      const status: CheckStatus = waiting.length >= SESSIONS_BEHIND_PROBLEM ? "problem" : "warning";
      return { id, status, message: text, fix: `pos sync pull ${reg(f)}` };
    }
    if (!applied) return warning(id, `${job}: never downloaded, nothing waiting at the server`, runAndPull(f, job));
    return ok(id, `${job}: ${at}, up to date`);
  });
}

export function uploadsPending(f: RegisterFacts): Check {
  const id = "uploads.pending";
  if (!f.local) return warning(id, "not checked: the offline database cannot be read");
  const { count, oldest } = f.local.pending;
  if (count === 0) return ok(id, "nothing pending upload");
  const age = oldest ? Math.max(0, f.now - Date.parse(oldest)) : 0;
  const text = `${count} transaction(s) pending upload, the oldest ${formatAge(age)} old (${oldest})`;
  const fix = `pos sync push ${reg(f)}`;
  return age > PENDING_MAX_AGE_MS ? problem(id, `${text}: older than a day`, fix) : warning(id, text, fix);
}

export function uploadsConflicts(f: RegisterFacts): Check {
  const id = "uploads.conflicts";
  if (!f.local) return warning(id, "not checked: the offline database cannot be read");
  const conflicts = f.local.conflicts;
  if (conflicts.length === 0) return ok(id, "no conflicts");
  return problem(
    id,
    `${conflicts.length} transaction(s) the server refused (409, other content under the same id): ${conflicts.map((c) => c.id).join(", ")}; --resend keeps the sale under a new number, --void drops this copy`,
    conflicts.map((c) => `pos sync conflicts resolve ${c.id} --resend ${reg(f)}`).join(" && "),
  );
}

export function databaseIntegrity(f: RegisterFacts): Check {
  const id = "database.integrity";
  const { db } = f;
  // pos register reset sets the damaged file aside (never deletes it) and keeps numbering above the high-water mark.
  const reset = `pos register reset ${f.register} --yes${f.database ? ` && pos cdx run 9999 --full --db ${f.database} && pos sync pull ${reg(f)}` : ""}`;
  const lost = "sales it held that were not yet uploaded cannot be read: restore it from a backup if there is one";
  if (db.mode !== null && (db.mode & 0o600) !== 0o600) {
    return warning(id, `${db.file} not checked while its mode is ${octal(db.mode)} (see database.modes)`);
  }
  if (!db.exists) return problem(id, `${db.file} is missing`, reset);
  if (db.openError) return problem(id, `${db.openError.replace(/ — .*$/, "")}; ${lost}`, reset);
  if (db.quickCheck !== "ok") return problem(id, `${db.file}: quick_check found: ${db.quickCheck}; ${lost}`, reset);
  return ok(id, `${db.file}: quick_check ok`);
}

export function databaseSpace(f: RegisterFacts): Check {
  const id = "database.space";
  const { db } = f;
  const size = `${formatBytes(db.sizeBytes)} (with its WAL)`;
  if (db.freeBytes === null) return warning(id, `${size}; free disk space unknown`);
  const text = `${size}; ${formatBytes(db.freeBytes)} free on its disk`;
  const fix = `free disk space on the file system of ${db.file} (df -h ${db.file})`;
  if (db.freeBytes < DISK_PROBLEM_BYTES) return problem(id, text, fix);
  if (db.freeBytes < DISK_WARNING_BYTES) return warning(id, text, fix);
  return ok(id, text);
}

export function fileModes(f: RegisterFacts): Check {
  const id = "database.modes";
  const { db } = f;
  const issues: string[] = [];
  const fixes: string[] = [];
  if (db.mode !== null && (db.mode & 0o600) !== 0o600) {
    issues.push(`${db.file} has mode ${octal(db.mode)}: the register cannot read and write it`);
    fixes.push(`chmod 600 ${db.file}`);
  }
  if (db.configMode !== null && (db.configMode & 0o077) !== 0) {
    issues.push(`${db.configFile} has mode ${octal(db.configMode)}: others can read the device token`);
    fixes.push(`chmod 600 ${db.configFile}`);
  }
  if (issues.length > 0) return problem(id, issues.join("; "), fixes.join(" && "));
  const modes = [db.mode, db.configMode].map((m) => (m === null ? "missing" : octal(m)));
  return ok(id, `offline.db ${modes[0]}, register.json ${modes[1]}`);
}

/** In doubt for longer than this, a sale is not merely in flight: nothing is settling it. */
export const IN_DOUBT_MAX_AGE_MS = 60_000;

export function uploadsInDoubt(f: RegisterFacts): Check {
  const id = "uploads.in-doubt";
  if (!f.local) return warning(id, "not checked: the offline database cannot be read");
  const rows = f.local.inDoubt;
  if (rows.length === 0) return ok(id, "no sale in doubt");
  const oldest = Math.max(...rows.map((r) => f.now - Date.parse(r.statusAt)));
  const text = `${rows.length} sale(s) sent to the server without an answer (in doubt): ${rows.map((r) => r.id).join(", ")}, the oldest ${formatAge(Math.max(0, oldest))} ago; re-sending settles them (the server keeps each id once)`;
  const fix = `pos sync push ${reg(f)}`;
  return oldest > IN_DOUBT_MAX_AGE_MS ? problem(id, text, fix) : warning(id, text, fix);
}

export function numberSequence(f: RegisterFacts): Check {
  const id = "database.numbers";
  if (!f.local) return warning(id, "not checked: the offline database cannot be read");
  const { reservedTo, maxSeq, gaps, highWater, highWaterError } = f.local;
  if (highWaterError) {
    return problem(
      id,
      `${highWaterError.replace(/ — .*$/, "")}: the high-water mark protects numbers from being used twice`,
      null,
    );
  }
  const mark = Math.max(reservedTo, highWater ?? 0);
  if (maxSeq > mark) {
    return problem(
      id,
      `transaction number ${maxSeq} is above the high-water mark ${mark}: a later sale could reuse a number`,
      `pos register reset ${f.register} --yes`,
    );
  }
  const last = gaps[gaps.length - 1];
  const gapText =
    gaps.length === 0
      ? "no gaps"
      : `${gaps.length} recorded gap(s), the last ${last?.first}–${last?.last} (${last?.reason})`;
  return ok(id, `high-water mark ${mark}, highest number stored ${maxSeq}; ${gapText}`);
}

/** Every check, in the order they are printed. More are added by appending a function. */
export const CHECKS: ReadonlyArray<(f: RegisterFacts) => Check | Check[]> = [
  serverAnswers,
  serverUrl,
  serverToken,
  serverClock,
  connectionMode,
  offlineReadiness,
  downloads,
  uploadsPending,
  uploadsConflicts,
  uploadsInDoubt,
  databaseIntegrity,
  databaseSpace,
  fileModes,
  numberSequence,
];

export function runChecks(facts: RegisterFacts): Check[] {
  return CHECKS.flatMap((check) => check(facts));
}
