// The master-data tables that packages carry: one definition shared by HQ, channel and offline databases.
import type { Db } from "../lib/db.js";

export type ColumnType = "TEXT" | "INTEGER" | "REAL";
export type RowValue = string | number | null;
export type Row = Record<string, RowValue>;

export interface TableDef {
  name: TableName;
  /** Column name → SQL type, in storage order. */
  columns: Readonly<Record<string, ColumnType>>;
  /** Primary key columns. */
  key: readonly string[];
  /** Columns that may be null; all others are NOT NULL. */
  nullable?: readonly string[];
  /** Which rows a store's databases receive; absent = every row. */
  forStore?: (row: Row, store: string) => boolean;
}

export const TABLE_NAMES = [
  "customers",
  "products",
  "barcodes",
  "prices",
  "staff",
  "stores",
  "tax_groups",
  "tenders",
  "registers",
  "offline_profiles",
] as const;
export type TableName = (typeof TABLE_NAMES)[number];

const byStoreId = (row: Row, store: string) => row.store_id === store;

export const TABLES: Readonly<Record<TableName, TableDef>> = {
  customers: {
    name: "customers",
    columns: { id: "TEXT", name: "TEXT", email: "TEXT", phone: "TEXT", account_allowed: "INTEGER" },
    key: ["id"],
    nullable: ["email", "phone"],
  },
  products: {
    name: "products",
    columns: { id: "TEXT", name: "TEXT", tax_group: "TEXT", unit: "TEXT", active: "INTEGER" },
    key: ["id"],
  },
  barcodes: {
    name: "barcodes",
    columns: { barcode: "TEXT", product_id: "TEXT" },
    key: ["barcode"],
  },
  prices: {
    name: "prices",
    // amount: integer minor units of the store's currency, tax excluded.
    columns: { store_id: "TEXT", product_id: "TEXT", amount: "INTEGER" },
    key: ["store_id", "product_id"],
    forStore: byStoreId,
  },
  staff: {
    name: "staff",
    // stores and permissions: JSON arrays as text; password_hash: `scrypt$N$r$p$salt$hash` (base64).
    columns: { id: "TEXT", name: "TEXT", role: "TEXT", password_hash: "TEXT", stores: "TEXT", permissions: "TEXT" },
    key: ["id"],
    forStore: (row, store) => {
      try {
        return (JSON.parse(String(row.stores)) as unknown[]).includes(store);
      } catch {
        return false;
      }
    },
  },
  stores: {
    name: "stores",
    columns: {
      id: "TEXT",
      name: "TEXT",
      currency: "TEXT",
      decimals: "INTEGER",
      offline_customer_creation: "INTEGER",
      days_transactions_exist: "INTEGER",
      data_group: "TEXT",
      // D365 "customer creation in async mode": 1 = even online, a new customer gets a temporary id and is created
      // at HQ by its async customer job; null or 0 = off. Added after the first release (addMissingColumns).
      customer_async_mode: "INTEGER",
    },
    key: ["id"],
    nullable: ["customer_async_mode"],
    forStore: (row, store) => row.id === store,
  },
  tax_groups: {
    name: "tax_groups",
    // rate_ppm: parts per million (10.35% = 103500), so tax stays integer arithmetic.
    columns: { store_id: "TEXT", tax_group: "TEXT", name: "TEXT", rate_ppm: "INTEGER" },
    key: ["store_id", "tax_group"],
    forStore: byStoreId,
  },
  tenders: {
    name: "tenders",
    // kind: cash | card | giftcard | account.
    columns: { store_id: "TEXT", tender_id: "TEXT", name: "TEXT", kind: "TEXT", allowed_offline: "INTEGER" },
    key: ["store_id", "tender_id"],
    forStore: byStoreId,
  },
  registers: {
    name: "registers",
    columns: {
      id: "TEXT",
      store_id: "TEXT",
      name: "TEXT",
      supports_offline: "INTEGER",
      offline_profile_id: "TEXT",
      receipt_mask: "TEXT",
    },
    key: ["id"],
    forStore: byStoreId,
  },
  offline_profiles: {
    name: "offline_profiles",
    // Intervals in the units of SPEC §2: timeout seconds, reconnect/health-check minutes, sync seconds.
    columns: {
      id: "TEXT",
      name: "TEXT",
      timeout_interval: "REAL",
      reconnect_interval: "REAL",
      allow_manual_offline_before_sign_in: "INTEGER",
      advanced_offline_switching: "INTEGER",
      health_check_interval: "REAL",
      pause_offline_sync: "INTEGER",
      download_interval: "REAL",
      upload_interval: "REAL",
      // Slow-server switching (ms; count in a row); null or 0 = off. Added after the first release: see
      // addMissingColumns.
      slow_response_threshold: "REAL",
      slow_response_count: "INTEGER",
      // Offline data exclusion: download jobs not distributed to offline databases, comma-separated; null = none.
      offline_data_exclusion: "TEXT",
    },
    key: ["id"],
    nullable: ["slow_response_threshold", "slow_response_count", "offline_data_exclusion"],
  },
};

export const DOWNLOAD_JOBS = {
  "1010": { name: "Customers", tables: ["customers"] },
  "1040": { name: "Products", tables: ["products", "barcodes", "prices"] },
  "1060": { name: "Staff", tables: ["staff"] },
  "1070": { name: "Channel configuration", tables: ["stores", "tax_groups", "tenders"] },
  "1090": { name: "Registers", tables: ["registers", "offline_profiles"] },
} as const satisfies Record<string, { name: string; tables: readonly TableName[] }>;
export type DownloadJobId = keyof typeof DOWNLOAD_JOBS;
export const DOWNLOAD_JOB_IDS = Object.keys(DOWNLOAD_JOBS) as DownloadJobId[];

/** Fixture and package rows store booleans as 0/1 and arrays as JSON text; this normalises a loaded value. */
export function toRowValue(value: unknown): RowValue {
  if (value === null || value === undefined) return null;
  if (typeof value === "boolean") return value ? 1 : 0;
  if (typeof value === "string" || typeof value === "number") return value;
  return JSON.stringify(value);
}

/**
 * A migration for databases made before a nullable column joined TABLES (fresh ones get it from the first
 * migration): adds each column of the table the database lacks.
 */
export function addMissingColumns(table: TableName): (db: Db) => void {
  return (db) => {
    const have = new Set((db.pragma(`table_info(${table})`) as Array<{ name: string }>).map((c) => c.name));
    for (const [column, type] of Object.entries(TABLES[table].columns)) {
      if (!have.has(column)) db.exec(`ALTER TABLE ${table} ADD COLUMN ${column} ${type}`);
    }
  };
}
