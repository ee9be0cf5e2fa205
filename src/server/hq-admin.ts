// HQ master-data edits other than products: customers, staff, offline profiles, registers.
import type { z } from "zod";
import {
  type CustomerAnswer,
  type customerAddBodySchema,
  ERROR_CODES,
  type ProfileAnswer,
  type profileSetBodySchema,
  type RegisterAnswer,
  type registerSetBodySchema,
  type StaffAnswer,
  type staffAddBodySchema,
} from "../lib/api.js";
import { hashPassword } from "../lib/password.js";
import type { Row, TableName } from "../schema/tables.js";
import { parseExcludedJobs } from "../sync/package/exclusion.js";
import { ApiError, notFound, validationFailed } from "./api-error.js";
import { customerFromRow, type OfflineProfileRow, profileFromRow } from "./catalog.js";
import type { HqStore } from "./hq/store.js";
import { staffFromRow } from "./staff-signin.js";

const alreadyExists = (what: string) => new ApiError(409, ERROR_CODES.alreadyExists, `${what} already exists`);

export async function addCustomer(hq: HqStore, body: z.output<typeof customerAddBodySchema>): Promise<CustomerAnswer> {
  if (await hq.masterData.find("customers", { id: body.id })) throw alreadyExists(`customer ${body.id}`);
  return saveCustomer(hq, { ...body, id: body.id });
}

/**
 * A customer created online by a register: created at HQ (the id assigned here unless given), and reaching
 * channel and offline databases with the next 1010 package, as in D365.
 */
export async function createCustomerOnline(
  hq: HqStore,
  body: { id?: string | undefined; name: string; email?: string | null | undefined; phone?: string | null | undefined },
): Promise<CustomerAnswer> {
  if (body.id !== undefined && (await hq.masterData.find("customers", { id: body.id })))
    throw alreadyExists(`customer ${body.id}`);
  return saveCustomer(hq, { ...body, accountAllowed: false });
}

function saveCustomer(
  hq: HqStore,
  body: {
    id?: string | undefined;
    name: string;
    email?: string | null | undefined;
    phone?: string | null | undefined;
    accountAllowed: boolean;
  },
): Promise<CustomerAnswer> {
  return hq.masterData.change(async (w) => {
    const id = body.id ?? (await w.nextCustomerId());
    const row = {
      id,
      name: body.name,
      email: body.email ?? null,
      phone: body.phone ?? null,
      account_allowed: body.accountAllowed ? 1 : 0,
    } as const;
    await w.upsert("customers", row);
    return { customer: customerFromRow(row), changeVersion: w.version };
  });
}

// The permissions each role gets when `pos hq staff add` does not list them (the fixtures' roles).
const CASHIER_PERMISSIONS = ["sale", "void-line", "line-discount", "customer", "connection-status"];
const ROLE_PERMISSIONS: Readonly<Record<string, readonly string[]>> = {
  cashier: CASHIER_PERMISSIONS,
  manager: [...CASHIER_PERMISSIONS, "issue-gift-card", "edit-customer", "close-shift", "manager-override"],
};

export async function addStaff(hq: HqStore, body: z.output<typeof staffAddBodySchema>): Promise<StaffAnswer> {
  if (await hq.masterData.find("staff", { id: body.id })) throw alreadyExists(`staff ${body.id}`);
  for (const [i, store] of body.stores.entries()) {
    if (!(await hq.masterData.find("stores", { id: store })))
      throw validationFailed(`body.stores[${i}]: no store ${store}`);
  }
  const row = {
    id: body.id,
    name: body.name,
    role: body.role,
    password_hash: hashPassword(body.password),
    stores: JSON.stringify(body.stores),
    permissions: JSON.stringify(body.permissions ?? ROLE_PERMISSIONS[body.role] ?? []),
  };
  return hq.masterData.change(async (w) => {
    await w.upsert("staff", row);
    return { staff: staffFromRow(row), changeVersion: w.version };
  });
}

/** camelCase API field → offline_profiles column (SPEC §2 names). */
export const PROFILE_COLUMNS = {
  name: "name",
  timeoutInterval: "timeout_interval",
  reconnectInterval: "reconnect_interval",
  allowManualOfflineBeforeSignIn: "allow_manual_offline_before_sign_in",
  advancedOfflineSwitching: "advanced_offline_switching",
  healthCheckInterval: "health_check_interval",
  pauseOfflineSync: "pause_offline_sync",
  downloadInterval: "download_interval",
  uploadInterval: "upload_interval",
  slowResponseThreshold: "slow_response_threshold",
  slowResponseCount: "slow_response_count",
  offlineDataExclusion: "offline_data_exclusion",
} as const satisfies Record<string, keyof OfflineProfileRow>;

export async function setProfile(
  hq: HqStore,
  id: string,
  body: z.output<typeof profileSetBodySchema>,
): Promise<ProfileAnswer> {
  const fields = Object.entries(body).filter(([, v]) => v !== undefined);
  for (const [field, value] of fields) {
    if (typeof value === "number" && value < 0) throw validationFailed(`body.${field}: must not be negative`);
    if (field === "offlineDataExclusion") {
      try {
        parseExcludedJobs(String(value));
      } catch (error) {
        throw validationFailed(`body.${field}: ${(error as Error).message}`);
      }
    }
  }
  const updates = Object.fromEntries(
    fields.map(([field, value]) => [
      PROFILE_COLUMNS[field as keyof typeof PROFILE_COLUMNS],
      typeof value === "boolean" ? (value ? 1 : 0) : (value as string | number),
    ]),
  );
  const { version, row } = await updateRow(hq, "offline_profiles", { id }, updates, `no offline profile ${id}`);
  return { profile: profileFromRow(row as unknown as OfflineProfileRow), changeVersion: version };
}

export async function setRegister(
  hq: HqStore,
  id: string,
  body: z.output<typeof registerSetBodySchema>,
): Promise<RegisterAnswer> {
  if (
    body.offlineProfileId !== undefined &&
    !(await hq.masterData.find("offline_profiles", { id: body.offlineProfileId }))
  ) {
    throw validationFailed(`body.offlineProfileId: no offline profile ${body.offlineProfileId}`);
  }
  const updates: Row = {};
  if (body.name !== undefined) updates.name = body.name;
  if (body.supportsOffline !== undefined) updates.supports_offline = body.supportsOffline ? 1 : 0;
  if (body.offlineProfileId !== undefined) updates.offline_profile_id = body.offlineProfileId;
  if (body.receiptMask !== undefined) updates.receipt_mask = body.receiptMask;
  const { version, row } = await updateRow(hq, "registers", { id }, updates, `no register ${id}`);
  return {
    register: {
      id: String(row.id),
      store: String(row.store_id),
      name: String(row.name),
      supportsOffline: row.supports_offline === 1,
      offlineProfileId: String(row.offline_profile_id),
      receiptMask: String(row.receipt_mask),
    },
    changeVersion: version,
  };
}

/** Changes some columns of one row as one change; a no-op edit keeps the row's version. */
async function updateRow(
  hq: HqStore,
  table: TableName,
  key: Row,
  updates: Row,
  missing: string,
): Promise<{ version: number; row: Row }> {
  const current = await hq.masterData.find(table, key);
  if (!current) throw notFound(missing);
  const { change_version: currentVersion, ...row } = current;
  const next: Row = { ...row, ...updates };
  if (Object.keys(updates).every((c) => updates[c] === row[c])) return { version: currentVersion, row: next };
  const version = await hq.masterData.change(async (w) => {
    await w.upsert(table, next);
    return w.version;
  });
  return { version, row: next };
}
