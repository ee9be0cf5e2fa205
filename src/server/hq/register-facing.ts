// What registers need of HQ, over Sql: device tokens, staff sign-in state, offline status reports, async customers.
import { ERROR_CODES } from "../../lib/api.js";
import type { AsyncCustomer } from "../../lib/api-customers.js";
import type { RegisterStatus } from "../../lib/api-sync.js";
import { ApiError } from "../api-error.js";
import { offlineDatabaseName } from "../cdx/databases.js";
import { type Sql, scalar } from "./sql.js";
import type {
  AsyncCustomerStore,
  DeviceStore,
  OfflineStatusBody,
  RegisterStatusStore,
  StaffLogon,
  StaffLogonStore,
} from "./store.js";
import { withChange } from "./tracked.js";

export function deviceStore(sql: Sql): DeviceStore {
  return {
    activate: (register, tokenHash, activatedAt) =>
      sql.transaction(async (tx) => {
        const store = await scalar<string>(tx, "SELECT store_id FROM registers WHERE id = ?", [register]);
        if (store === undefined) return undefined;
        const previous = await scalar<number>(tx, "SELECT activations FROM devices WHERE register_id = ?", [register]);
        await tx.run(
          `INSERT INTO devices (register_id, store_id, token_hash, activated_at, activations) VALUES (?, ?, ?, ?, 1)
           ON CONFLICT (register_id) DO UPDATE SET store_id = excluded.store_id, token_hash = excluded.token_hash,
             activated_at = excluded.activated_at, activations = devices.activations + 1`,
          [register, store, tokenHash, activatedAt],
        );
        return { store, reactivated: previous !== undefined };
      }),
    async authenticate(tokenHash) {
      const row = await sql.get<{ register_id: string; store_id: string }>(
        "SELECT register_id, store_id FROM devices WHERE token_hash = ?",
        [tokenHash],
      );
      return row ? { register: row.register_id, store: row.store_id } : undefined;
    },
  };
}

interface LogonRow {
  failed_attempts: number;
  blocked_at: string | null;
}

const toLogon = (row: LogonRow | undefined): StaffLogon | undefined =>
  row ? { failedAttempts: row.failed_attempts, blockedAt: row.blocked_at } : undefined;

export function staffLogonStore(sql: Sql): StaffLogonStore {
  const find = async (tx: Sql, staff: string) =>
    toLogon(await tx.get<LogonRow>("SELECT failed_attempts, blocked_at FROM staff_logon WHERE staff_id = ?", [staff]));
  return {
    find: (staff) => find(sql, staff),
    recordFailure: (staff, at, max) =>
      sql.transaction(async (tx) => {
        // One statement counts: sign-ins of the same id verified side by side each add one, none is lost.
        const failures = (await scalar<number>(
          tx,
          `INSERT INTO staff_logon (staff_id, failed_attempts, last_failure_at, blocked_at) VALUES (?, 1, ?, NULL)
           ON CONFLICT (staff_id) DO UPDATE SET failed_attempts = staff_logon.failed_attempts + 1,
             last_failure_at = excluded.last_failure_at
           RETURNING failed_attempts`,
          [staff, at],
        )) as number;
        const blocked = failures >= max;
        if (blocked) {
          await tx.run("UPDATE staff_logon SET blocked_at = coalesce(blocked_at, ?) WHERE staff_id = ?", [at, staff]);
        }
        return { failures, blocked };
      }),
    recordSuccess: (staff) =>
      sql.transaction(async (tx) => {
        const after = await find(tx, staff);
        if (after?.blockedAt) return { blocked: true };
        if (after) await tx.run("DELETE FROM staff_logon WHERE staff_id = ?", [staff]);
        return { blocked: false };
      }),
    clear: (staff) =>
      sql.transaction(async (tx) => {
        const before = await find(tx, staff);
        await tx.run("DELETE FROM staff_logon WHERE staff_id = ?", [staff]);
        return before;
      }),
  };
}

