// Settling upload conflicts in the offline database: void or resend under a new number, each with an audit record.
import { transactionId } from "../domain/ids.js";
import type { WireTransaction } from "../domain/transaction.js";
import { type Db, prepared } from "../lib/db.js";
import { createOfflineStore } from "./offline-store.js";

export interface ConflictResolution {
  transactionId: string;
  action: "void" | "resend";
  newId: string | null;
  resolvedAt: string;
  message: string | null;
}

export function createConflictStore(db: Db) {
  const local = createOfflineStore(db);
  const resolutionOf = (id: string) =>
    prepared(
      db,
      `SELECT transaction_id AS transactionId, action, new_id AS newId, resolved_at AS resolvedAt, message
         FROM conflict_resolutions WHERE transaction_id = ? ORDER BY id DESC LIMIT 1`,
    ).get(id) as ConflictResolution | undefined;

  return {
    conflicts: () => local.conflicts(),
    resolution: resolutionOf,

    /**
     * One SQLite transaction: the audit record, then the row removed (void) or moved to a freshly reserved number
     * as a pending upload (resend). Answers null when the id is not a conflict.
     */
    resolve(
      id: string,
      action: "void" | "resend",
      registerId: string,
      now: string,
      highWater?: { read(): number; write(value: number): void },
    ): ConflictResolution | null {
      return db
        .transaction(() => {
          const row = local.transaction(id);
          if (row?.status !== "conflict") return null;
          let newId: string | null = null;
          if (action === "resend") {
            // The register's high-water mark (outside this file) is raised first, as for every sale's number.
            const floor = highWater?.read() ?? 0;
            const { first } = local.reserveNumbers(registerId, 1, {
              floor,
              ...(highWater ? { beforeCommit: (last: number) => highWater.write(Math.max(last, floor)) } : {}),
            });
            newId = transactionId(registerId, first);
            const wire = { ...(JSON.parse(row.body) as WireTransaction), id: newId };
            local.saveTransaction(wire, first, row.total, "pending", now);
          }
          prepared(
            db,
            `INSERT INTO conflict_resolutions (transaction_id, action, new_id, resolved_at, message, body)
             VALUES (?, ?, ?, ?, ?, ?)`,
          ).run(id, action, newId, now, row.message, row.body);
          prepared(db, "DELETE FROM transactions WHERE id = ? AND status = 'conflict'").run(id);
          return resolutionOf(id) ?? null;
        })
        .immediate();
    },
  };
}
