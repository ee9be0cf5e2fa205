// Client side of the admin API (pos hq, provisioning): finds the server and token, maps answers to CLI errors.

import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import {
  apiPath,
  type CustomerAddBody,
  type CustomerAnswer,
  customerAnswerSchema,
  PROFILE_FIELDS,
  type PriceAnswer,
  type ProductAddBody,
  type ProductDeleteAnswer,
  type ProductDetail,
  type ProductSetBody,
  type ProfileAnswer,
  type ProfileSetBody,
  priceAnswerSchema,
  productDeleteAnswerSchema,
  productDetailSchema,
  profileAnswerSchema,
  type RegisterAnswer,
  type RegisterSetBody,
  ROUTES,
  registerAnswerSchema,
  type StaffAddBody,
  type StaffAnswer,
  type StaffUnblockAnswer,
  staffAnswerSchema,
  staffUnblockAnswerSchema,
} from "./api.js";
import {
  CHAIN_ROUTES,
  type RegisterAddAnswer,
  type RegisterAddBody,
  registerAddAnswerSchema,
  type StoreAddAnswer,
  type StoreAddBody,
  storeAddAnswerSchema,
  type TransactionPage,
  type TransactionPageQuery,
  transactionPagePath,
  transactionPageSchema,
} from "./api-chain.js";
import {
  ASYNC_CUSTOMER_ROUTES,
  type AsyncCustomerSyncAnswer,
  type AsyncCustomersAnswer,
  asyncCustomerSyncAnswerSchema,
  asyncCustomersAnswerSchema,
} from "./api-customers.js";
import { type CatchUpAnswer, catchUpAnswerSchema, STORE_CATCH_UP_ROUTE } from "./api-store.js";
import {
  type StoreSettingsAnswer,
  type StoreSettingsBody,
  storeSettingsAnswerSchema,
  storeSettingsPath,
} from "./api-store-settings.js";
import { UnreachableError, UsageError } from "./errors.js";
import { type AnswerSchema, createHttpClient, type HttpClient, type Method } from "./http.js";
import type { Paths } from "./paths.js";
import { answerOf } from "./server-errors.js";

export interface AdminConnectionOptions {
  server?: string;
  adminToken?: string;
}

export interface AdminConnection {
  url: string;
  token: string;
}

function readServerFile(paths: Paths): { url?: string; adminTokenFile?: string } | undefined {
  const file = join(paths.serverDir, "server.json");
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, "utf8")) as { url?: string; adminTokenFile?: string };
  } catch {
    return undefined;
  }
}

/** --server, then POS_SERVER, then the URL the running server wrote to <home>/server/server.json. */
export function resolveServerUrl(paths: Paths, env: NodeJS.ProcessEnv, option?: string): string {
  const url = option ?? env.POS_SERVER ?? readServerFile(paths)?.url;
  if (!url) {
    throw new UnreachableError(
      `no server to talk to: ${join(paths.serverDir, "server.json")} does not exist`,
      "ServerUnreachable",
      "start one with `pos server start` (same --home), or pass --server <url> / set POS_SERVER",
    );
  }
  if (!/^https?:\/\/[^\s/]+/.test(url))
    throw new UsageError(`--server: expected a URL like http://127.0.0.1:7100, got "${url}"`);
  return url;
}

/** --admin-token, then POS_ADMIN_TOKEN, then the token file the server wrote under the same home. */
export function resolveAdminToken(paths: Paths, env: NodeJS.ProcessEnv, option?: string): string {
  if (option) return option;
  if (env.POS_ADMIN_TOKEN) return env.POS_ADMIN_TOKEN;
  const file = readServerFile(paths)?.adminTokenFile ?? paths.adminTokenFile;
  try {
    const token = readFileSync(file, "utf8").trim();
    if (token) return token;
  } catch {
    // Fall through to the usage error that says where we looked.
  }
  throw new UsageError(
    `no admin token: ${file} is missing`,
    "AdminTokenMissing",
    "pass --admin-token, set POS_ADMIN_TOKEN, or use the --home of the running server",
  );
}

export function resolveAdminConnection(
  paths: Paths,
  env: NodeJS.ProcessEnv,
  options: AdminConnectionOptions,
): AdminConnection {
  return {
    url: resolveServerUrl(paths, env, options.server),
    token: resolveAdminToken(paths, env, options.adminToken),
  };
}

/** The checked body of a 2xx answer, or the CLI error it means (see server-errors.ts). */
export function adminCall<T>(
  http: HttpClient,
  method: Method,
  path: string,
  schema: AnswerSchema<T>,
  body?: unknown,
): Promise<T> {
  return answerOf(() => http.request(method, path, schema, body));
}

/** An admin-token client for `connection` and its one way of calling: checked body or CLI error. */
export function adminCaller(connection: AdminConnection, timeoutMs: number) {
  const http = createHttpClient({ baseUrl: connection.url, token: connection.token, timeoutMs });
  const call = <T>(method: Method, path: string, schema: AnswerSchema<T>, body?: unknown) =>
    adminCall(http, method, path, schema, body);
  return { http, call };
}

