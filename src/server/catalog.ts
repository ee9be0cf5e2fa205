// What a register reads from its store's channel database: register configuration, products, customers.

import { toMajor } from "../domain/money.js";
import { ppmToPercent } from "../domain/tax.js";
import type { TenderKind } from "../domain/tenders.js";
import {
  type Customer,
  ERROR_CODES,
  type OfflineProfile,
  type ProductAnswer,
  type RegisterConfigAnswer,
} from "../lib/api.js";
import { type Db, prepared, preparedPluck } from "../lib/db.js";
import { ApiError, notFound } from "./api-error.js";

type Flag = 0 | 1;

export function registerConfig(channel: Db, registerId: string): RegisterConfigAnswer {
  const register = prepared<
    unknown[],
    {
      id: string;
      store_id: string;
      name: string;
      supports_offline: Flag;
      offline_profile_id: string;
      receipt_mask: string;
    }
  >(channel, "SELECT * FROM registers WHERE id = ?").get(registerId);
  if (!register) {
    throw new ApiError(404, ERROR_CODES.terminalNotFound, `register ${registerId} is not in the channel database`);
  }
  const store = prepared<
    unknown[],
    {
      id: string;
      name: string;
      currency: string;
      decimals: number;
      offline_customer_creation: Flag;
      days_transactions_exist: number;
      data_group: string;
    }
  >(channel, "SELECT * FROM stores WHERE id = ?").get(register.store_id);
  if (!store) throw notFound(`store ${register.store_id} is not in the channel database`);
  const taxGroups = prepared<unknown[], { tax_group: string; name: string; rate_ppm: number }>(
    channel,
    "SELECT tax_group, name, rate_ppm FROM tax_groups WHERE store_id = ? ORDER BY tax_group",
  ).all(store.id);
  const tenders = prepared<unknown[], { tender_id: string; name: string; kind: TenderKind; allowed_offline: Flag }>(
    channel,
    "SELECT tender_id, name, kind, allowed_offline FROM tenders WHERE store_id = ? ORDER BY tender_id",
  ).all(store.id);
  // Ids are <register>-<6 digits>: the greatest id is the greatest number (the index makes this one seek).
  const last = preparedPluck<unknown[], string>(
    channel,
    "SELECT id FROM transactions WHERE register_id = ? ORDER BY id DESC LIMIT 1",
  ).get(registerId);
  return {
    lastTransactionSeq: last ? Number(last.slice(last.lastIndexOf("-") + 1)) : 0,
    register: {
      id: register.id,
      store: register.store_id,
      name: register.name,
      supportsOffline: register.supports_offline === 1,
      offlineProfileId: register.offline_profile_id,
      receiptMask: register.receipt_mask,
    },
    store: {
      id: store.id,
      name: store.name,
      currency: store.currency,
      decimals: store.decimals,
      offlineCustomerCreation: store.offline_customer_creation === 1,
      daysTransactionsExist: store.days_transactions_exist,
      dataGroup: store.data_group,
    },
    taxGroups: taxGroups.map((t) => ({ taxGroup: t.tax_group, name: t.name, rate: ppmToPercent(t.rate_ppm) })),
    tenders: tenders.map((t) => ({
      id: t.tender_id,
      name: t.name,
      kind: t.kind,
      allowedOffline: t.allowed_offline === 1,
    })),
    offlineProfile: offlineProfile(channel, register.offline_profile_id) ?? null,
  };
}

export interface OfflineProfileRow {
  id: string;
  name: string;
  timeout_interval: number;
  reconnect_interval: number;
  allow_manual_offline_before_sign_in: Flag;
  advanced_offline_switching: Flag;
  health_check_interval: number;
  pause_offline_sync: Flag;
  download_interval: number;
  upload_interval: number;
  slow_response_threshold: number | null;
  slow_response_count: number | null;
  offline_data_exclusion: string | null;
}

