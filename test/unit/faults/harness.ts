// Test harness for the fault proxy: a small real HTTP target on loopback and a keep-alive client that reports errors by code.
import { type Agent, createServer, type IncomingHttpHeaders, request } from "node:http";
import type { AddressInfo } from "node:net";

export interface Target {
  url: string;
  /** Requests the target has fully read (what "the server committed" means here). */
  requests: Array<{ method: string; path: string; body: Buffer }>;
  /** TCP connections the target accepted. */
  connections: number;
  close(): Promise<void>;
}

/** 64 KiB of every byte value, so any re-encoding on the way shows. */
export const BYTES = Buffer.from(Array.from({ length: 65_536 }, (_, i) => (i * 7 + (i >> 8)) % 256));

/**
 * Routes: /bytes (binary, Content-Length), /chunked (binary, chunked), /echo (body back), /empty (204),
 * /slow?ms=N (answers after N ms); anything else answers `{"path": …}`.
 */
export async function startTarget(): Promise<Target> {
  const target: Target = { url: "", requests: [], connections: 0, close: async () => {} };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://target");
      const body = Buffer.concat(chunks);
      target.requests.push({ method: req.method ?? "", path: url.pathname, body });
      switch (url.pathname) {
        case "/bytes":
          res.writeHead(200, { "content-type": "application/octet-stream", "content-length": BYTES.length });
          res.end(BYTES);
          return;
        case "/chunked":
          res.writeHead(200, { "content-type": "application/octet-stream" });
          for (let i = 0; i < BYTES.length; i += 10_000) res.write(BYTES.subarray(i, i + 10_000));
          res.end();
          return;
        case "/echo":
          res.writeHead(200, { "content-type": "application/octet-stream", "content-length": body.length });
          res.end(body);
          return;
        case "/empty":
          res.writeHead(204).end();
          return;
        case "/slow":
          setTimeout(() => res.end(JSON.stringify({ slow: true })), Number(url.searchParams.get("ms") ?? 0));
          return;
        default:
          res.writeHead(200, { "content-type": "application/json" });
          res.end(JSON.stringify({ path: url.pathname }));
      }
    });
  });
  server.on("connection", () => {
    target.connections++;
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  target.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  target.close = () =>
    new Promise((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return target;
}

export interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface SendOptions {
  method?: string;
  body?: Buffer | string;
  /** Sends the body with Transfer-Encoding: chunked. */
  chunked?: boolean;
  /** Sends `Expect: 100-continue` and the body only once the server says "100 Continue". */
  expectContinue?: boolean;
  agent?: Agent;
  timeoutMs?: number;
}

/** One request; rejects with an error whose `code` says how it failed (ECONNREFUSED, ECONNRESET, TIMEOUT…). */
export function send(base: string, path: string, options: SendOptions = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const fail = (error: Error & { code?: string }) => reject(error);
    const headers: Record<string, string> = {};
    if (options.body !== undefined && !options.chunked) {
      headers["content-length"] = String(Buffer.byteLength(options.body));
    }
    if (options.expectContinue) headers.expect = "100-continue";
    const req = request(
      new URL(path, base),
      { method: options.method ?? "GET", headers, ...(options.agent ? { agent: options.agent } : { agent: false }) },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("error", fail);
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
        );
        res.on("close", () => {
          if (!res.complete) fail(Object.assign(new Error("response aborted"), { code: "ECONNRESET" }));
        });
      },
    );
    req.on("error", fail);
    const timer = setTimeout(
      () => req.destroy(Object.assign(new Error("client timeout"), { code: "TIMEOUT" })),
      options.timeoutMs ?? 5000,
    );
    req.on("close", () => clearTimeout(timer));
    if (options.expectContinue) {
      req.flushHeaders();
      req.on("continue", () => req.end(options.body));
    } else if (options.body !== undefined && options.chunked) {
      const body = Buffer.from(options.body);
      req.write(body.subarray(0, body.length >> 1));
      req.end(body.subarray(body.length >> 1));
    } else req.end(options.body);
  });
}

/** The error code a failed request ends with, or "ok". */
export async function outcome(reply: Promise<Reply>): Promise<string> {
  try {
    await reply;
    return "ok";
  } catch (error) {
    return (error as { code?: string }).code ?? (error as Error).message;
  }
}

/** "pending" if the promise has not settled by the next turn of the event loop. */
export async function settled(promise: Promise<unknown>): Promise<"pending" | "settled"> {
  const marker = Symbol("pending");
  const result = await Promise.race([
    promise.then(
      () => undefined,
      () => undefined,
    ),
    new Promise((resolve) => setImmediate(() => resolve(marker))),
  ]);
  return result === marker ? "pending" : "settled";
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Waits (bounded) until `check` holds, polling every few ms. */
export async function until(check: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await delay(5);
  }
}
