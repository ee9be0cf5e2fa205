// Applies pos-package/1 files to a master-data target (channel or offline database): all of it or nothing, once.
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { performance } from "node:perf_hooks";
import { type Db, prepared } from "../../lib/db.js";
import { InternalError } from "../../lib/errors.js";
import { DOWNLOAD_JOB_IDS } from "../../schema/tables.js";
import { openPackageFeed, type PackageFeed } from "./feed.js";
import { checkCounts, isDownloadJob, jobTables, PackageError, type PackageHeader, type TableCounts } from "./format.js";
import { insertFeed } from "./insert-feed.js";

export { releasePackageReader } from "./feed.js";

/** What the session list promised about the package: checked before a single row is applied. */
export interface ExpectedSession {
  session: number;
  job: string;
  database: string;
  size: number;
  sha256: string;
}

export interface ApplyOptions {
  /** ISO time recorded as applied_at (injected: replay runs on a virtual clock). */
  now: string;
  /** Changes inserted so far, inside the still-open transaction (see PROGRESS_ROWS). */
  onRows?: (rows: number) => void;
}

export interface ApplyResult {
  session: number;
  job: string;
  /** True when the session was applied before: this call changed nothing. */
  alreadyApplied: boolean;
  full: boolean;
  fromVersion: number;
  toVersion: number;
  /** Changes applied per table by this call. */
  rows: TableCounts;
  upserts: number;
  deletes: number;
  durationMs: number;
}

/**
 * Verifies `file` against `expected` (size, SHA-256, header), then applies every change and the
 * applied_sessions row in one BEGIN IMMEDIATE transaction, or nothing (PackageError, rolled back).
 *
 * A worker thread decompresses and parses while this thread inserts; the transaction itself runs
 * synchronously, so the event loop is blocked while rows go in (a few seconds per million rows) — the
 * price of keeping other code on this connection out of the package's transaction.
 */
export async function applyPackage(
  db: Db,
  file: string,
  expected: ExpectedSession,
  options: ApplyOptions,
): Promise<ApplyResult> {
  const started = performance.now();
  // Inside a caller's transaction, "applied entirely or not at all" would be the caller's to keep, not ours.
  if (db.inTransaction) throw new InternalError("applyPackage needs a connection outside any transaction");
  const before = appliedResult(db, expected, started);
  if (before) return before;
  await verifyPackageFile(file, expected);
  const feed = await openPackageFeed(file);
  try {
    checkExpectedHeader(feed.header, expected);
    return db.transaction(() => applyFeed(db, feed, expected, options, started)).immediate();
  } finally {
    await feed.close();
  }
}

/** Size first (cheap), then SHA-256 over the compressed bytes; a mismatch is a PackageError. */
export async function verifyPackageFile(
  file: string,
  expected: Pick<ExpectedSession, "size" | "sha256">,
): Promise<void> {
  let size: number;
  try {
    size = (await stat(file)).size;
  } catch (error) {
    throw new PackageError("apply", `file ${file} cannot be read (${(error as Error).message})`, { cause: error });
  }
  if (size !== expected.size) {
    throw new PackageError("size", `size mismatch: file has ${size} bytes, the session says ${expected.size}`);
  }
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(file, { highWaterMark: 1024 * 1024 })) hash.update(chunk as Buffer);
  const sha256 = hash.digest("hex");
  if (sha256 !== expected.sha256.toLowerCase()) {
    throw new PackageError("checksum", `checksum mismatch: SHA-256 is ${sha256}, the session says ${expected.sha256}`);
  }
}

function checkExpectedHeader(header: PackageHeader, expected: ExpectedSession): void {
  for (const field of ["session", "job", "database"] as const) {
    if (header[field] !== expected[field]) {
      const message = `header mismatch: ${field} is ${JSON.stringify(header[field])}, the session says ${JSON.stringify(expected[field])}`;
      throw new PackageError("mismatch", message, { line: 1 });
    }
  }
  // Versions and full replacement are per job's tables, so only the download jobs' packages can be applied.
  if (!isDownloadJob(header.job)) {
    throw new PackageError("mismatch", `job ${header.job} is not a download job (${DOWNLOAD_JOB_IDS.join(", ")})`, {
      line: 1,
    });
  }
}

/** Runs inside the transaction: every check that depends on the database is made here, under the write lock. */
function applyFeed(db: Db, feed: PackageFeed, expected: ExpectedSession, options: ApplyOptions, started: number) {
  const header = feed.header;
  // Another connection may have applied it between the first look and BEGIN IMMEDIATE.
  const before = appliedResult(db, expected, started);
  if (before) return before;
  if (header.full) {
    for (const table of jobTables(header.job)) db.prepare(`DELETE FROM ${table}`).run();
  } else {
    const at = databaseVersion(db, header.job);
    if (header.fromVersion !== at) {
      throw new PackageError(
        "version-gap",
        `version gap: package starts at ${header.fromVersion} but database is at ${at} for job ${header.job}`,
      );
    }
  }
  const inserted = insertFeed(db, feed, options.onRows);
  checkCounts(header, inserted.rows, inserted.lines);
  db.prepare(
    `INSERT INTO applied_sessions (session, job, database, full, from_version, to_version, rows, sha256, applied_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    header.session,
    header.job,
    header.database,
    header.full ? 1 : 0,
    header.fromVersion,
    header.toVersion,
    JSON.stringify(inserted.rows),
    expected.sha256.toLowerCase(),
    options.now,
  );
  return {
    session: header.session,
    job: header.job,
    alreadyApplied: false,
    full: header.full,
    fromVersion: header.fromVersion,
    toVersion: header.toVersion,
    rows: inserted.rows,
    upserts: inserted.upserts,
    deletes: inserted.deletes,
    durationMs: performance.now() - started,
  };
}

/** The job's version in this database: the to_version of its last applied session, 0 before any. */
export function databaseVersion(db: Db, job: string): number {
  const row = prepared<[string], { to_version: number }>(
    db,
    "SELECT to_version FROM applied_sessions WHERE job = ? ORDER BY session DESC LIMIT 1",
  ).get(job);
  return row?.to_version ?? 0;
}

interface AppliedRow {
  job: string;
  full: number;
  from_version: number;
  to_version: number;
  sha256: string;
}

/** The no-op result for a session applied before; a different package under the same session id is refused. */
function appliedResult(db: Db, expected: ExpectedSession, started: number): ApplyResult | undefined {
  const row = db
    .prepare("SELECT job, full, from_version, to_version, sha256 FROM applied_sessions WHERE session = ?")
    .get(expected.session) as AppliedRow | undefined;
  if (!row) return undefined;
  if (row.sha256 !== expected.sha256.toLowerCase()) {
    throw new PackageError(
      "mismatch",
      `session ${expected.session} was already applied from a different package (SHA-256 ${row.sha256})`,
    );
  }
  return {
    session: expected.session,
    job: row.job,
    alreadyApplied: true,
    full: row.full === 1,
    fromVersion: row.from_version,
    toVersion: row.to_version,
    rows: {},
    upserts: 0,
    deletes: 0,
    durationMs: performance.now() - started,
  };
}
