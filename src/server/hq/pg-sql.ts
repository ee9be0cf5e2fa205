// The Sql surface over a PostgreSQL pool (pg 8): `?` → `$n`, integers as numbers, one pooled client per transaction.
import pg from "pg";
import { HqUnavailableError, type Params, type Sql } from "./sql.js";

// BIGINT (20) and NUMERIC (1700, what SUM of a bigint gives) as JS numbers: HQ's integers (versions, counters,
// minor units) stay far below 2^53, and every caller compares them as numbers, as with SQLite.
const INT8 = 20;
const NUMERIC = 1700;
export const pgTypes: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: string) =>
    oid === INT8 || oid === NUMERIC
      ? (value: string) => Number(value)
      : pg.types.getTypeParser(oid, format as "text")) as pg.CustomTypesConfig["getTypeParser"],
};

const converted = new Map<string, string>();

/** `?` placeholders as `$1, $2, …` (HQ's SQL never has a `?` inside a literal). */
export function toPgPlaceholders(sql: string): string {
  let text = converted.get(sql);
  if (text === undefined) {
    let n = 0;
    text = sql.replace(/\?/g, () => `$${++n}`);
    converted.set(sql, text);
  }
  return text;
}

export function createPool(url: string, options: { max?: number } = {}): pg.Pool {
  return new pg.Pool({
    connectionString: url,
    types: pgTypes,
    max: options.max ?? 8,
    connectionTimeoutMillis: 10_000,
    application_name: "pos",
  });
}

type Queryable = Pick<pg.PoolClient, "query">;

// Connection-level failures (not a statement's): refused, reset, timed out, the server shutting down or
// starting (57P0x), connection exceptions (08xxx).
const CONNECTION_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "57P01",
  "57P02",
  "57P03",
]);

export function isConnectionFailure(error: unknown): boolean {
  const err = error as { code?: unknown; message?: unknown };
  const code = typeof err?.code === "string" ? err.code : "";
  if (CONNECTION_CODES.has(code) || code.startsWith("08")) return true;
  return /Connection terminated|connection timeout|Client has encountered a connection error/i.test(
    String(err?.message),
  );
}

/** A connection failure becomes HqUnavailableError (503); anything else is the statement's own error. */
export function unavailable(error: unknown): unknown {
  if (!isConnectionFailure(error)) return error;
  return new HqUnavailableError(`HQ's PostgreSQL database is not reachable: ${(error as Error).message}`, {
    cause: error,
  });
}

function handle(db: Queryable, pool: pg.Pool | undefined): Sql {
  const query = async <T>(sql: string, params: Params = []) => {
    try {
      return (await db.query(toPgPlaceholders(sql), params as unknown[])) as unknown as pg.QueryResult<
        T & pg.QueryResultRow
      >;
    } catch (error) {
      throw unavailable(error);
    }
  };
  const self: Sql = {
    engine: "postgres",
    async get<T>(sql: string, params?: Params) {
      return (await query<T>(sql, params)).rows[0] as T | undefined;
    },
    async all<T>(sql: string, params?: Params) {
      return (await query<T>(sql, params)).rows as T[];
    },
    async run(sql: string, params?: Params) {
      return (await query(sql, params)).rowCount ?? 0;
    },
    async transaction<T>(work: (tx: Sql) => Promise<T>): Promise<T> {
      if (!pool) return work(self);
      return inTransaction(pool, "BEGIN", (client) => work(handle(client, undefined)));
    },
  };
  return self;
}

/** Runs `work` on one client between `begin` and COMMIT (ROLLBACK on error); the client goes back to the pool. */
export async function inTransaction<T>(
  pool: pg.Pool,
  begin: string,
  work: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect().catch((error: unknown) => {
    throw unavailable(error);
  });
  let broken = false;
  try {
    await client.query(begin).catch((error: unknown) => {
      broken = true;
      throw unavailable(error);
    });
    try {
      const result = await work(client);
      await client.query("COMMIT");
      return result;
    } catch (error) {
      await client.query("ROLLBACK").catch(() => {
        broken = true;
      });
      throw unavailable(error);
    }
  } finally {
    client.release(broken);
  }
}

export function pgSql(pool: pg.Pool): Sql {
  return handle(pool, pool);
}
