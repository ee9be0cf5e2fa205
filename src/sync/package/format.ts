// The pos-package/1 contract (SPEC §3): header and change types, their validation, and the error they raise.
import { OperationError } from "../../lib/errors.js";
import {
  DOWNLOAD_JOBS,
  type DownloadJobId,
  type Row,
  type RowValue,
  TABLE_NAMES,
  TABLES,
  type TableDef,
  type TableName,
} from "../../schema/tables.js";

export const PACKAGE_FORMAT = "pos-package/1";

/** Changes per table (upserts + deletes); tables without changes may be left out. */
export type TableCounts = Partial<Record<TableName, number>>;

export interface PackageHeader {
  format: typeof PACKAGE_FORMAT;
  session: number;
  job: string;
  database: string;
  /** A full package replaces the job's tables at the target instead of following on from fromVersion. */
  full: boolean;
  fromVersion: number;
  toVersion: number;
  rows: TableCounts;
}

export type PackageChange = { table: TableName; op: "upsert"; row: Row } | { table: TableName; op: "delete"; key: Row };

export type PackageProblem = "size" | "checksum" | "header" | "line" | "rows" | "mismatch" | "version-gap" | "apply";

/** A package that cannot be read or applied; `line` is the 1-based NDJSON line when one is to blame. */
export class PackageError extends OperationError {
  readonly problem: PackageProblem;
  readonly line: number | undefined;
  /** The message without its "package line N:" prefix, to rebuild the error on another thread. */
  readonly detail: string;
  constructor(problem: PackageProblem, detail: string, options: { line?: number; cause?: unknown } = {}) {
    const where = options.line === undefined ? "" : `line ${options.line}: `;
    super(`package ${where}${detail}`, "PackageApplyFailed", undefined, { cause: options.cause });
    this.problem = problem;
    this.line = options.line;
    this.detail = detail;
  }
}

const TABLE_BY_NAME: ReadonlyMap<string, TableDef> = new Map(TABLE_NAMES.map((name) => [name, TABLES[name]]));
/** Each table's column names in storage order: the order of an upsert's positional parameters. */
export const COLUMN_NAMES = Object.fromEntries(
  TABLE_NAMES.map((name) => [name, Object.keys(TABLES[name].columns)]),
) as unknown as Readonly<Record<TableName, readonly string[]>>;

const TABLE_INDEX: ReadonlyMap<string, number> = new Map(TABLE_NAMES.map((name, index) => [name, index]));

/** The number of a change's prepared statement: `TABLE_NAMES` index × 2 for an upsert, + 1 for a delete. */
export function statementOf(change: PackageChange): number {
  return (TABLE_INDEX.get(change.table) ?? 0) * 2 + (change.op === "delete" ? 1 : 0);
}

export function isDownloadJob(job: string): job is DownloadJobId {
  return Object.hasOwn(DOWNLOAD_JOBS, job);
}

/** The tables a job's packages may carry: a download job's own tables, or every table for a job we do not know. */
export function jobTables(job: string): readonly TableName[] {
  return isDownloadJob(job) ? DOWNLOAD_JOBS[job].tables : TABLE_NAMES;
}

/**
 * Validates one change line. Hand-written rather than zod because it runs once per row on the apply path:
 * it checks only what the database needs (a table of the package's job, the op, every column or key column
 * present as a JSON string, number or null); extra fields are ignored so a newer writer can add some.
 * With `values`, the change's positional parameters are appended to it in the same pass (the reader thread).
 */
export function parseChangeLine(text: string, line: number, job: string, values?: RowValue[]): PackageChange {
  if (text.length === 0) throw new PackageError("line", "is empty", { line });
  const value = parseJson(text, line);
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new PackageError("line", "a change must be a JSON object", { line });
  }
  const change = value as Record<string, unknown>;
  const def = typeof change.table === "string" ? TABLE_BY_NAME.get(change.table) : undefined;
  if (!def) throw new PackageError("line", `unknown table ${JSON.stringify(change.table)}`, { line });
  if (!jobTables(job).includes(def.name)) throw new PackageError("line", notInJob(def.name, job), { line });
  if (change.op === "upsert") {
    const row = checkValues(change.row, "row", COLUMN_NAMES[def.name], def, line, values);
    return { table: def.name, op: "upsert", row };
  }
  if (change.op === "delete") {
    return { table: def.name, op: "delete", key: checkValues(change.key, "key", def.key, def, line, values) };
  }
  throw new PackageError("line", `op must be "upsert" or "delete", not ${JSON.stringify(change.op)}`, { line });
}

function checkValues(
  value: unknown,
  field: string,
  columns: readonly string[],
  def: TableDef,
  line: number,
  values: RowValue[] | undefined,
): Row {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new PackageError("line", `${field} of a ${def.name} change must be an object`, { line });
  }
  const row = value as Record<string, unknown>;
  for (const column of columns) {
    const cell = row[column];
    if (cell === undefined) {
      throw new PackageError("line", `${field} for ${def.name} lacks column "${column}"`, { line });
    }
    if (cell !== null && typeof cell !== "string" && typeof cell !== "number") {
      throw new PackageError("line", `${field}.${column} of ${def.name} must be a string, number or null`, { line });
    }
    values?.push(cell);
  }
  return row as Row;
}

/** Compares the changes counted while reading with the header's promise; a short package is refused. */
export function checkCounts(header: PackageHeader, counted: TableCounts, lastLine?: number): void {
  for (const table of new Set([...Object.keys(header.rows), ...Object.keys(counted)]) as Set<TableName>) {
    const promised = header.rows[table] ?? 0;
    const found = counted[table] ?? 0;
    if (promised !== found) {
      const message = `header promises ${promised} ${table} changes but the package has ${found}`;
      throw new PackageError("rows", message, lineOption(lastLine));
    }
  }
}

export function parseJson(text: string, line: number): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new PackageError("line", `not valid JSON (${(error as Error).message})`, { line, cause: error });
  }
}

export function notInJob(table: TableName, job: string): string {
  return `table "${table}" is not part of job ${job} (${jobTables(job).join(", ")})`;
}

export function lineOption(line: number | undefined): { line?: number } {
  return line === undefined ? {} : { line };
}
