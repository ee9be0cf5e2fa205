// The one SQL surface HQ's storage is written against: async queries and transactions, the same on SQLite and PostgreSQL.

/** A query's parameters: `?` placeholders in order (PostgreSQL's `$n` are made from them). */
export type Params = readonly unknown[];

/**
 * HQ's SQL is written once in the subset both engines speak (`?` placeholders, `ON CONFLICT … DO UPDATE`,
 * `RETURNING`, quoted `"full"`); the few things they say differently are asked of `engine`.
 */
export interface Sql {
  readonly engine: "sqlite" | "postgres";
  get<T>(sql: string, params?: Params): Promise<T | undefined>;
  all<T>(sql: string, params?: Params): Promise<T[]>;
  /** Runs a statement; answers the rows it changed. */
  run(sql: string, params?: Params): Promise<number>;
  /**
   * Runs `work` in one transaction (serialised against other writers; on PostgreSQL READ COMMITTED, with the
   * change counter's row lock ordering writers). Called on a transaction's handle it joins that transaction.
   */
  transaction<T>(work: (tx: Sql) => Promise<T>): Promise<T>;
}

/** The first column of a row (COUNT, MAX and the like), or undefined without a row. */
export async function scalar<T>(sql: Sql, text: string, params?: Params): Promise<T | undefined> {
  const row = await sql.get<Record<string, T>>(text, params);
  return row === undefined ? undefined : (Object.values(row)[0] as T);
}

/** Every row's first column. */
export async function column<T>(sql: Sql, text: string, params?: Params): Promise<T[]> {
  const rows = await sql.all<Record<string, T>>(text, params);
  return rows.map((row) => Object.values(row)[0] as T);
}

/**
 * HQ's database cannot be reached (PostgreSQL down, restarting, the network): the request is not wrong, HQ is
 * unavailable for now — the API answers 503 (registers fail over as for any unavailable server).
 */
export class HqUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "HqUnavailableError";
  }
}
