// Start-up reconciliation of P-0001 sessions a killed server left `Uploaded` (both outcomes of the HQ apply).
import { describe, expect, it } from "vitest";
import { reconcileInterrupted } from "../../../src/server/cdx/reconcile.js";
import { openSqliteHq } from "../../../src/server/hq/sqlite.js";

const NOW = "2026-01-05T09:00:00.000Z";

function hqWithUploaded(withRows: boolean) {
  const store = openSqliteHq(":memory:");
  const hq = store.db;
  hq.exec(`INSERT INTO upload_sessions (store_id, status, from_counter, to_counter, transactions, customers, created_at)
    VALUES ('SEA01', 'Uploaded', 0, 2, 2, 0, '2026-01-05T08:00:00.000Z')`);
  if (withRows) {
    hq.exec(`INSERT INTO hq_transactions VALUES
      ('SEA01-R1-000001', 'SEA01', 'SEA01-R1', '000160', NULL, 'USD', 100, 't', 'online', 'h', '{}', 1, 1, '2026-01-05T08:00:01.000Z'),
      ('SEA01-R1-000002', 'SEA01', 'SEA01-R1', '000160', NULL, 'USD', 100, 't', 'online', 'h', '{}', 2, 1, '2026-01-05T08:00:01.000Z')`);
  }
  return { store, hq };
}

describe("reconciling interrupted upload sessions", () => {
  it("marks a session whose transactions reached HQ Applied, with their count and time", async () => {
    const { store, hq } = hqWithUploaded(true);
    expect(await reconcileInterrupted(store, new Map(), NOW)).toEqual({
      uploads: [{ id: 1, status: "Applied" }],
      downloads: [],
    });
    expect(hq.prepare("SELECT status, inserted, applied_at FROM upload_sessions").get()).toEqual({
      status: "Applied",
      inserted: 2,
      applied_at: "2026-01-05T08:00:01.000Z",
    });
    hq.close();
  });

  it("marks a session with nothing at HQ Apply failed and leaves the counter for the next run", async () => {
    const { store, hq } = hqWithUploaded(false);
    expect((await reconcileInterrupted(store, new Map(), NOW)).uploads).toEqual([{ id: 1, status: "Apply failed" }]);
    const row = hq.prepare("SELECT status, message FROM upload_sessions").get() as { status: string; message: string };
    expect(row.status).toBe("Apply failed");
    expect(row.message).toMatch(/next P-0001 run sends these transactions/);
    expect(hq.prepare("SELECT COUNT(*) FROM upload_progress").pluck().get()).toBe(0);
    // A second start finds nothing left to reconcile.
    expect(await reconcileInterrupted(store, new Map(), NOW)).toEqual({ uploads: [], downloads: [] });
    hq.close();
  });
});
