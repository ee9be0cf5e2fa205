// The retail server as a DataSource: every request either answers, throws a business error, or a RequestFailure.
import { fromMajor } from "../domain/money.js";
import { percentToPpm } from "../domain/tax.js";
import { type Transaction, toWire } from "../domain/transaction.js";
import {
  apiPath,
  type CustomersAnswer,
  type ErrorBody,
  type ProductAnswer,
  ROUTES,
  type StaffSignInAnswer,
  type TransactionAnswer,
} from "../lib/api.js";
import { OperationError } from "../lib/errors.js";
import { type HttpClient, type HttpResponse, NetworkError } from "../lib/http.js";
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
): DataSource {
  /** Sends one request; a failover-class outcome becomes a RequestFailure, any other error answer an OperationError. */
  const call = async <T>(
    method: "GET" | "POST",
    path: string,
    body?: unknown,
    allow: number[] = [],
  ): Promise<HttpResponse<T>> => {
    let response: HttpResponse<T>;
    try {
      response = await http.request<T>(method, path, body, { timeoutMs });
    } catch (error) {
      if (error instanceof NetworkError) throw new RequestFailure(networkOutcome(error, timeoutMs), error.message);
      throw error;
    }
    if (response.status < 400 || allow.includes(response.status)) return response;
    const outcome: RequestOutcome = { kind: "response", status: response.status };
    if (classifyOutcome(outcome) === "failover")
      throw new RequestFailure(outcome, `server answered ${response.status}`);
    const error = (response.body as Partial<ErrorBody> | null)?.error;
    throw new ServerRefusal(
      error?.message ?? `server answered ${response.status}`,
      error?.code ?? `Http${response.status}`,
      response.status,
    );
  };

  return {
    kind: "online",

    async findProduct(code) {
      const r = await call<ProductAnswer>("GET", apiPath.product(code, store), undefined, [404]);
      if (r.status === 404) return null;
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
      const r = await call<CustomersAnswer>("GET", apiPath.customers(query));
      return r.body.customers.map((c) => ({ ...c, pendingSync: false }));
    },

    async createCustomer(input) {
      const r = await call<{ customer: CustomersAnswer["customers"][number] }>("POST", ROUTES.customers, input);
      return { ...r.body.customer, pendingSync: false };
    },

    async signIn(staff, password) {
      const r = await call<StaffSignInAnswer>("POST", ROUTES.staffSignIn, { staff, password });
      return { id: r.body.staff.id, name: r.body.staff.name, role: r.body.staff.role };
    },

    async commitTransaction(tx: Transaction) {
      checkouts?.sending(tx);
      let r: HttpResponse<TransactionAnswer>;
      try {
        r = await call<TransactionAnswer>("POST", ROUTES.transactions, toWire(tx));
      } catch (error) {
        // Only a 4xx answer says the server did not store it; no answer, or a 5xx, leaves the sale in doubt.
        if (error instanceof ServerRefusal && error.httpStatus < 500) {
          checkouts?.refused(tx, `${error.code}: ${error.message}`);
        }
        throw error;
      }
      try {
        checkouts?.stored(tx);
      } catch {
        // The server has the sale: failing now would have the cashier charge again under a new number. The row
        // stays in doubt and is settled (as a duplicate) at the next sale or push.
      }
      return { id: r.body.id, status: r.body.status };
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
    const r = await http.get(ROUTES.health, { timeoutMs, token: null });
    return { kind: "response", status: r.status };
  } catch (error) {
    if (error instanceof NetworkError) return networkOutcome(error, timeoutMs);
    throw error;
  }
}

/** A business answer from the server (4xx, or a 5xx that is not a failover): shown to the cashier. */
export class ServerRefusal extends OperationError {
  readonly httpStatus: number;
  constructor(message: string, code: string, httpStatus: number) {
    super(message, code);
    this.httpStatus = httpStatus;
  }
}

function networkOutcome(error: NetworkError, timeoutMs: number): RequestOutcome {
  if (error.kind === "timeout") return { kind: "timeout", afterMs: timeoutMs };
  if (error.kind === "invalid-body") return { kind: "invalid-body", message: error.message };
  return { kind: "network", code: error.code, message: error.message };
}
