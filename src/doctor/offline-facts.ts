// What the doctor reads from a register's offline database: readiness, counts, applied jobs, queue and numbering.
import type { Db } from "../lib/db.js";
import { prepared } from "../lib/db.js";
import { createOfflineStore } from "../offline/offline-store.js";
import { offlineReadiness } from "../register/offline-source.js";
import type { LocalFacts } from "./types.js";

export function readLocalFacts(
  db: Db,
  registerId: string,
  store: string,
  highWater: { value: number | null; error: string | null },
): LocalFacts {
  const local = createOfflineStore(db);
  const one = (sql: string, ...params: unknown[]) =>
    prepared<unknown[], { n: number | null }>(db, sql).get(...params)?.n ?? 0;
  const applied = prepared(
    db,
    `SELECT a.job, a.session, a.to_version AS toVersion FROM applied_sessions a
      WHERE a.session = (SELECT max(b.session) FROM applied_sessions b WHERE b.job = a.job) ORDER BY a.job`,
  ).all() as LocalFacts["applied"];
  return {
    readiness: offlineReadiness(local, registerId, store),
    products: one("SELECT count(*) AS n FROM products WHERE active = 1"),
    prices: one("SELECT count(*) AS n FROM prices WHERE store_id = ?", store),
    applied,
    pending: local.pendingSummary(),
    conflicts: local.conflicts().map((c) => ({ id: c.id, total: c.total, message: c.message })),
    inDoubt: local.inDoubt().map((row) => ({ id: row.id, total: row.total, statusAt: row.status_at })),
    reservedTo: local.numberState(registerId).reservedTo,
    maxSeq: one("SELECT max(seq) AS n FROM transactions"),
    gaps: local.numberGaps(),
    highWater: highWater.value,
    highWaterError: highWater.error,
  };
}

/** PRAGMA quick_check: "ok", or the problems it found joined. */
export function quickCheck(db: Db): string {
  const rows = db.pragma("quick_check") as Array<{ quick_check: string }>;
  const problems = rows.map((r) => r.quick_check).filter((m) => m !== "ok");
  return problems.length === 0 ? "ok" : problems.join("; ");
}
