// Opens a SQLite database the one way this project does: WAL, foreign keys, busy timeout, migrations by user_version.
import { chmodSync, existsSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database, { type Statement } from "better-sqlite3";

export type Db = Database.Database;

/** A migration is SQL to exec, or a function for anything SQL alone cannot say. Index + 1 = user_version. */
export type Migration = string | ((db: Db) => void);

export interface OpenDatabaseOptions {
  migrations?: readonly Migration[];
  /** FULL survives a power cut (one fsync per commit); NORMAL survives a process kill. */
  synchronous?: "FULL" | "NORMAL" | "OFF";
  readonly?: boolean;
  busyTimeoutMs?: number;
}

export function openDatabase(file: string, options: OpenDatabaseOptions = {}): Db {
  if (file !== ":memory:" && !options.readonly) mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file, { readonly: options.readonly ?? false, fileMustExist: options.readonly ?? false });
  if (file !== ":memory:" && !options.readonly) makePrivate(file);
  db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5000}`);
  if (!options.readonly) {
    db.pragma("journal_mode = WAL");
    db.pragma(`synchronous = ${options.synchronous ?? "NORMAL"}`);
  }
  db.pragma("foreign_keys = ON");
  if (options.migrations && !options.readonly) migrate(db, options.migrations);
  return db;
}

/**
 * Databases hold password hashes and sales: owner-only, also when an older version created them readable by all.
 * A file of another owner cannot be changed and is left as it is.
 */
function makePrivate(file: string): void {
  for (const f of [file, `${file}-wal`, `${file}-shm`]) {
    try {
      if (existsSync(f)) chmodSync(f, 0o600);
    } catch {
      // Not ours to change (another owner): opening it is still allowed.
    }
  }
}

/** Applies the migrations past the database's user_version, each in its own transaction. */
export function migrate(db: Db, migrations: readonly Migration[]): number {
  const current = db.pragma("user_version", { simple: true }) as number;
  if (current > migrations.length) {
    throw new Error(
      `database schema version ${current} is newer than this program knows (${migrations.length}); upgrade pos`,
    );
  }
  for (let version = current; version < migrations.length; version++) {
    const step = migrations[version];
    db.transaction(() => {
      if (typeof step === "string") db.exec(step);
      else step?.(db);
      db.pragma(`user_version = ${version + 1}`);
    }).immediate();
  }
  return migrations.length;
}

// Prepared statements cached per database handle, so hot paths never re-prepare SQL.
const statements = new WeakMap<Db, Map<string, Statement>>();

/** A statement typed by its parameters (a tuple, or one object of named ones) and its row. */
export type Prepared<Params extends unknown[] | object, Row> = Params extends unknown[]
  ? Statement<Params, Row>
  : Statement<[Params], Row>;

/** The cached statement for `sql`, typed: `prepared<[string], { n: number }>(db, "SELECT … WHERE id = ?")`. */
export function prepared<Params extends unknown[] | object = unknown[], Row = unknown>(
  db: Db,
  sql: string,
): Prepared<Params, Row> {
  let cache = statements.get(db);
  if (!cache) {
    cache = new Map();
    statements.set(db, cache);
  }
  let statement = cache.get(sql);
  if (!statement) {
    statement = db.prepare(sql);
    cache.set(sql, statement);
  }
  return statement as unknown as Prepared<Params, Row>;
}

/** Like `prepared`, for statements that return the first column's value (pluck mode is per statement). */
export function preparedPluck<Params extends unknown[] | object = unknown[], Value = unknown>(
  db: Db,
  sql: string,
): Prepared<Params, Value> {
  return prepared(db, `-- pluck\n${sql}`).pluck() as unknown as Prepared<Params, Value>;
}
