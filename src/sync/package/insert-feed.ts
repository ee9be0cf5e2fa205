// Inserts the changes of a package feed with one cached prepared statement per (table, op).
import type Database from "better-sqlite3";
import type { Db } from "../../lib/db.js";
import { type RowValue, TABLE_NAMES, TABLES } from "../../schema/tables.js";
import type { PackageFeed } from "./feed.js";
import type { FeedBatch, FeedLines } from "./feed-protocol.js";
import { COLUMN_NAMES, PackageError, parseChangeLine, statementOf, type TableCounts } from "./format.js";

/** Runs a statement with the values of a flat array that start at `at` (as many as the statement has "?"). */
type Runner = (values: readonly RowValue[], at: number) => void;

interface Statements {
  /** Index: statementOf(change) — `TABLE_NAMES` index × 2 for the upsert, + 1 for the delete by key. */
  runners: readonly Runner[];
  arities: readonly number[];
}

export interface InsertedFeed {
  rows: TableCounts;
  upserts: number;
  deletes: number;
  /** Lines read, header included. */
  lines: number;
}

/** How often a long apply says how far it got (`onRows`). */
export const PROGRESS_ROWS = 50_000;

/**
 * Applies every change of the feed; must run inside the caller's transaction. Errors name the line.
 * `onRows` hears the running count of changes each time it passes a multiple of PROGRESS_ROWS.
 */
export function insertFeed(db: Db, feed: PackageFeed, onRows?: (rows: number) => void): InsertedFeed {
  const statements = statementsFor(db);
  const counts = new Float64Array(TABLE_NAMES.length * 2);
  let line = 1;
  let reported = 0;
  for (;;) {
    const message = feed.next();
    if (message.kind === "end") return summary(counts, message.lines);
    line =
      message.kind === "batch"
        ? insertBatch(message, statements, counts, line)
        : insertLines(message, feed, statements, counts);
    const rows = line - 1;
    if (onRows && rows - reported >= PROGRESS_ROWS) {
      reported = rows - (rows % PROGRESS_ROWS);
      onRows(rows);
    }
  }
}

function insertBatch(batch: FeedBatch, { runners, arities }: Statements, counts: Float64Array, line: number): number {
  const ops = batch.statements;
  const values = JSON.parse(batch.values) as RowValue[];
  let i = 0;
  let at = 0;
  try {
    for (; i < ops.length; i++) {
      const op = ops[i] as number;
      (runners[op] as Runner)(values, at);
      at += arities[op] as number;
      counts[op] = (counts[op] ?? 0) + 1;
    }
  } catch (error) {
    throw insertError(ops[i] ?? 0, line + i + 1, error);
  }
  return line + ops.length;
}

function insertLines(batch: FeedLines, feed: PackageFeed, { runners }: Statements, counts: Float64Array): number {
  const values: RowValue[] = [];
  let line = batch.firstLine;
  for (const text of batch.text.split("\n")) {
    values.length = 0;
    const op = statementOf(parseChangeLine(text, line, feed.header.job, values));
    try {
      (runners[op] as Runner)(values, 0);
    } catch (error) {
      throw insertError(op, line, error);
    }
    counts[op] = (counts[op] ?? 0) + 1;
    line++;
  }
  return line - 1;
}

function insertError(op: number, line: number, error: unknown): PackageError {
  const what = `${TABLE_NAMES[op >> 1]} ${op & 1 ? "delete" : "upsert"}`;
  return new PackageError("apply", `${what} failed: ${(error as Error).message}`, { line, cause: error });
}

function summary(counts: Float64Array, lines: number): InsertedFeed {
  const rows: TableCounts = {};
  let upserts = 0;
  let deletes = 0;
  TABLE_NAMES.forEach((table, index) => {
    const [upserted = 0, deleted = 0] = counts.subarray(index * 2, index * 2 + 2);
    if (upserted + deleted > 0) rows[table] = upserted + deleted;
    upserts += upserted;
    deletes += deleted;
  });
  return { rows, upserts, deletes, lines };
}

const cache = new WeakMap<Db, Statements>();

/** Prepared once per connection: INSERT OR REPLACE for upserts, DELETE by key for deletes. */
function statementsFor(db: Db): Statements {
  let statements = cache.get(db);
  if (!statements) {
    const runners: Runner[] = [];
    const arities: number[] = [];
    for (const name of TABLE_NAMES) {
      const columns = COLUMN_NAMES[name];
      const key = TABLES[name].key;
      const upsert = `INSERT OR REPLACE INTO ${name} (${columns.join(", ")}) VALUES (${columns.map(() => "?").join(", ")})`;
      const remove = `DELETE FROM ${name} WHERE ${key.map((column) => `${column} = ?`).join(" AND ")}`;
      runners.push(runnerFor(db.prepare(upsert), columns.length), runnerFor(db.prepare(remove), key.length));
      arities.push(columns.length, key.length);
    }
    statements = { runners, arities };
    cache.set(db, statements);
  }
  return statements;
}

/**
 * Separate arguments read straight from the flat batch: ~10% faster per row than `run(array)` or a spread
 * slice, measured with better-sqlite3 12. Wider tables are rare and small, so they take the spread.
 */
function runnerFor(statement: Database.Statement, arity: number): Runner {
  switch (arity) {
    case 1:
      return (v, i) => void statement.run(v[i]);
    case 2:
      return (v, i) => void statement.run(v[i], v[i + 1]);
    case 3:
      return (v, i) => void statement.run(v[i], v[i + 1], v[i + 2]);
    case 4:
      return (v, i) => void statement.run(v[i], v[i + 1], v[i + 2], v[i + 3]);
    case 5:
      return (v, i) => void statement.run(v[i], v[i + 1], v[i + 2], v[i + 3], v[i + 4]);
    case 6:
      return (v, i) => void statement.run(v[i], v[i + 1], v[i + 2], v[i + 3], v[i + 4], v[i + 5]);
    default:
      return (v, i) => void statement.run(...v.slice(i, i + arity));
  }
}
