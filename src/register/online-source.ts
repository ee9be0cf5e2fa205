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
import { type AnswerSchema, type HttpClient, type HttpResponse, NetworkError } from "../lib/http.js";
import { toCliError } from "../lib/server-errors.js";
import { type DataSource, RequestFailure } from "./data-source.js";
import { classifyOutcome, type RequestOutcome } from "./failover.js";

export function createOnlineSource(http: HttpClient, store: string, timeoutMs: number): DataSource {
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
      const r = await body("POST", ROUTES.transactions, transactionAnswerSchema, toWire(tx));
      return { id: r.id, status: r.status };
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
