// Growing a chain at HQ: a new store (copying tax groups, tenders and prices from a template store) and a new register.
import type { z } from "zod";
import { ERROR_CODES, type storeSchema } from "../lib/api.js";
import type {
  RegisterAddAnswer,
  RegisterListAnswer,
  registerAddBodySchema,
  StaffListAnswer,
  storeAddBodySchema,
} from "../lib/api-chain.js";
import type { Row } from "../schema/tables.js";
import { ApiError, validationFailed } from "./api-error.js";
import type { HqStore } from "./hq/store.js";

type Store = z.infer<typeof storeSchema>;

const alreadyExists = (what: string) => new ApiError(409, ERROR_CODES.alreadyExists, `${what} already exists`);

// A store made without a template gets the tenders every sample store has and tax groups at 0% until set.
const DEFAULT_TENDERS = [
  { tender_id: "cash", name: "Cash", kind: "cash", allowed_offline: 1 },
  { tender_id: "card", name: "Card", kind: "card", allowed_offline: 1 },
  { tender_id: "giftcard", name: "Gift card", kind: "giftcard", allowed_offline: 0 },
  { tender_id: "account", name: "Customer account", kind: "account", allowed_offline: 0 },
];
const DEFAULT_TAX_GROUPS = ["standard", "grocery", "reduced"].map((g) => ({ tax_group: g, name: g, rate_ppm: 0 }));

export interface StoreAdded {
  store: Store;
  changeVersion: number;
  copied: { from: string | null; taxGroups: number; tenders: number; prices: number };
}

/** One change: the store row, its tax groups and tenders, and (with `like`) every price of the template store. */
export async function addStore(hq: HqStore, body: z.output<typeof storeAddBodySchema>): Promise<StoreAdded> {
  if (await hq.masterData.find("stores", { id: body.id })) throw alreadyExists(`store ${body.id}`);
  const template = body.like === undefined ? undefined : await hq.masterData.find("stores", { id: body.like });
  if (body.like !== undefined && !template) throw validationFailed(`body.like: no store ${body.like}`);
  if (!template && body.currency === undefined) {
    throw validationFailed("body.currency: required when the store is not made like another one (like)");
  }
  const store: Row = {
    id: body.id,
    name: body.name,
    currency: body.currency ?? template?.currency ?? null,
    decimals: body.decimals ?? template?.decimals ?? 2,
    offline_customer_creation:
      body.offlineCustomerCreation === undefined
        ? (template?.offline_customer_creation ?? 1)
        : Number(body.offlineCustomerCreation),
    days_transactions_exist: body.daysTransactionsExist ?? template?.days_transactions_exist ?? 30,
    data_group: body.dataGroup ?? template?.data_group ?? `${body.id}-GROUP`,
    customer_async_mode: template?.customer_async_mode ?? 0,
  };
  return hq.masterData.change(async (w) => {
    await w.upsert("stores", store);
    const copy = async (table: "tax_groups" | "tenders" | "prices") => {
      if (!template) return 0;
      const rows = await w.rows(table, { store_id: template.id ?? null });
      for (const { change_version: _v, ...row } of rows) await w.upsert(table, { ...row, store_id: body.id });
      return rows.length;
    };
    let taxGroups = await copy("tax_groups");
    let tenders = await copy("tenders");
    const prices = await copy("prices");
    if (!template) {
      for (const t of DEFAULT_TAX_GROUPS) await w.upsert("tax_groups", { store_id: body.id, ...t });
      for (const t of DEFAULT_TENDERS) await w.upsert("tenders", { store_id: body.id, ...t });
      taxGroups = DEFAULT_TAX_GROUPS.length;
      tenders = DEFAULT_TENDERS.length;
    }
    return {
      store: storeFromRow(store),
      changeVersion: w.version,
      copied: { from: body.like ?? null, taxGroups, tenders, prices },
    };
  });
}

export async function addRegister(
  hq: HqStore,
  body: z.output<typeof registerAddBodySchema>,
): Promise<Omit<RegisterAddAnswer, "offlineDatabase">> {
  if (await hq.masterData.find("registers", { id: body.id })) throw alreadyExists(`register ${body.id}`);
  if (!(await hq.masterData.find("stores", { id: body.store }))) {
    throw validationFailed(`body.store: no store ${body.store}`);
  }
  if (!body.id.startsWith(`${body.store}-`)) {
    throw validationFailed(
      `body.id: a register of store ${body.store} is named ${body.store}-<register>, not ${body.id}`,
    );
  }
  if (!(await hq.masterData.find("offline_profiles", { id: body.offlineProfileId }))) {
    throw validationFailed(`body.offlineProfileId: no offline profile ${body.offlineProfileId}`);
  }
  const row = {
    id: body.id,
    store_id: body.store,
    name: body.name ?? `${body.store} register ${body.id.slice(body.store.length + 1)}`,
    supports_offline: body.supportsOffline ? 1 : 0,
    offline_profile_id: body.offlineProfileId,
    receipt_mask: body.receiptMask ?? `${body.id}-######`,
  };
  return hq.masterData.change(async (w) => {
    await w.upsert("registers", row);
    return {
      register: {
        id: row.id,
        store: row.store_id,
        name: row.name,
        supportsOffline: row.supports_offline === 1,
        offlineProfileId: row.offline_profile_id,
        receiptMask: row.receipt_mask,
      },
      changeVersion: w.version,
    };
  });
}

function storeFromRow(row: Row): Store {
  return {
    id: String(row.id),
    name: String(row.name),
    currency: String(row.currency),
    decimals: Number(row.decimals),
    offlineCustomerCreation: row.offline_customer_creation === 1,
    daysTransactionsExist: Number(row.days_transactions_exist),
    dataGroup: String(row.data_group),
  };
}

/** Registers in id order, of the given stores (default all). */
export async function listRegisters(hq: HqStore, stores?: readonly string[]): Promise<RegisterListAnswer> {
  const rows = (await hq.masterData.rows("registers")) as unknown as {
    id: string;
    store_id: string;
    supports_offline: number;
  }[];
  return {
    registers: rows
      .filter((r) => !stores || stores.includes(r.store_id))
      .map((r) => ({ id: r.id, store: r.store_id, supportsOffline: r.supports_offline === 1 })),
  };
}

/** Staff in id order with their stores (never their password hashes), of the given stores (default all). */
export async function listStaff(hq: HqStore, stores?: readonly string[]): Promise<StaffListAnswer> {
  const rows = (await hq.masterData.rows("staff")) as unknown as {
    id: string;
    role: string;
    stores: string;
  }[];
  const staff = rows.map((r) => ({ id: r.id, role: r.role, stores: parseStores(r.stores) }));
  return { staff: staff.filter((s) => !stores || s.stores.some((x) => stores.includes(x))) };
}

function parseStores(text: string): string[] {
  try {
    const value = JSON.parse(text) as unknown;
    return Array.isArray(value) ? value.map(String) : [];
  } catch {
    return [];
  }
}
