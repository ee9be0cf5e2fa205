// The retail server + HQ admin HTTP API contract (SPEC §9): route paths, request/answer schemas, error body.
import { z } from "zod";
import { wireTransactionSchema } from "../domain/transaction.js";

const enc = encodeURIComponent;

/** Route patterns as the server declares them (fastify syntax). */
export const ROUTES = {
  health: "/v1/health",
  activate: "/v1/devices/activate",
  registerConfig: "/v1/registers/:id/config",
  offlineStatus: "/v1/registers/:id/offline-status",
  product: "/v1/products/:idOrBarcode",
  customers: "/v1/customers",
  staffSignIn: "/v1/staff/signin",
  transactions: "/v1/transactions",
  transactionsUpload: "/v1/transactions/upload",
  admin: {
    changeVersion: "/v1/admin/change-version",
    price: "/v1/admin/prices/:store/:product",
    products: "/v1/admin/products",
    product: "/v1/admin/products/:id",
    customers: "/v1/admin/customers",
    staff: "/v1/admin/staff",
    staffUnblock: "/v1/admin/staff/:id/unblock",
    profile: "/v1/admin/offline-profiles/:id",
    register: "/v1/admin/registers/:id",
    offlineStatus: "/v1/admin/registers/offline-status",
    conflicts: "/v1/admin/conflicts",
    transactions: "/v1/admin/transactions",
    transaction: "/v1/admin/transactions/:id",
  },
} as const;

/** Concrete paths for clients (parameters URL-encoded). */
export const apiPath = {
  registerConfig: (register: string) => `/v1/registers/${enc(register)}/config`,
  offlineStatus: (register: string) => `/v1/registers/${enc(register)}/offline-status`,
  product: (idOrBarcode: string, store?: string) =>
    `/v1/products/${enc(idOrBarcode)}${store === undefined ? "" : `?store=${enc(store)}`}`,
  customers: (query: string, limit?: number) =>
    `/v1/customers?query=${enc(query)}${limit === undefined ? "" : `&limit=${limit}`}`,
  adminPrice: (store: string, product: string) => `/v1/admin/prices/${enc(store)}/${enc(product)}`,
  adminProduct: (id: string) => `/v1/admin/products/${enc(id)}`,
  adminStaffUnblock: (id: string) => `/v1/admin/staff/${enc(id)}/unblock`,
  adminProfile: (id: string) => `/v1/admin/offline-profiles/${enc(id)}`,
  adminRegister: (id: string) => `/v1/admin/registers/${enc(id)}`,
  adminTransactions: (store: string, limit?: number) =>
    `/v1/admin/transactions?store=${enc(store)}${limit === undefined ? "" : `&limit=${limit}`}`,
  adminTransaction: (id: string) => `/v1/admin/transactions/${enc(id)}`,
};

/** Every non-2xx answer has this body. */
export const errorBodySchema = z.object({ error: z.object({ code: z.string(), message: z.string() }) });
export type ErrorBody = z.infer<typeof errorBodySchema>;

/** Error codes the server answers with (besides D365 names such as UserBlockedDueToTooManyFailedLogonAttempts). */
export const ERROR_CODES = {
  badRequest: "BadRequest",
  validationFailed: "ValidationFailed",
  unauthorized: "Unauthorized",
  forbidden: "Forbidden",
  notFound: "NotFound",
  alreadyExists: "AlreadyExists",
  payloadTooLarge: "PayloadTooLarge",
  unsupportedMediaType: "UnsupportedMediaType",
  transactionConflict: "TransactionConflict",
  totalsMismatch: "TotalsMismatch",
  invalidCredentials: "InvalidCredentials",
  userBlocked: "UserBlockedDueToTooManyFailedLogonAttempts",
  terminalNotFound: "TerminalNotFound",
  serviceUnavailable: "ServiceUnavailable",
  internal: "InternalError",
} as const;

// ---- register-facing ------------------------------------------------------------------------

export const healthAnswerSchema = z.object({ status: z.literal("ok"), version: z.string(), time: z.string() });
export type HealthAnswer = z.infer<typeof healthAnswerSchema>;

export const activateBodySchema = z.object({ register: z.string().min(1).max(64) });
/** `reactivated`: the register had a token before; that token no longer works. */
export const activateAnswerSchema = z.object({
  register: z.string(),
  store: z.string(),
  token: z.string(),
  activatedAt: z.string(),
  reactivated: z.boolean(),
});
export type ActivateAnswer = z.infer<typeof activateAnswerSchema>;