export function profileFromRow(p: OfflineProfileRow): OfflineProfile {
  return {
    id: p.id,
    name: p.name,
    timeoutInterval: p.timeout_interval,
    reconnectInterval: p.reconnect_interval,
    allowManualOfflineBeforeSignIn: p.allow_manual_offline_before_sign_in === 1,
    advancedOfflineSwitching: p.advanced_offline_switching === 1,
    healthCheckInterval: p.health_check_interval,
    pauseOfflineSync: p.pause_offline_sync === 1,
    downloadInterval: p.download_interval,
    uploadInterval: p.upload_interval,
    slowResponseThreshold: p.slow_response_threshold ?? 0,
    slowResponseCount: p.slow_response_count ?? 0,
    offlineDataExclusion: p.offline_data_exclusion ?? "",
  };
}

function offlineProfile(db: Db, id: string): OfflineProfile | undefined {
  const row = prepared<unknown[], OfflineProfileRow>(db, "SELECT * FROM offline_profiles WHERE id = ?").get(id);
  return row ? profileFromRow(row) : undefined;
}

const PRODUCT_AT_STORE = `SELECT p.id, p.name, p.tax_group, p.unit, p.active, pr.amount, tg.rate_ppm, s.currency, s.decimals
  FROM products p
  LEFT JOIN prices pr ON pr.store_id = @store AND pr.product_id = p.id
  LEFT JOIN tax_groups tg ON tg.store_id = @store AND tg.tax_group = p.tax_group
  LEFT JOIN stores s ON s.id = @store
  WHERE p.id = @id`;

interface ProductAtStore {
  id: string;
  name: string;
  tax_group: string;
  unit: string;
  active: Flag;
  amount: number | null;
  rate_ppm: number | null;
  currency: string | null;
  decimals: number | null;
}

/** A product by id, else by barcode, priced for the store (major units, tax excluded). */
export function lookupProduct(channel: Db, store: string, idOrBarcode: string): ProductAnswer {
  let row = prepared<unknown[], ProductAtStore>(channel, PRODUCT_AT_STORE).get({ store, id: idOrBarcode });
  if (!row) {
    const byBarcode = prepared<unknown[], { product_id: string }>(
      channel,
      "SELECT product_id FROM barcodes WHERE barcode = ?",
    ).get(idOrBarcode);
    if (byBarcode)
      row = prepared<unknown[], ProductAtStore>(channel, PRODUCT_AT_STORE).get({ store, id: byBarcode.product_id });
  }
  if (!row) throw notFound(`no product or barcode ${idOrBarcode} at store ${store}`);
  if (row.currency === null || row.decimals === null) throw notFound(`store ${store} is not in the channel database`);
  if (row.amount === null) throw notFound(`product ${row.id} has no price at store ${store}`);
  if (row.rate_ppm === null)
    throw notFound(`tax group ${row.tax_group} of product ${row.id} is not defined at store ${store}`);
  const barcodes = preparedPluck<unknown[], string>(
    channel,
    "SELECT barcode FROM barcodes WHERE product_id = ? ORDER BY barcode",
  ).all(row.id);
  return {
    id: row.id,
    name: row.name,
    taxGroup: row.tax_group,
    taxRate: ppmToPercent(row.rate_ppm),
    price: toMajor(row.amount, row.decimals),
    currency: row.currency,
    decimals: row.decimals,
    store,
    unit: row.unit,
    active: row.active === 1,
    barcodes,
  };
}

interface CustomerRow {
  id: string;
  name: string;
  email: string | null;
  phone: string | null;
  account_allowed: Flag;
}

export function customerFromRow(c: CustomerRow): Customer {
  return { id: c.id, name: c.name, email: c.email, phone: c.phone, accountAllowed: c.account_allowed === 1 };
}

/** Customers whose id equals, or whose name, e-mail or phone contains, the query (exact id first). */
export function searchCustomers(channel: Db, query: string, limit: number): Customer[] {
  const pattern = `%${query.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  const rows = prepared<unknown[], CustomerRow>(
    channel,
    `SELECT id, name, email, phone, account_allowed FROM customers
     WHERE id = @query OR name LIKE @pattern ESCAPE '\\' OR email LIKE @pattern ESCAPE '\\' OR phone LIKE @pattern ESCAPE '\\'
     ORDER BY (id = @query) DESC, name, id LIMIT @limit`,
  ).all({ query, pattern, limit });
  return rows.map(customerFromRow);
}
