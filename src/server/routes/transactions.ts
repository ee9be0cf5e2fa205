// Transaction routes: one sale (POST /v1/transactions) and batch upload, both exactly once by transaction id.
import type { FastifyInstance, onRequestAsyncHookHandler } from "fastify";
import { ERROR_CODES, ROUTES, type TransactionAnswer, type UploadAnswer, uploadBodySchema } from "../../lib/api.js";
import type { Clock } from "../../lib/clock.js";
import { type Db, prepared, preparedPluck } from "../../lib/db.js";
import { ApiError, notFound, parseInput } from "../api-error.js";
import { type AppDeps, DEFAULT_UPLOAD_BODY_LIMIT } from "../app-deps.js";
import { deviceOf, deviceOnly } from "../auth.js";
import type { Device } from "../devices.js";
import { isoTime } from "../statements.js";
import {
  checkTransaction,
  type SaleTarget,
  type StoreCurrency,
  saleTarget,
  storeTransactions,
  uploadTransactions,
} from "../transactions.js";

/** What the transaction routes need: the same on HQ's all-in-one server and on a store server. */
export interface TransactionRouteDeps {
  channels: ReadonlyMap<string, Db>;
  clock: Clock;
  uploadBodyLimit?: number | undefined;
  /** Sets request.device from the device token (401 otherwise). */
  authenticate: onRequestAsyncHookHandler;
  /** A customer HQ has that the channel database may lack yet (created online moments ago). */
  findHqCustomer(id: string): Promise<{ accountAllowed: boolean } | undefined>;
}

export function transactionRouteDeps(deps: AppDeps): TransactionRouteDeps {
  return {
    channels: deps.data.channels,
    clock: deps.clock,
    uploadBodyLimit: deps.uploadBodyLimit,
    authenticate: deviceOnly(deps),
    async findHqCustomer(id) {
      const row = await deps.data.hq.masterData.find("customers", { id });
      return row ? { accountAllowed: row.account_allowed === 1 } : undefined;
    },
  };
}

export function registerTransactionRoutes(app: FastifyInstance, deps: TransactionRouteDeps): void {
  const onRequest = deps.authenticate;
  // A customer created online (POST /v1/customers) is at HQ at once and reaches the channel database with 1010:
  // the customers a request names that the channel database lacks are looked up at HQ before the sales are checked.
  const hqCustomers = async (channel: Db, body: unknown) => {
    const found = new Map<string, { accountAllowed: boolean }>();
    for (const id of customerIds(body)) {
      if (found.has(id) || preparedPluck(channel, "SELECT 1 FROM customers WHERE id = ?").get(id) !== undefined)
        continue;
      const customer = await deps.findHqCustomer(id);
      if (customer) found.set(id, customer);
    }
    return found;
  };
  const target = async (device: Device, body: unknown): Promise<{ channel: Db; store: SaleTarget }> => {
    const channel = deps.channels.get(device.store);
    if (!channel) throw notFound(`store ${device.store} has no channel database on this server`);
    const store = prepared<unknown[], StoreCurrency>(channel, "SELECT currency, decimals FROM stores WHERE id = ?").get(
      device.store,
    );
    if (!store) throw notFound(`store ${device.store} is not in its channel database`);
    return { channel, store: saleTarget(channel, device.store, store, await hqCustomers(channel, body)) };
  };

  app.post(ROUTES.transactions, { onRequest }, async (request, reply) => {
    const device = deviceOf(request);
    const { channel, store } = await target(device, request.body);
    const check = checkTransaction(request.body, device, store);
    if (!check.ok) throw new ApiError(check.statusCode, check.code, check.message);
    const [outcome] = storeTransactions(channel, [check.transaction], deps.clock);
    if (!outcome) throw new Error("storing a transaction returned no outcome");
    if (outcome.status === "conflict") throw new ApiError(409, ERROR_CODES.transactionConflict, outcome.message);
    const answer: TransactionAnswer = { id: outcome.id, status: outcome.status, receivedAt: outcome.receivedAt };
    return reply.code(outcome.status === "stored" ? 201 : 200).send(answer);
  });

  app.post(
    ROUTES.transactionsUpload,
    { onRequest, bodyLimit: deps.uploadBodyLimit ?? DEFAULT_UPLOAD_BODY_LIMIT },
    async (request): Promise<UploadAnswer> => {
      const device = deviceOf(request);
      const { transactions } = parseInput(uploadBodySchema, request.body, "body");
      const { channel, store } = await target(device, transactions);
      const results = uploadTransactions(channel, transactions, device, store, deps.clock);
      const counts = { stored: 0, duplicate: 0, conflict: 0, rejected: 0 };
      for (const r of results) counts[r.status]++;
      return { results, counts, receivedAt: isoTime(deps.clock.now()) };
    },
  );
}

/** The customer ids a sale (or a list of sales) names, read defensively: the body is checked after this. */
function customerIds(body: unknown): string[] {
  const sales = Array.isArray(body) ? body : [body];
  const ids: string[] = [];
  for (const sale of sales) {
    const customer = (sale as { customer?: unknown } | null)?.customer;
    if (typeof customer === "string" && customer.length > 0 && customer.length <= 100) ids.push(customer);
  }
  return ids.slice(0, 10_000);
}