export const registerSchema = z.object({
  id: z.string(),
  store: z.string(),
  name: z.string(),
  supportsOffline: z.boolean(),
  offlineProfileId: z.string(),
  receiptMask: z.string(),
});
export const storeSchema = z.object({
  id: z.string(),
  name: z.string(),
  currency: z.string(),
  decimals: z.number().int(),
  offlineCustomerCreation: z.boolean(),
  daysTransactionsExist: z.number().int(),
  dataGroup: z.string(),
});
/** SPEC §2 names; the units are those of SPEC §2 (seconds / minutes). */
export const offlineProfileSchema = z.object({
  id: z.string(),
  name: z.string(),
  timeoutInterval: z.number(),
  reconnectInterval: z.number(),
  allowManualOfflineBeforeSignIn: z.boolean(),
  advancedOfflineSwitching: z.boolean(),
  healthCheckInterval: z.number(),
  pauseOfflineSync: z.boolean(),
  downloadInterval: z.number(),
  uploadInterval: z.number(),
  /** Slow-server switching: ms and answers in a row; 0 = off. */
  slowResponseThreshold: z.number(),
  slowResponseCount: z.number(),
  /** Offline data exclusion: download jobs kept out of offline databases, comma-separated ("" = none). */
  offlineDataExclusion: z.string(),
});
export type OfflineProfile = z.infer<typeof offlineProfileSchema>;
export const registerConfigAnswerSchema = z.object({
  register: registerSchema,
  store: storeSchema,
  /** rate in percent (10.35). */
  taxGroups: z.array(z.object({ taxGroup: z.string(), name: z.string(), rate: z.number() })),
  tenders: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      kind: z.enum(["cash", "card", "giftcard", "account"]),
      allowedOffline: z.boolean(),
    }),
  ),
  offlineProfile: offlineProfileSchema.nullable(),
  /** The highest transaction number the server holds from this register (0: none): numbering never goes below it. */
  lastTransactionSeq: z.number().int().min(0),
});
export type RegisterConfigAnswer = z.infer<typeof registerConfigAnswerSchema>;

/** `store` defaults to the device's store; a device may only ask for its own store. */
export const productQuerySchema = z.object({ store: z.string().min(1).max(64).optional() });
/** price: major units of the store's currency, tax excluded; taxRate in percent. */
export const productAnswerSchema = z.object({
  id: z.string(),
  name: z.string(),
  taxGroup: z.string(),
  taxRate: z.number(),
  price: z.number(),
  currency: z.string(),
  decimals: z.number().int(),
  store: z.string(),
  unit: z.string(),
  active: z.boolean(),
  barcodes: z.array(z.string()),
});
export type ProductAnswer = z.infer<typeof productAnswerSchema>;

export const customerSchema = z.object({
  id: z.string(),
  name: z.string(),
  email: z.string().nullable(),
  phone: z.string().nullable(),
  accountAllowed: z.boolean(),
});
export type Customer = z.infer<typeof customerSchema>;
export const customersQuerySchema = z.object({
  query: z.string().max(100).default(""),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});
export const customersAnswerSchema = z.object({ customers: z.array(customerSchema) });
/** Online customer creation happens at HQ; the id is assigned there unless given. */
export const createCustomerBodySchema = z.object({
  id: z.string().min(1).max(64).optional(),
  name: z.string().min(1).max(200),
  email: z.string().max(200).nullable().optional(),
  phone: z.string().max(50).nullable().optional(),
});

export const staffSignInBodySchema = z.object({ staff: z.string().min(1).max(64), password: z.string().max(200) });
export const staffSchema = z.object({
  id: z.string(),
  name: z.string(),
  role: z.string(),
  stores: z.array(z.string()),
  permissions: z.array(z.string()),
});
export type Staff = z.infer<typeof staffSchema>;
export const staffSignInAnswerSchema = z.object({
  staff: staffSchema,
  register: z.string(),
  store: z.string(),
  signedInAt: z.string(),
});
export type StaffSignInAnswer = z.infer<typeof staffSignInAnswerSchema>;

export { wireTransactionSchema };
/** POST /v1/transactions: 201 `stored`, 200 `duplicate` (same id, same content — exactly once). */
export const transactionAnswerSchema = z.object({
  id: z.string(),
  status: z.enum(["stored", "duplicate"]),
  receivedAt: z.string(),
});
export type TransactionAnswer = z.infer<typeof transactionAnswerSchema>;

