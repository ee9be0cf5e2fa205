// Admin API contract for growing a chain and reading its transactions: store add, register add, paged transaction list.
import { z } from "zod";
import { registerSchema, storedTransactionSchema, storeSchema } from "./api.js";

export const CHAIN_ROUTES = {
  stores: "/v1/admin/stores",
  registers: "/v1/admin/registers",
  staff: "/v1/admin/staff",
  transactions: "/v1/admin/transactions",
} as const;

// Store ids name channel database files and prefix register ids (`<store>-<register>`): letters and digits only.
const storeId = z.string().regex(/^[A-Za-z0-9]{1,32}$/, "expected letters and digits, e.g. ST21");

export const storeAddBodySchema = z.object({
  id: storeId,
  name: z.string().min(1).max(200),
  /** Tax groups, tenders, prices, currency and data group are copied from this store unless given. */
  like: z.string().min(1).max(64).optional(),
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/, "expected an ISO 4217 code like USD")
    .optional(),
  decimals: z.number().int().min(0).max(4).optional(),
  dataGroup: z.string().min(1).max(64).optional(),
  offlineCustomerCreation: z.boolean().optional(),
  daysTransactionsExist: z.number().int().min(1).max(3650).optional(),
});
export type StoreAddBody = z.input<typeof storeAddBodySchema>;
export const storeAddAnswerSchema = z.object({
  store: storeSchema,
  changeVersion: z.number().int(),
  copied: z.object({ from: z.string().nullable(), taxGroups: z.number(), tenders: z.number(), prices: z.number() }),
  /** The channel database created for the store, and its first full packages (applied at once). */
  database: z.string(),
  sessions: z.number().int(),
});
export type StoreAddAnswer = z.infer<typeof storeAddAnswerSchema>;

export const registerAddBodySchema = z.object({
  id: z.string().regex(/^[A-Za-z0-9]+-[A-Za-z0-9]+$/, "expected <store>-<register>, e.g. ST01-R11"),
  store: z.string().min(1).max(64),
  name: z.string().min(1).max(200).optional(),
  supportsOffline: z.boolean().default(true),
  offlineProfileId: z.string().min(1).default("DEFAULT"),
  receiptMask: z.string().min(1).max(64).optional(),
});
export type RegisterAddBody = z.input<typeof registerAddBodySchema>;
export const registerAddAnswerSchema = z.object({
  register: registerSchema,
  changeVersion: z.number().int(),
  /** `<register>-OFFLINE` when the register supports offline (its first run makes full packages), else null. */
  offlineDatabase: z.string().nullable(),
});
export type RegisterAddAnswer = z.infer<typeof registerAddAnswerSchema>;

export const TRANSACTION_PAGE_MAX = 10_000;

/** `after` is the `nextCursor` of the previous page; filters must stay the same from page to page. */
export const transactionPageQuerySchema = z.object({
  store: z.string().min(1).max(64).optional(),
  register: z.string().min(1).max(64).optional(),
  /** Received at or after this instant (ISO 8601). */
  since: z.iso.datetime({ offset: true }).optional(),
  after: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}:\d{1,15}$/, "expected the nextCursor of the previous page")
    .optional(),
  limit: z.coerce.number().int().min(1).max(TRANSACTION_PAGE_MAX).default(100),
});
export type TransactionPageQuery = z.input<typeof transactionPageQuerySchema>;
export const transactionPageSchema = z.object({
  /** The store asked for, or null for every store. */
  store: z.string().nullable(),
  /** Transactions matching the filters, over every page. */
  count: z.number().int(),
  transactions: z.array(storedTransactionSchema),
  /** Pass as `after` for the next page; null on the last page. */
  nextCursor: z.string().nullable(),
});
export type TransactionPage = z.infer<typeof transactionPageSchema>;

export function transactionPagePath(query: TransactionPageQuery): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined) params.set(key, String(value));
  const text = params.toString();
  return `${CHAIN_ROUTES.transactions}${text ? `?${text}` : ""}`;
}

/** GET /v1/admin/registers and /v1/admin/staff: what a load generator needs to drive a chain (no password hashes). */
export const chainListQuerySchema = z.object({
  /** Comma-separated store ids; default every store. */
  store: z.string().min(1).max(2000).optional(),
});
export const registerListAnswerSchema = z.object({
  registers: z.array(z.object({ id: z.string(), store: z.string(), supportsOffline: z.boolean() })),
});
export type RegisterListAnswer = z.infer<typeof registerListAnswerSchema>;
export const staffListAnswerSchema = z.object({
  staff: z.array(z.object({ id: z.string(), role: z.string(), stores: z.array(z.string()) })),
});
export type StaffListAnswer = z.infer<typeof staffListAnswerSchema>;
