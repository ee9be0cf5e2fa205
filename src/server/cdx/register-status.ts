// HQ's "Register offline status" view: every register with what it last reported about its offline database.
import type { z } from "zod";
import type { offlineStatusBodySchema } from "../../lib/api.js";
import type { RegisterStatus } from "../../lib/api-sync.js";
import { type Db, prepared } from "../../lib/db.js";
import { offlineDatabaseName } from "./databases.js";

interface Row {
  id: string;
  store_id: string;
  supports_offline: number;
  status_json: string | null;
  reported_at: string | null;
}

/** Registers that never reported are listed too (mode null), so a silent register stands out. */
export function listRegisterStatus(hq: Db): RegisterStatus[] {
  const rows = prepared<unknown[], Row>(
    hq,
    `SELECT r.id, r.store_id, r.supports_offline, s.status_json, s.reported_at
     FROM registers r LEFT JOIN register_offline_status s ON s.register_id = r.id ORDER BY r.id`,
  ).all();
  return rows.map((row) => {
    const status = row.status_json ? (JSON.parse(row.status_json) as z.output<typeof offlineStatusBodySchema>) : null;
    return {
      register: row.id,
      store: row.store_id,
      supportsOffline: row.supports_offline === 1,
      database: row.supports_offline === 1 ? offlineDatabaseName(row.id) : null,
      mode: status?.mode ?? null,
      manual: status?.manual ?? false,
      lastDownload: status?.lastDownload ?? null,
      lastUpload: status?.lastUpload ?? null,
      pendingCount: status?.pendingCount ?? null,
      dbSizeBytes: status?.dbSizeBytes ?? null,
      reportedAt: row.reported_at,
    };
  });
}
