// The fault proxy's control endpoint (/fault, /fault/add, /reset on its own port) and the client `pos proxy` uses.
import { createServer, type IncomingMessage, request } from "node:http";
import type { AddressInfo } from "node:net";
import { OperationError, PosError, UnreachableError, UsageError } from "../lib/errors.js";
import { type FaultSpec, formatFault, formatFaults } from "./fault-spec.js";
import type { FaultProxy, FaultProxyStats } from "./proxy.js";

export interface ProxyStatus {
  url: string;
  target: string;
  /** The first fault in force (`none` when there is none). */
  fault: FaultSpec;
  /** Every fault in force in text form, joined by " + ", e.g. `latency 200 jitter=50 + http 503 times=2`. */
  text: string;
  /** Every fault in force, in the order they are considered, with how many requests each was applied to. */
  faults: Array<{ fault: FaultSpec; text: string; injected: number }>;
  seed: number;
  stats: FaultProxyStats;
}

export interface ControlServerOptions {
  host?: string;
  port?: number;
  /** Told about every fault change, e.g. to log it (the text of every fault in force). */
  onChange?: (text: string) => void;
}

export interface ControlServer {
  readonly url: string;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 16 * 1024;
const DEFAULT_TIMEOUT_MS = 5000;

export function proxyStatus(proxy: FaultProxy): ProxyStatus {
  const faults = proxy.faults();
  const stats = proxy.stats();
  return {
    url: proxy.url,
    target: proxy.target,
    fault: proxy.fault(),
    text: formatFaults(faults.map((f) => f.spec)),
    faults: faults.map((f) => ({ fault: f.spec, text: formatFault(f.spec), injected: f.injected })),
    seed: stats.seed,
    stats,
  };
}

const ROUTES: Record<string, string> = {
  "/fault": "GET shows the faults; PUT or POST replaces them (a fault, its text, or a list)",
  "/fault/add": "POST adds one fault on top",
  "/reset": 'POST clears faults and counters ({"seed": n} reseeds)',
};

export async function startControlServer(
  proxy: FaultProxy,
  options: ControlServerOptions = {},
): Promise<ControlServer> {
  const server = createServer((req, res) => {
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json; charset=utf-8" }).end(JSON.stringify(body));
    };
    const path = (req.url ?? "/").split("?", 1)[0] ?? "/";
    if (!(path in ROUTES)) {
      reply(404, { error: { code: "NotFound", message: `no ${path} here; use /fault, /fault/add or /reset` } });
      return;
    }
    if (req.method === "GET" && path === "/fault") {
      reply(200, proxyStatus(proxy));
      return;
    }
    const writes = path === "/fault" ? ["PUT", "POST"] : ["POST"];
    if (!writes.includes(req.method ?? "")) {
      res.setHeader("allow", path === "/fault" ? "GET, PUT, POST" : "POST");
      reply(405, {
        error: { code: "MethodNotAllowed", message: `${req.method} ${path} is not supported (${ROUTES[path]})` },
      });
      return;
    }
    readBody(req)
      .then(async (text) => {
        const body = parseJson(text);
        if (path === "/fault") await proxy.setFault(body);
        else if (path === "/fault/add") await proxy.addFault(body);
        else await proxy.reset(parseSeed(body));
        const status = proxyStatus(proxy);
        options.onChange?.(status.text);
        reply(200, status);
      })
      .catch((error: unknown) => {
        const usage = error instanceof UsageError;
        const message = error instanceof Error ? error.message : String(error);
        reply(usage ? 400 : 500, { error: { code: usage ? error.code : "ProxyError", message } });
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen({ host: options.host ?? "127.0.0.1", port: options.port ?? 0 }, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { address, port } = server.address() as AddressInfo;
  return {
    url: `http://${address.includes(":") ? `[${address}]` : address}:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Reads the running proxy's status from its control endpoint. */
export function fetchProxyStatus(controlUrl: string, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<ProxyStatus> {
  return callControl("GET", controlUrl, undefined, timeoutMs);
}

/** Replaces the running proxy's faults through its control endpoint; returns the status after the change. */
export function sendFault(
  controlUrl: string,
  fault: FaultSpec | FaultSpec[],
  timeoutMs = DEFAULT_TIMEOUT_MS,
): Promise<ProxyStatus> {
  return callControl("PUT", controlUrl, JSON.stringify(fault), timeoutMs);
}

/** Adds a fault on top of those in force. */
export function addFault(controlUrl: string, fault: FaultSpec, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<ProxyStatus> {
  return callControl("POST", controlUrl, JSON.stringify(fault), timeoutMs, "/fault/add");
}

/** Clears faults and counters; with a seed, the draws start from it. */
export function resetProxy(controlUrl: string, seed?: number, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<ProxyStatus> {
  return callControl("POST", controlUrl, JSON.stringify(seed === undefined ? {} : { seed }), timeoutMs, "/reset");
}

function callControl(
  method: "GET" | "PUT" | "POST",
  controlUrl: string,
  body: string | undefined,
  timeoutMs: number,
  path = "/fault",
): Promise<ProxyStatus> {
  let url: URL;
  try {
    url = new URL(path, controlUrl);
  } catch {
    return Promise.reject(new UsageError(`control URL "${controlUrl}" is not a URL (expected http://host:port)`));
  }
  const unreachable = (reason: string) =>
    new UnreachableError(
      `fault proxy control at ${controlUrl} did not answer (${reason})`,
      "ProxyUnreachable",
      "start one with `pos proxy start`, or pass --control <url>",
    );
  return new Promise((resolve, reject) => {
    // No keep-alive agent: one short call must not hold the CLI process open afterwards.
    const req = request(url, { method, agent: false, headers: { "content-type": "application/json" } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("error", (error) => reject(unreachable(error.message)));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch {
          reject(new OperationError(`fault proxy control at ${controlUrl} answered ${res.statusCode} without JSON`));
          return;
        }
        if (res.statusCode === 200) resolve(parsed as ProxyStatus);
        else {
          const message = (parsed as { error?: { message?: string } }).error?.message ?? `status ${res.statusCode}`;
          reject(res.statusCode === 400 ? new UsageError(message, "BadFault") : new OperationError(message));
        }
      });
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on("error", (error: NodeJS.ErrnoException) => {
      reject(error instanceof PosError ? error : unreachable(error.code ?? error.message));
    });
    req.end(body);
  });
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      // Keep reading past the limit (discarding) so the 400 can still be sent on an intact connection.
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on("end", () => {
      if (size > MAX_BODY_BYTES) reject(new UsageError(`fault body over ${MAX_BODY_BYTES} bytes`, "BadFault"));
      else resolve(Buffer.concat(chunks).toString("utf8"));
    });
    req.on("error", reject);
  });
}

/** `{"seed": n}` for /reset; an empty body keeps the seed. */
function parseSeed(body: unknown): number | undefined {
  if (body === "" || body === null || body === undefined) return undefined;
  const seed = (body as { seed?: unknown }).seed;
  if (seed === undefined && typeof body === "object" && Object.keys(body as object).length === 0) return undefined;
  if (typeof seed !== "number" || !Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new UsageError('reset takes {"seed": <whole number 0..4294967295>} or an empty body', "BadSeed");
  }
  return seed;
}

/** A JSON body, or bare fault text (so `curl -X PUT -d 'http 503'` works too). */
function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text.trim();
  }
}
