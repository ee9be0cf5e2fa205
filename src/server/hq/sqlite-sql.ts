// The Sql surface over the server's better-sqlite3 connection: statements cached, transactions serialised.
import type { Db } from "../../lib/db.js";
import { prepared } from "../../lib/db.js";
import type { Params, Sql } from "./sql.js";

/**
 * better-sqlite3 is synchronous and the server has one connection, so an async transaction must keep every other
 * caller out until it ends: callers outside wait for it (a read would otherwise see its uncommitted rows, a write
 * would join it). Without a transaction open a statement runs at once.
 */
export function sqliteSql(db: Db): Sql {
  // The check and what follows it must run in the same tick: `while (open) await open;` inline, never behind a
  // helper's own await, or two callers could both see the connection idle.
  let open: Promise<void> | undefined;
  const direct = (inTx: boolean): Sql => ({
    engine: "sqlite",
    async get<T>(sql: string, params: Params = []) {
      if (!inTx) while (open) await open;
      return prepared<unknown[], T>(db, sql).get(...params) as T | undefined;
    },
    async all<T>(sql: string, params: Params = []) {
      if (!inTx) while (open) await open;
      return prepared<unknown[], T>(db, sql).all(...params) as T[];
    },
    async run(sql: string, params: Params = []) {
      if (!inTx) while (open) await open;
      return prepared(db, sql).run(...params).changes;
    },
    async transaction<T>(work: (tx: Sql) => Promise<T>): Promise<T> {
      if (inTx) return work(txHandle);
      while (open) await open;
      let release = () => {};
      open = new Promise<void>((resolve) => {
        release = resolve;
      });
      try {
        db.exec("BEGIN IMMEDIATE");
        try {
          const result = await work(txHandle);
          db.exec("COMMIT");
          return result;
        } catch (error) {
          if (db.inTransaction) db.exec("ROLLBACK");
          throw error;
        }
      } finally {
        open = undefined;
        release();
      }
    },
  });
  const txHandle = direct(true);
  return direct(false);
}