export interface AdminClient {
  readonly url: string;
  setPrice(product: string, store: string, amount: string): Promise<PriceAnswer>;
  addProduct(body: ProductAddBody): Promise<ProductDetail>;
  setProduct(id: string, body: ProductSetBody): Promise<ProductDetail>;
  showProduct(id: string): Promise<ProductDetail>;
  deleteProduct(id: string): Promise<ProductDeleteAnswer>;
  addCustomer(body: CustomerAddBody): Promise<CustomerAnswer>;
  addStaff(body: StaffAddBody): Promise<StaffAnswer>;
  unblockStaff(id: string): Promise<StaffUnblockAnswer>;
  setProfile(id: string, body: ProfileSetBody): Promise<ProfileAnswer>;
  setRegister(id: string, body: RegisterSetBody): Promise<RegisterAnswer>;
  addStore(body: StoreAddBody): Promise<StoreAddAnswer>;
  /** A store's customer settings (async mode, offline creation); job 1070 distributes them. */
  setStore(id: string, body: StoreSettingsBody): Promise<StoreSettingsAnswer>;
  addRegister(body: RegisterAddBody): Promise<RegisterAddAnswer>;
  /** One page of the server's transactions; follow `nextCursor` with `after` for the next. */
  transactionPage(query: TransactionPageQuery): Promise<TransactionPage>;
  /** Customers created offline (operation 612) and what HQ made of them. */
  asyncCustomers(): Promise<AsyncCustomersAnswer>;
  /** HQ's "synchronize customers from async mode" job. */
  syncAsyncCustomers(): Promise<AsyncCustomerSyncAnswer>;
  /** A store server's round with HQ now (pull channel packages, push P-0001). */
  storeCatchUp(): Promise<CatchUpAnswer>;
  close(): void;
}

export function createAdminClient(connection: AdminConnection, timeoutMs = 10_000): AdminClient {
  const { http, call } = adminCaller(connection, timeoutMs);
  return {
    url: http.baseUrl,
    setPrice: (product, store, amount) =>
      call("PUT", apiPath.adminPrice(store, product), priceAnswerSchema, { amount }),
    addProduct: (body) => call("POST", ROUTES.admin.products, productDetailSchema, body),
    setProduct: (id, body) => call("PATCH", apiPath.adminProduct(id), productDetailSchema, body),
    showProduct: (id) => call("GET", apiPath.adminProduct(id), productDetailSchema),
    deleteProduct: (id) => call("DELETE", apiPath.adminProduct(id), productDeleteAnswerSchema),
    addCustomer: (body) => call("POST", ROUTES.admin.customers, customerAnswerSchema, body),
    addStaff: (body) => call("POST", ROUTES.admin.staff, staffAnswerSchema, body),
    unblockStaff: (id) => call("POST", apiPath.adminStaffUnblock(id), staffUnblockAnswerSchema, {}),
    setProfile: (id, body) => call("PATCH", apiPath.adminProfile(id), profileAnswerSchema, body),
    setRegister: (id, body) => call("PATCH", apiPath.adminRegister(id), registerAnswerSchema, body),
    addStore: (body) => call("POST", CHAIN_ROUTES.stores, storeAddAnswerSchema, body),
    setStore: (id, body) => call("PATCH", storeSettingsPath(id), storeSettingsAnswerSchema, body),
    addRegister: (body) => call("POST", CHAIN_ROUTES.registers, registerAddAnswerSchema, body),
    transactionPage: (query) => call("GET", transactionPagePath(query), transactionPageSchema),
    asyncCustomers: () => call("GET", ASYNC_CUSTOMER_ROUTES.admin, asyncCustomersAnswerSchema),
    syncAsyncCustomers: () => call("POST", ASYNC_CUSTOMER_ROUTES.sync, asyncCustomerSyncAnswerSchema, {}),
    storeCatchUp: () => call("POST", STORE_CATCH_UP_ROUTE, catchUpAnswerSchema, {}),
    close: () => http.close(),
  };
}

/** `pos hq profile set <id> <field> <value>`: the field checked against SPEC §2 names, the value typed. */
export function profileFieldValue(field: string, value: string): ProfileSetBody {
  const kind = PROFILE_FIELDS[field as keyof typeof PROFILE_FIELDS];
  if (!kind) {
    throw new UsageError(
      `unknown offline profile field "${field}" (one of: ${Object.keys(PROFILE_FIELDS).join(", ")})`,
    );
  }
  if (kind === "boolean") return { [field]: parseBoolean(value, field) };
  if (kind === "string") return { [field]: value };
  const number = Number(value);
  if (value.trim() === "" || !Number.isFinite(number) || number < 0) {
    throw new UsageError(`${field}: expected a number ≥ 0, got "${value}"`);
  }
  return { [field]: number };
}

export function parseBoolean(value: string, what: string): boolean {
  if (/^(true|yes|1|on)$/i.test(value)) return true;
  if (/^(false|no|0|off)$/i.test(value)) return false;
  throw new UsageError(`${what}: expected true or false, got "${value}"`);
}

/** Every transaction matching the filters, page after page (`max` stops early), as one list. */
export async function allTransactions(
  client: Pick<AdminClient, "transactionPage">,
  filters: Omit<TransactionPageQuery, "after" | "limit">,
  options: { pageSize?: number; max?: number } = {},
): Promise<{ count: number; transactions: TransactionPage["transactions"] }> {
  const transactions: TransactionPage["transactions"] = [];
  let after: string | undefined;
  let count = 0;
  do {
    const room = options.max === undefined ? Number.POSITIVE_INFINITY : options.max - transactions.length;
    const limit = Math.min(options.pageSize ?? 1000, room);
    if (limit <= 0) break;
    const page = await client.transactionPage({ ...filters, limit, ...(after === undefined ? {} : { after }) });
    count = page.count;
    transactions.push(...page.transactions);
    after = page.nextCursor ?? undefined;
  } while (after !== undefined);
  return { count, transactions };
}