export const UPLOAD_MAX_TRANSACTIONS = 5000;
/** Each element is checked on its own, so one bad transaction is `rejected` without failing the batch. */
export const uploadBodySchema = z.object({ transactions: z.array(z.unknown()).min(1).max(UPLOAD_MAX_TRANSACTIONS) });
export interface UploadBody {
  transactions: z.input<typeof wireTransactionSchema>[];
}
export const uploadResultSchema = z.object({
  id: z.string(),
  status: z.enum(["stored", "duplicate", "conflict", "rejected"]),
  message: z.string().optional(),
});
export type UploadResult = z.infer<typeof uploadResultSchema>;
export const uploadAnswerSchema = z.object({
  results: z.array(uploadResultSchema),
  counts: z.object({ stored: z.number(), duplicate: z.number(), conflict: z.number(), rejected: z.number() }),
  receivedAt: z.string(),
});
export type UploadAnswer = z.infer<typeof uploadAnswerSchema>;

const syncResultSchema = z.object({
  at: z.string(),
  result: z.string().max(50),
  message: z.string().max(500).nullable().optional(),
});
/** What the register reports each sync round: HQ's "Register offline status" view. */
export const offlineStatusBodySchema = z.object({
  mode: z.enum(["online", "offline"]),
  manual: z.boolean().default(false),
  since: z.string().nullable().optional(),
  lastDownload: syncResultSchema.nullable().optional(),
  lastUpload: syncResultSchema.nullable().optional(),
  pendingCount: z.number().int().min(0),
  oldestPendingAt: z.string().nullable().optional(),
  dbSizeBytes: z.number().int().min(0),
});
export type OfflineStatusBody = z.input<typeof offlineStatusBodySchema>;
export const offlineStatusAnswerSchema = z.object({ register: z.string(), receivedAt: z.string() });

// ---- admin (HQ) -----------------------------------------------------------------------------

/** Amounts travel as decimal strings in major units ("12.99") so the server checks the currency's decimals exactly. */
const amountSchema = z.union([z.string().regex(/^\d+(\.\d+)?$/, "expected an amount like 12.99"), z.number().min(0)]);

export const priceSetBodySchema = z.object({ amount: amountSchema });
export const priceAnswerSchema = z.object({
  product: z.string(),
  store: z.string(),
  amount: z.number(),
  currency: z.string(),
  changeVersion: z.number().int(),
});
export type PriceAnswer = z.infer<typeof priceAnswerSchema>;

const productFields = {
  name: z.string().min(1).max(200),
  taxGroup: z.string().min(1).max(32),
  unit: z.string().min(1).max(16),
  active: z.boolean(),
  /** Added to the product's barcodes (a barcode of another product is refused). */
  barcodes: z.array(z.string().regex(/^\d{13}$/, "expected a 13-digit EAN-13 barcode")).max(50),
  /** store id → amount in major units. */
  prices: z.record(z.string(), amountSchema),
};
export const productAddBodySchema = z.object({
  id: z.string().min(1).max(64),
  name: productFields.name,
  taxGroup: productFields.taxGroup,
  unit: productFields.unit.default("ea"),
  active: productFields.active.default(true),
  barcodes: productFields.barcodes.default([]),
  prices: productFields.prices.default({}),
});
export type ProductAddBody = z.input<typeof productAddBodySchema>;
export const productSetBodySchema = z.object({
  name: productFields.name.optional(),
  taxGroup: productFields.taxGroup.optional(),
  unit: productFields.unit.optional(),
  active: productFields.active.optional(),
  barcodes: productFields.barcodes.optional(),
  prices: productFields.prices.optional(),
});
export type ProductSetBody = z.input<typeof productSetBodySchema>;
/** changeVersion: the highest change version of the product row, its barcodes and its prices. */
export const productDetailSchema = z.object({
  id: z.string(),
  name: z.string(),
  taxGroup: z.string(),
  unit: z.string(),
  active: z.boolean(),
  changeVersion: z.number().int(),
  rowVersion: z.number().int(),
  barcodes: z.array(z.object({ barcode: z.string(), changeVersion: z.number().int() })),
  prices: z.array(
    z.object({ store: z.string(), amount: z.number(), currency: z.string(), changeVersion: z.number().int() }),
  ),
});
export type ProductDetail = z.infer<typeof productDetailSchema>;
export const productDeleteAnswerSchema = z.object({
  id: z.string(),
  changeVersion: z.number().int(),
  tombstones: z.object({ products: z.number(), barcodes: z.number(), prices: z.number() }),
});
export type ProductDeleteAnswer = z.infer<typeof productDeleteAnswerSchema>;

