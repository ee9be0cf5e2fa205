// The retail server as a DataSource: every request either answers, throws a business error, or a RequestFailure.
import { fromMajor } from "../domain/money.js";
import { percentToPpm } from "../domain/tax.js";
import { type Transaction, toWire } from "../domain/transaction.js";
import {
  apiPath,
  customerAnswerSchema,
  customersAnswerSchema,
  healthAnswerSchema,
  type ProductAnswer,
  productAnswerSchema,
  ROUTES,
  staffSignInAnswerSchema,
  transactionAnswerSchema,
} from "../lib/api.js";
import {
  journalAnswerSchema,
  OWN_DATA_ROUTES,
  ownDataPath,
  recallAnswerSchema,
  returnSourceAnswerSchema,
  suspendAnswerSchema,
  suspendedCartsAnswerSchema,
} from "../lib/api-own-data.js";
import { type AnswerSchema, type HttpClient, type HttpResponse, NetworkError } from "../lib/http.js";
import { toCliError } from "../lib/server-errors.js";
import { type DataSource, RequestFailure } from "./data-source.js";
import { classifyOutcome, type RequestOutcome } from "./failover.js";

/** What the online source tells the register's own database around a checkout (durable before it is sent). */
export interface CheckoutRecorder {
  /** Before sending: the sale is recorded as in doubt; if this throws, nothing is sent. */
  sending(tx: Transaction): void;
  /** The server stored it (or already had it). */
  stored(tx: Transaction): void;
  /** The server refused it with a 4xx answer: it is stored nowhere. */
  refused(tx: Transaction, reason: string): void;
}

export function createOnlineSource(
  http: HttpClient,
  store: string,
  timeoutMs: number,
  checkouts?: CheckoutRecorder,
  registerId = "",
): DataSource {
  /** Sends one request; a failover-class outcome becomes a RequestFailure, any other error answer an OperationError. */
  const call = async <T>(
    method: "GET" | "POST",
    path: string,
    schema: AnswerSchema<T>,
    body?: unknown,
  ): Promise<HttpResponse<T>> => {
    let response: HttpResponse<T>;
    try {
      response = await http.request(method, path, schema, body, { timeoutMs });
    } catch (error) {
      if (error instanceof NetworkError) throw new RequestFailure(networkOutcome(error, timeoutMs), error.message);
      throw error;
    }
    if (response.ok) return response;
    const outcome: RequestOutcome = { kind: "response", status: response.status };
    if (classifyOutcome(outcome) === "failover")
      throw new RequestFailure(outcome, `server answered ${response.status}`);
    return response;
  };
  /** The checked body, or the error the answer means (a business refusal such as InvalidCredentials). */
  const body = async <T>(method: "GET" | "POST", path: string, schema: AnswerSchema<T>, input?: unknown) => {
    const r = await call(method, path, schema, input);
    if (!r.ok) throw toCliError(r);
    return r.body;
  };

  return {
    kind: "online",

    async findProduct(code) {
      const r = await call("GET", apiPath.product(code, store), productAnswerSchema);
      if (!r.ok && r.status === 404) return null;
      if (!r.ok) throw toCliError(r);
      const p = r.body;
      return {
        id: p.id,
        name: p.name,
        taxGroup: p.taxGroup,
        taxRatePpm: percentToPpm(p.taxRate),
        unitPrice: priceMinor(p),
      };
    },

    async searchCustomers(query) {
      const r = await body("GET", apiPath.customers(query), customersAnswerSchema);
      return r.customers.map((c) => ({ ...c, pendingSync: false }));
    },

    async createCustomer(input) {
      const r = await body("POST", ROUTES.customers, customerAnswerSchema, input);
      return { ...r.customer, pendingSync: false };
    },

    async signIn(staff, password) {
      const r = await body("POST", ROUTES.staffSignIn, staffSignInAnswerSchema, { staff, password });
      return { id: r.staff.id, name: r.staff.name, role: r.staff.role };
    },

    async commitTransaction(tx: Transaction) {
      checkouts?.sending(tx);
      const r = await call("POST", ROUTES.transactions, transactionAnswerSchema, toWire(tx));
      if (!r.ok) {
        const refusal = toCliError(r);
        // Only a 4xx answer says the server did not store it; a 5xx (or no answer) leaves the sale in doubt.
        if (r.status < 500) checkouts?.refused(tx, `${refusal.code}: ${refusal.message}`);
        throw refusal;
      }
      try {
        checkouts?.stored(tx);
      } catch {
        // The server has the sale: failing now would have the cashier charge again under a new number. The row
        // stays in doubt and is settled (as a duplicate) at the next sale or push.
      }
      return { id: r.body.id, status: r.body.status };
    },

    async journal(limit) {
      return (await body("GET", ownDataPath.journal(registerId, limit), journalAnswerSchema)).transactions;
    },

    async returnSource(id) {
      return body("GET", ownDataPath.transaction(id), returnSourceAnswerSchema);
    },

    async suspendCart(cart) {
      await body("POST", OWN_DATA_ROUTES.carts, suspendAnswerSchema, { cart });
      return { id: cart.id, kept: "server" };
    },

    async suspendedCarts() {
      return (await body("GET", OWN_DATA_ROUTES.carts, suspendedCartsAnswerSchema)).carts;
    },

    async recallCart(id) {
      return (await body("POST", ownDataPath.recall(id), recallAnswerSchema, {})).cart;
    },
  };
}

/** The answer's major-unit price in minor units; a price with more decimals than the currency is a broken answer. */
function priceMinor(p: ProductAnswer): number {
  const minor = fromMajor(p.price, p.decimals);
  if (minor === undefined) {
    throw new RequestFailure(
      { kind: "invalid-body", message: `price ${p.price}` },
      `product ${p.id}: price ${p.price} is not a ${p.currency} amount`,
    );
  }
  return minor;
}

/** A quick health request, reduced to what the failover rules look at. */
export async function probeServer(http: HttpClient, timeoutMs: number): Promise<RequestOutcome> {
  try {
    const r = await http.get(ROUTES.health, healthAnswerSchema, { timeoutMs, token: null });
    return { kind: "response", status: r.status };
  } catch (error) {
    if (error instanceof NetworkError) return networkOutcome(error, timeoutMs);
    throw error;
  }
}

function networkOutcome(error: NetworkError, timeoutMs: number): RequestOutcome {
  if (error.kind === "timeout") return { kind: "timeout", afterMs: timeoutMs };
  if (error.kind === "invalid-body") return { kind: "invalid-body", message: error.message };
  return { kind: "network", code: error.code, message: error.message };
}
