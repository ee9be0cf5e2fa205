// A store server's line to HQ: JSON calls with the store server's HQ credential, and requests passed through.
import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import { type ActivateAnswer, activateAnswerSchema, ROUTES } from "../../lib/api.js";
import { CHAIN_ROUTES, type RegisterListAnswer, registerListAnswerSchema } from "../../lib/api-chain.js";
import {
  deviceCheckAnswerSchema,
  deviceLookupAnswerSchema,
  STORE_LINK_ROUTES,
  storeLinkCustomerSchema,
  storeLinkPath,
  storeLinkStoreSchema,
  type UploadPushAnswer,
  uploadProgressSchema,
  uploadPushAnswerSchema,
} from "../../lib/api-store.js";
import { createHttpClient, type HttpClient, NetworkError } from "../../lib/http.js";
import { ApiError } from "../api-error.js";

/** HQ did not answer (down, or the network between): the store keeps selling and tries again later. */
export class HqAwayError extends ApiError {
  constructor(hqUrl: string, detail: string) {
    super(503, "ServiceUnavailable", `HQ at ${hqUrl} is not answering (${detail}); try again later`);
  }
}

/** HQ answered with an error: passed on to whoever asked, with HQ's status and body. */
export class HqAnswerError extends ApiError {}

export interface HqLink {
  readonly url: string;
  /** Calls with the store server's credential (pull of channel sessions, P-0001 pushes). */
  readonly http: HttpClient;
  /** The store's record at HQ; undefined when HQ does not know the store. */
  store(store: string): Promise<{ store: string; currency: string } | undefined>;
  customer(id: string): Promise<{ accountAllowed: boolean } | undefined>;
  /** Who a device token speaks for at HQ (by its hash); undefined when HQ does not accept it. */
  device(tokenHash: string): Promise<{ register: string; store: string } | undefined>;
  /** Of these token hashes, those HQ still accepts, and for which register and store. */
  checkDevices(tokenHashes: readonly string[]): Promise<{ tokenHash: string; register: string; store: string }[]>;
  activate(register: string): Promise<ActivateAnswer>;
  /** The store HQ has the register in; undefined when HQ has no such register. */
  registerStore(register: string, stores: readonly string[]): Promise<string | undefined>;
  progress(store: string): Promise<number>;
  push(store: string, body: unknown): Promise<UploadPushAnswer>;
  /** Sends a request on to HQ as it came (the register's own device token) and hands back HQ's answer unread. */
  forward(request: ForwardRequest): Promise<IncomingMessage>;
  /** The same, with the store server's own credential in place of the caller's (the caller was checked here). */
  forwardAsStore(request: ForwardRequest): Promise<IncomingMessage>;
  close(): void;
}

export interface ForwardRequest {
  method: string;
  /** Path and query string. */
  path: string;
  headers: Record<string, string | undefined>;
  body?: unknown;
}

export function createHqLink(url: string, token: string, timeoutMs = 15_000): HqLink {
  const base = url.replace(/\/+$/, "");
  const http = createHttpClient({ baseUrl: base, token, timeoutMs });
  const away = (error: unknown): never => {
    if (error instanceof NetworkError) throw new HqAwayError(base, error.message);
    throw error;
  };
  const call = async <T>(send: () => Promise<import("../../lib/http.js").HttpResponse<T>>, missing?: 404) => {
    const answer = await send().catch(away);
    if (answer.ok) return answer.body;
    if (missing && answer.status === 404) return undefined;
    const error = (answer.body as { error?: { code?: string; message?: string } } | undefined)?.error;
    // HQ refusing the store server's own credential is not the caller's fault: a register would take a 401 as
    // "re-provision me". It is a bad gateway, named as such (502: registers fail over as for any broken server).
    if (answer.status === 401 || answer.status === 403) {
      throw new HqAnswerError(
        502,
        "HqRefused",
        `HQ at ${base} refused this store server's credential (${answer.status}: ${error?.message ?? "no message"}); check --hq-token-file / POS_HQ_TOKEN`,
      );
    }
    throw new HqAnswerError(
      answer.status,
      error?.code ?? "HqError",
      `HQ answered ${answer.status}: ${error?.message ?? "no message"}`,
    );
  };
  return {
    url: base,
    http,
    store: (store) => call(() => http.get(storeLinkPath.store(store), storeLinkStoreSchema), 404),
    customer: (id) => call(() => http.get(storeLinkPath.customer(id), storeLinkCustomerSchema), 404),
    device: (tokenHash) =>
      call(() => http.post(STORE_LINK_ROUTES.device, { tokenHash }, deviceLookupAnswerSchema), 404),
    checkDevices: async (tokenHashes) =>
      (
        (await call(() => http.post(STORE_LINK_ROUTES.devices, { tokenHashes }, deviceCheckAnswerSchema))) as {
          accepted: { tokenHash: string; register: string; store: string }[];
        }
      ).accepted,
    activate: async (register) =>
      (await call(() => http.post(ROUTES.activate, { register }, activateAnswerSchema))) as ActivateAnswer,
    async registerStore(register, stores) {
      const path =
        stores.length > 0
          ? `${CHAIN_ROUTES.registers}?store=${encodeURIComponent(stores.join(","))}`
          : CHAIN_ROUTES.registers;
      const list = (await call(() => http.get(path, registerListAnswerSchema))) as RegisterListAnswer;
      return list.registers.find((r) => r.id === register)?.store;
    },
    progress: async (store) =>
      ((await call(() => http.get(storeLinkPath.uploads(store), uploadProgressSchema))) as { counter: number }).counter,
    push: async (store, body) =>
      (await call(() => http.post(storeLinkPath.uploads(store), body, uploadPushAnswerSchema))) as UploadPushAnswer,
    forward: (request) => forward(base, timeoutMs, request),
    forwardAsStore: (request) =>
      forward(base, timeoutMs, { ...request, headers: { ...request.headers, authorization: `Bearer ${token}` } }),
    close: () => http.close(),
  };
}

function forward(base: string, timeoutMs: number, request: ForwardRequest): Promise<IncomingMessage> {
  const target = new URL(base + request.path);
  const headers: Record<string, string> = { accept: "application/json" };
  for (const [name, value] of Object.entries(request.headers)) if (value !== undefined) headers[name] = value;
  const payload = request.body === undefined ? undefined : Buffer.from(JSON.stringify(request.body));
  if (payload) {
    headers["content-type"] = "application/json";
    headers["content-length"] = String(payload.length);
  }
  const send = target.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const outgoing = send(target, { method: request.method, headers, timeout: timeoutMs }, resolve);
    outgoing.on("timeout", () => outgoing.destroy(Object.assign(new Error("timed out"), { code: "ETIMEDOUT" })));
    outgoing.on("error", (error: NodeJS.ErrnoException) => reject(new HqAwayError(base, error.code ?? error.message)));
    outgoing.end(payload);
  });
}