export const customerAddBodySchema = z.object({
  id: z.string().min(1).max(64),
  name: z.string().min(1).max(200),
  email: z.string().max(200).nullable().optional(),
  phone: z.string().max(50).nullable().optional(),
  accountAllowed: z.boolean().default(false),
});
export type CustomerAddBody = z.input<typeof customerAddBodySchema>;
export const customerAnswerSchema = z.object({ customer: customerSchema, changeVersion: z.number().int() });
export type CustomerAnswer = z.infer<typeof customerAnswerSchema>;

export const STAFF_ROLES = ["cashier", "manager"] as const;
export const staffAddBodySchema = z.object({
  id: z.string().min(1).max(64),
  name: z.string().min(1).max(200),
  role: z.enum(STAFF_ROLES),
  password: z.string().min(1).max(200),
  stores: z.array(z.string().min(1)).min(1),
  /** Defaults by role when absent. */
  permissions: z.array(z.string().min(1)).optional(),
});
export type StaffAddBody = z.input<typeof staffAddBodySchema>;
export const staffAnswerSchema = z.object({ staff: staffSchema, changeVersion: z.number().int() });
export type StaffAnswer = z.infer<typeof staffAnswerSchema>;
export const staffUnblockAnswerSchema = z.object({
  staff: z.string(),
  wasBlocked: z.boolean(),
  failedAttempts: z.number(),
});
export type StaffUnblockAnswer = z.infer<typeof staffUnblockAnswerSchema>;

export const profileSetBodySchema = offlineProfileSchema.omit({ id: true }).partial();
export type ProfileSetBody = z.input<typeof profileSetBodySchema>;
export const profileAnswerSchema = z.object({ profile: offlineProfileSchema, changeVersion: z.number().int() });
export type ProfileAnswer = z.infer<typeof profileAnswerSchema>;

export const registerSetBodySchema = z.object({
  name: z.string().min(1).max(200).optional(),
  supportsOffline: z.boolean().optional(),
  offlineProfileId: z.string().min(1).optional(),
  receiptMask: z.string().min(1).max(64).optional(),
});
export type RegisterSetBody = z.input<typeof registerSetBodySchema>;
export const registerAnswerSchema = z.object({ register: registerSchema, changeVersion: z.number().int() });
export type RegisterAnswer = z.infer<typeof registerAnswerSchema>;

export const conflictSchema = z.object({
  id: z.number().int(),
  store: z.string(),
  transactionId: z.string(),
  register: z.string(),
  storedHash: z.string(),
  incomingHash: z.string(),
  /** When this conflicting content first and last arrived, and how often. */
  firstReceivedAt: z.string(),
  receivedAt: z.string(),
  attempts: z.number().int(),
  incoming: z.unknown(),
});
export const conflictsAnswerSchema = z.object({ conflicts: z.array(conflictSchema) });
export type ConflictsAnswer = z.infer<typeof conflictsAnswerSchema>;

export const adminTransactionsQuerySchema = z.object({
  store: z.string().min(1),
  limit: z.coerce.number().int().min(1).max(10_000).default(100),
});
export const storedTransactionSchema = z.object({
  id: z.string(),
  store: z.string(),
  register: z.string(),
  staff: z.string(),
  customer: z.string().nullable(),
  total: z.number(),
  currency: z.string(),
  createdAt: z.string(),
  receivedAt: z.string(),
  mode: z.string(),
  contentHash: z.string(),
  replicationCounter: z.number().int(),
});
export const adminTransactionsAnswerSchema = z.object({
  store: z.string(),
  count: z.number().int(),
  transactions: z.array(storedTransactionSchema),
});
export type AdminTransactionsAnswer = z.infer<typeof adminTransactionsAnswerSchema>;

export const offlineStatusRowSchema = z.object({
  register: z.string(),
  store: z.string(),
  reportedAt: z.string(),
  status: offlineStatusBodySchema,
});

/** The offline-profile fields `pos hq profile set` accepts, and their value types. */
export const PROFILE_FIELDS = {
  name: "string",
  timeoutInterval: "number",
  reconnectInterval: "number",
  allowManualOfflineBeforeSignIn: "boolean",
  advancedOfflineSwitching: "boolean",
  healthCheckInterval: "number",
  pauseOfflineSync: "boolean",
  downloadInterval: "number",
  uploadInterval: "number",
  slowResponseThreshold: "number",
  slowResponseCount: "number",
  offlineDataExclusion: "string",
} as const satisfies Record<keyof ProfileSetBody, "string" | "number" | "boolean">;