export function registerStatusStore(sql: Sql): RegisterStatusStore {
  return {
    async record(device, status, at) {
      await sql.run(
        `INSERT INTO register_offline_status
           (register_id, store_id, mode, manual, pending_count, db_size_bytes, status_json, reported_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (register_id) DO UPDATE SET store_id = excluded.store_id, mode = excluded.mode,
           manual = excluded.manual, pending_count = excluded.pending_count, db_size_bytes = excluded.db_size_bytes,
           status_json = excluded.status_json, reported_at = excluded.reported_at`,
        [
          device.register,
          device.store,
          status.mode,
          status.manual ? 1 : 0,
          status.pendingCount,
          status.dbSizeBytes,
          JSON.stringify(status),
          at,
        ],
      );
    },
    async reported() {
      const rows = await sql.all<{ register_id: string; store_id: string; status_json: string; reported_at: string }>(
        "SELECT register_id, store_id, status_json, reported_at FROM register_offline_status ORDER BY register_id",
      );
      return rows.map((r) => ({
        register: r.register_id,
        store: r.store_id,
        reportedAt: r.reported_at,
        status: JSON.parse(r.status_json) as OfflineStatusBody,
      }));
    },
    async all() {
      const rows = await sql.all<{
        id: string;
        store_id: string;
        supports_offline: number;
        status_json: string | null;
        reported_at: string | null;
      }>(
        `SELECT r.id, r.store_id, r.supports_offline, s.status_json, s.reported_at
         FROM registers r LEFT JOIN register_offline_status s ON s.register_id = r.id ORDER BY r.id`,
      );
      return rows.map((row): RegisterStatus => {
        const status = row.status_json ? (JSON.parse(row.status_json) as OfflineStatusBody) : null;
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
    },
  };
}

interface AsyncRow {
  temp_id: string;
  register_id: string;
  store_id: string;
  name: string;
  email: string | null;
  phone: string | null;
  received_at: string;
  status: "Pending" | "Created";
  customer_id: string | null;
  created_at: string | null;
}

const toAsyncCustomer = (r: AsyncRow): AsyncCustomer => ({
  tempId: r.temp_id,
  register: r.register_id,
  store: r.store_id,
  name: r.name,
  status: r.status,
  customerId: r.customer_id,
  receivedAt: r.received_at,
  createdAt: r.created_at,
});

export function asyncCustomerStore(sql: Sql): AsyncCustomerStore {
  return {
    receive: (device, customers, now) =>
      sql.transaction(async (tx) => {
        const out: AsyncCustomer[] = [];
        for (const c of customers) {
          const existing = await tx.get<AsyncRow>("SELECT * FROM async_customers WHERE temp_id = ?", [c.tempId]);
          if (existing) {
            const same =
              existing.register_id === device.register &&
              existing.name === c.name &&
              existing.email === (c.email ?? null) &&
              existing.phone === (c.phone ?? null);
            if (!same) {
              throw new ApiError(
                409,
                ERROR_CODES.alreadyExists,
                `async customer ${c.tempId} exists with other content`,
              );
            }
            out.push(toAsyncCustomer(existing));
            continue;
          }
          await tx.run(
            `INSERT INTO async_customers (temp_id, register_id, store_id, name, email, phone, offline_created_at, received_at, status)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'Pending')`,
            [c.tempId, device.register, device.store, c.name, c.email ?? null, c.phone ?? null, c.createdAt, now],
          );
          out.push(
            toAsyncCustomer(
              (await tx.get<AsyncRow>("SELECT * FROM async_customers WHERE temp_id = ?", [c.tempId])) as AsyncRow,
            ),
          );
        }
        return out;
      }),
    async list(register) {
      const rows =
        register === undefined
          ? await sql.all<AsyncRow>("SELECT * FROM async_customers ORDER BY received_at, temp_id")
          : await sql.all<AsyncRow>("SELECT * FROM async_customers WHERE register_id = ? ORDER BY temp_id", [register]);
      return rows.map(toAsyncCustomer);
    },
    sync: (now) =>
      sql.transaction(async (tx) => {
        const pending = await tx.all<AsyncRow>(
          "SELECT * FROM async_customers WHERE status = 'Pending' ORDER BY received_at, temp_id",
        );
        const created: { tempId: string; customerId: string }[] = [];
        let changeVersion: number | null = null;
        for (const r of pending) {
          const customerId = await withChange(tx, async (w) => {
            const id = await w.nextCustomerId();
            await w.upsert("customers", { id, name: r.name, email: r.email, phone: r.phone, account_allowed: 0 });
            changeVersion = w.version;
            return id;
          });
          await tx.run(
            "UPDATE async_customers SET status = 'Created', customer_id = ?, created_at = ? WHERE temp_id = ?",
            [customerId, now, r.temp_id],
          );
          // Transactions P-0001 already brought to HQ point to the real customer too.
          await tx.run("UPDATE hq_transactions SET customer_id = ? WHERE customer_id = ?", [customerId, r.temp_id]);
          created.push({ tempId: r.temp_id, customerId });
        }
        return { created, changeVersion };
      }),
  };
}
