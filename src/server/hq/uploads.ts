// P-0001 at HQ over Sql: upload sessions, the high-water mark per store, hq_transactions inserted exactly once.
import { type Sql, scalar } from "./sql.js";
import type { UploadRow, UploadStore } from "./store.js";

const COLUMNS = [
  "id",
  "store_id",
  "register_id",
  "staff_id",
  "customer_id",
  "currency",
  "total_minor",
  "created_at",
  "mode",
  "content_hash",
  "body",
  "replication_counter",
  "upload_session",
  "uploaded_at",
] as const;

/**
 * Rows per INSERT: one round trip carries 500 transactions (7,000 parameters; SQLite allows 32,766, PostgreSQL
 * 65,535), so 10,000 transactions are 20 statements, not 10,000.
 */
const BATCH = 500;

function insertSql(rows: number): string {
  const one = `(${COLUMNS.map(() => "?").join(", ")})`;
  return `INSERT INTO hq_transactions (${COLUMNS.join(", ")}) VALUES ${Array.from({ length: rows }, () => one).join(", ")}
    ON CONFLICT (id) DO NOTHING`;
}

export function uploadStore(sql: Sql): UploadStore {
  return {
    async progress(store) {
      return (
        (await scalar<number>(sql, "SELECT uploaded_counter FROM upload_progress WHERE store_id = ?", [store])) ?? 0
      );
    },
    async begin(s) {
      return (await scalar<number>(
        sql,
        `INSERT INTO upload_sessions (store_id, status, from_counter, to_counter, transactions, customers, created_at)
         VALUES (?, 'Uploaded', ?, ?, ?, 0, ?) RETURNING id`,
        [s.store, s.from, s.to, s.transactions, s.at],
      )) as number;
    },
    apply(id, store, to, rows, at, beforeCommit) {
      return sql.transaction(async (tx) => {
        let inserted = 0;
        let count = 0;
        let batch: unknown[] = [];
        const flush = async () => {
          if (batch.length === 0) return;
          inserted += await tx.run(insertSql(batch.length / COLUMNS.length), batch);
          batch = [];
        };
        for await (const t of rows) {
          count++;
          batch.push(
            t.id,
            t.store_id,
            t.register_id,
            t.staff_id,
            t.customer_id,
            t.currency,
            t.total_minor,
            t.created_at,
            t.mode,
            t.content_hash,
            t.body,
            t.replication_counter,
            id,
            at,
          );
          if (batch.length >= BATCH * COLUMNS.length) await flush();
        }
        await flush();
        beforeCommit?.();
        await tx.run(
          `INSERT INTO upload_progress (store_id, uploaded_counter) VALUES (?, ?)
           ON CONFLICT (store_id) DO UPDATE SET uploaded_counter = CASE
             WHEN excluded.uploaded_counter > upload_progress.uploaded_counter THEN excluded.uploaded_counter
             ELSE upload_progress.uploaded_counter END`,
          [store, to],
        );
        await tx.run(
          "UPDATE upload_sessions SET status = 'Applied', inserted = ?, applied_at = ?, message = ? WHERE id = ?",
          [inserted, at, inserted < count ? `${count - inserted} already at HQ` : null, id],
        );
        return inserted;
      });
    },
    async fail(id, message) {
      await sql.run("UPDATE upload_sessions SET status = 'Apply failed', message = ? WHERE id = ?", [message, id]);
    },
    get: (id) => sql.get<UploadRow>("SELECT * FROM upload_sessions WHERE id = ?", [id]),
    async list(limit) {
      return (await sql.all<UploadRow>("SELECT * FROM upload_sessions ORDER BY id DESC LIMIT ?", [limit])).reverse();
    },
    async countTransactions() {
      return (await scalar<number>(sql, "SELECT COUNT(*) FROM hq_transactions")) ?? 0;
    },
    async reconcileInterrupted(now) {
      const stuck = await sql.all<{ id: number }>(
        "SELECT id FROM upload_sessions WHERE status = 'Uploaded' ORDER BY id",
      );
      const result: { id: number; status: "Applied" | "Apply failed" }[] = [];
      for (const { id } of stuck) {
        const row = (await sql.get<{ inserted: number; applied_at: string | null }>(
          "SELECT COUNT(*) AS inserted, MAX(uploaded_at) AS applied_at FROM hq_transactions WHERE upload_session = ?",
          [id],
        )) ?? { inserted: 0, applied_at: null };
        if (row.inserted > 0) {
          await sql.run(
            "UPDATE upload_sessions SET status = 'Applied', inserted = ?, applied_at = ?, message = ? WHERE id = ?",
            [
              row.inserted,
              row.applied_at ?? now,
              "the server stopped after the apply; status recorded at the next start",
              id,
            ],
          );
          result.push({ id, status: "Applied" });
        } else {
          await sql.run("UPDATE upload_sessions SET status = 'Apply failed', message = ? WHERE id = ?", [
            "the server stopped during the apply at HQ; nothing of it reached HQ, the next P-0001 run sends these transactions",
            id,
          ]);
          result.push({ id, status: "Apply failed" });
        }
      }
      return result;
    },
  };
}
