// Device activation and authentication, and the offline status registers report (HQ's "Register offline status").
import type { z } from "zod";
import {
  type ActivateAnswer,
  ERROR_CODES,
  type offlineStatusBodySchema,
  type offlineStatusRowSchema,
} from "../lib/api.js";
import type { Clock } from "../lib/clock.js";
import { type Db, prepared } from "../lib/db.js";
import { ApiError } from "./api-error.js";
import { isoTime } from "./statements.js";
import { hashToken, newToken } from "./tokens.js";

/** Who a device token speaks for. */
export interface Device {
  register: string;
  store: string;
}

/**
 * Issues a new device token for a register known at HQ. Re-activating a register replaces its token: the
 * previous one stops working at once (only one device per register, as with a D365 device activation).
 */
export function activateDevice(hq: Db, register: string, clock: Clock): ActivateAnswer {
  const row = prepared<unknown[], { store_id: string }>(hq, "SELECT store_id FROM registers WHERE id = ?").get(
    register,
  );
  if (!row) throw new ApiError(404, ERROR_CODES.terminalNotFound, `register ${register} is not defined at HQ`);
  const token = newToken("dev");
  const activatedAt = isoTime(clock.now());
  const previous = prepared<unknown[], { activations: number }>(
    hq,
    "SELECT activations FROM devices WHERE register_id = ?",
  ).get(register);
  prepared(
    hq,
    `INSERT INTO devices (register_id, store_id, token_hash, activated_at, activations) VALUES (?, ?, ?, ?, 1)
     ON CONFLICT (register_id) DO UPDATE SET store_id = excluded.store_id, token_hash = excluded.token_hash,
       activated_at = excluded.activated_at, activations = activations + 1`,
  ).run(register, row.store_id, hashToken(token), activatedAt);
  return { register, store: row.store_id, token, activatedAt, reactivated: previous !== undefined };
}

export function authenticateDevice(hq: Db, token: string): Device | undefined {
  const row = prepared<unknown[], { register_id: string; store_id: string }>(
    hq,
    "SELECT register_id, store_id FROM devices WHERE token_hash = ?",
  ).get(hashToken(token));
  return row ? { register: row.register_id, store: row.store_id } : undefined;
}

export function recordOfflineStatus(
  hq: Db,
  device: Device,
  status: z.output<typeof offlineStatusBodySchema>,
  clock: Clock,
): { register: string; receivedAt: string } {
  const receivedAt = isoTime(clock.now());
  prepared(
    hq,
    `INSERT OR REPLACE INTO register_offline_status
       (register_id, store_id, mode, manual, pending_count, db_size_bytes, status_json, reported_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    device.register,
    device.store,
    status.mode,
    status.manual ? 1 : 0,
    status.pendingCount,
    status.dbSizeBytes,
    JSON.stringify(status),
    receivedAt,
  );
  return { register: device.register, receivedAt };
}

export function listOfflineStatus(hq: Db): z.infer<typeof offlineStatusRowSchema>[] {
  const rows = prepared<unknown[], { register_id: string; store_id: string; status_json: string; reported_at: string }>(
    hq,
    "SELECT register_id, store_id, status_json, reported_at FROM register_offline_status ORDER BY register_id",
  ).all();
  return rows.map((r) => ({
    register: r.register_id,
    store: r.store_id,
    reportedAt: r.reported_at,
    status: JSON.parse(r.status_json) as z.output<typeof offlineStatusBodySchema>,
  }));
}
