// A run's snapshot of HQ on PostgreSQL: its own connection, one REPEATABLE READ READ ONLY transaction, cursors.
import pg from "pg";
import type { Row } from "../../schema/tables.js";
import type { HqSnapshot } from "../cdx/generate.js";
import { pgTypes, toPgPlaceholders } from "./pg-sql.js";

/** Rows per FETCH: a batch in memory at a time, few round trips. */
const FETCH_ROWS = 2000;

export async function openPgSnapshot(url: string): Promise<HqSnapshot> {
  const client = new pg.Client({ connectionString: url, types: pgTypes, application_name: "pos cdx" });
  await client.connect();
  try {
    await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    const version = Number(
      (await client.query<{ version: number }>("SELECT version FROM change_tracking WHERE id = 1")).rows[0]?.version,
    );
    let cursors = 0;
    return {
      version,
      async *query(sql: string, params: readonly unknown[]): AsyncGenerator<Row> {
        const name = `pos_cursor_${++cursors}`;
        await client.query(`DECLARE ${name} NO SCROLL CURSOR FOR ${toPgPlaceholders(sql)}`, params as unknown[]);
        try {
          for (;;) {
            const { rows } = await client.query<Row>(`FETCH ${FETCH_ROWS} FROM ${name}`);
            if (rows.length === 0) break;
            yield* rows;
          }
        } finally {
          await client.query(`CLOSE ${name}`);
        }
      },
      close: async () => {
        await client.query("COMMIT").catch(() => undefined);
        await client.end();
      },
    };
  } catch (error) {
    await client.end().catch(() => undefined);
    throw error;
  }
}
