// The project's one HTTP client (got, keep-alive, no retries): JSON in/out, failures carry their class for failover.
import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { Agent as HttpAgent, type IncomingHttpHeaders } from "node:http";
import { Agent as HttpsAgent } from "node:https";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { Got } from "got";
import type { z } from "zod";
import { formatPath } from "./errors.js";

/**
 * Why a request got no usable answer. The connection manager fails over on every kind; SPEC §4.2 lists
 * refused/reset/DNS/timeout, and `invalid-body` is the fault proxy's `garbage` (200 with a broken body).
 */
export type NetworkFailureKind = "refused" | "reset" | "timeout" | "dns" | "invalid-body" | "other";

export class NetworkError extends Error {
  /** The underlying code: ECONNREFUSED, ECONNRESET, ETIMEDOUT, ENOTFOUND, EINVALIDBODY, … */
  readonly code: string;
  readonly kind: NetworkFailureKind;
  readonly method: string;
  readonly url: string;
  constructor(kind: NetworkFailureKind, code: string, method: string, url: string, options?: { cause?: unknown }) {
    super(`${method} ${url}: ${describe(kind, code)}`, options);
    this.name = "NetworkError";
    this.kind = kind;
    this.code = code;
    this.method = method;
    this.url = url;
  }
}

/**
 * A 2xx answer whose JSON is not what the contract says. A NetworkError of kind `invalid-body` so that the
 * register fails over as for any broken answer; commands report it as one line naming the server and field.
 */
export class UnexpectedAnswerError extends NetworkError {
  readonly field: string;
  constructor(method: string, baseUrl: string, path: string, field: string, problem: string) {
    super("invalid-body", "EUNEXPECTEDANSWER", method, baseUrl + path);
    this.name = "UnexpectedAnswerError";
    this.field = field;
    this.message = `the server at ${baseUrl} answered ${method} ${path} with an unexpected body: field ${field}: ${problem}`;
  }
}

function describe(kind: NetworkFailureKind, code: string): string {
  switch (kind) {
    case "refused":
      return "connection refused";
    case "reset":
      return "connection reset";
    case "timeout":
      return "no complete answer before the timeout";
    case "dns":
      return "host not found";
    case "invalid-body":
      return "the answer is not valid JSON";
    default:
      return code;
  }
}

/** Maps a socket/got error code to its failure class. */
export function classifyNetworkCode(code: string | undefined): NetworkFailureKind {
  switch (code) {
    case "ECONNREFUSED":
      return "refused";
    case "ECONNRESET":
    case "EPIPE":
    case "ECONNABORTED":
    case "ERR_STREAM_PREMATURE_CLOSE":
    case "HPE_INVALID_CONSTANT":
    case "HPE_INVALID_VERSION":
    case "HPE_INVALID_STATUS":
      return "reset";
    case "ETIMEDOUT":
    case "ESOCKETTIMEDOUT":
      return "timeout";
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return "dns";
    default:
      return "other";
  }
}

/**
 * A 2xx answer carries the body its schema parsed; any other status the body as sent (parsed JSON, the raw
 * text when it is not JSON, null when empty) for `toCliError` or the caller to judge.
 */
export type HttpResponse<T> = { ok: true; status: number; body: T; headers: IncomingHttpHeaders } | FailedAnswer;

export interface FailedAnswer {
  ok: false;
  status: number;
  body: unknown;
  headers: IncomingHttpHeaders;
  /** The server and the request, for the error message. */
  server: string;
  method: Method;
  path: string;
}

/** Every call names the schema of its 2xx answer: nothing reaches a command unchecked. */
export type AnswerSchema<T> = z.ZodType<T>;

export interface RequestOptions {
  /** Overrides the client's bearer token; null sends none. */
  token?: string | null;
  timeoutMs?: number;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

export interface DownloadResult {
  status: number;
  headers: IncomingHttpHeaders;
  /** Bytes written to the file (0 unless status is 200). */
  bytes: number;
  /** SHA-256 (hex) of the bytes written. */
  sha256: string;
  /** The error answer when status is not 200 (the file is not written). */
  body?: unknown;
}

export interface HttpClientOptions {
  baseUrl: string;
  token?: string;
  timeoutMs: number;
}

export interface HttpClient {
  readonly baseUrl: string;
  request<T>(
    method: Method,
    path: string,
    schema: AnswerSchema<T>,
    body?: unknown,
    options?: RequestOptions,
  ): Promise<HttpResponse<T>>;
  get<T>(path: string, schema: AnswerSchema<T>, options?: RequestOptions): Promise<HttpResponse<T>>;
  post<T>(path: string, body: unknown, schema: AnswerSchema<T>, options?: RequestOptions): Promise<HttpResponse<T>>;
  /** Streams a GET answer into `file`, hashing as it goes (packages: never held in memory). */
  download(path: string, file: string, options?: RequestOptions): Promise<DownloadResult>;
  /** Destroys the keep-alive agents; the client is unusable afterwards. */
  close(): void;
}

export type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

// got is imported on first use so that commands which never call the server start fast.
let gotModule: Promise<Got> | undefined;
function loadGot(): Promise<Got> {
  gotModule ??= import("got").then((m) => {
    skipCacheOptionsSpread(m.Options.prototype as unknown as NativeOptionsBuilder);
    return m.default;
  });
  return gotModule;
}

interface NativeOptionsBuilder {
  createNativeRequestOptions(this: { _internals: { cacheOptions: object } }): unknown;
}

const NO_CACHE_OPTIONS = Object.freeze({});
const patched = Symbol.for("pos.http.nativeOptions");

/**
 * got builds node's request options as `{ ...cacheOptions, …30 fields }`, and V8 takes a slow path for that
 * literal: about 0.08 ms and a heap of garbage per request, half of got's own cost per lookup (bench/server).
 * The cache options belong to got's HTTP cache, which this client never enables, and node's http.request
 * ignores them; spreading an empty object instead gives node exactly the options it reads.
 */
function skipCacheOptionsSpread(proto: NativeOptionsBuilder & { [patched]?: true }): void {
  const build = proto.createNativeRequestOptions;
  if (proto[patched] || typeof build !== "function") return;
  proto.createNativeRequestOptions = function () {
    const internals = this._internals;
    // A got that no longer keeps its options this way is used as it is.
    if (typeof internals?.cacheOptions !== "object") return build.call(this);
    const cacheOptions = internals.cacheOptions;
    internals.cacheOptions = NO_CACHE_OPTIONS;
    try {
      return build.call(this);
    } finally {
      internals.cacheOptions = cacheOptions;
    }
  };
  proto[patched] = true;
}

export function createHttpClient(options: HttpClientOptions): HttpClient {
  const baseUrl = options.baseUrl.replace(/\/+$/, "");
  const agent = { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) };
  let instance: Got | undefined;
  const client = async (): Promise<Got> => {
    // decompress off: the server never compresses, and got's decompressing wrapper costs on every answer.
    instance ??= (await loadGot()).extend({
      agent,
      retry: { limit: 0 },
      throwHttpErrors: false,
      followRedirect: false,
      decompress: false,
    });
    return instance;
  };
  const headersFor = (request: RequestOptions | undefined, json: boolean): Record<string, string> => {
    const token = request?.token === undefined ? options.token : request.token;
    const headers: Record<string, string> = { accept: "application/json", ...request?.headers };
    if (token) headers.authorization = `Bearer ${token}`;
    if (json) headers["content-type"] = "application/json";
    return headers;
  };

  const request = async <T>(
    method: Method,
    path: string,
    schema: AnswerSchema<T>,
    body?: unknown,
    request?: RequestOptions,
  ): Promise<HttpResponse<T>> => {
    const got = await client();
    const url = baseUrl + path;
    const hasBody = body !== undefined;
    let response: { statusCode: number; body: string; headers: IncomingHttpHeaders };
    try {
      response = await exchange(
        got,
        url,
        {
          method,
          headers: headersFor(request, hasBody),
          ...(hasBody ? { body: JSON.stringify(body) } : {}),
          ...(request?.signal ? { signal: request.signal } : {}),
        },
        request?.timeoutMs ?? options.timeoutMs,
      );
    } catch (error) {
      throw toNetworkError(error, method, url);
    }
    const status = response.statusCode;
    const parsed = parseBody(response, method, url);
    if (status < 200 || status >= 300) {
      return { ok: false, status, body: parsed, headers: response.headers, server: baseUrl, method, path };
    }
    const checked = schema.safeParse(parsed);
    if (!checked.success) {
      const issue = checked.error.issues[0];
      throw new UnexpectedAnswerError(
        method,
        baseUrl,
        path,
        formatPath(issue?.path ?? []),
        issue?.message ?? "invalid",
      );
    }
    return { ok: true, status, body: checked.data, headers: response.headers };
  };

  const download = async (path: string, file: string, request?: RequestOptions): Promise<DownloadResult> => {
    const got = await client();
    const url = baseUrl + path;
    const timeoutMs = request?.timeoutMs ?? options.timeoutMs;
    // Inactivity timeouts, not a total one: a large package may take longer than one data request.
    const stream = got.stream(url, {
      method: "GET",
      headers: headersFor(request, false),
      timeout: { connect: timeoutMs, response: timeoutMs, socket: timeoutMs },
      ...(request?.signal ? { signal: request.signal } : {}),
    });
    try {
      const response = await new Promise<{ statusCode: number; headers: IncomingHttpHeaders }>((resolve, reject) => {
        stream.once("response", resolve);
        stream.once("error", reject);
      });
      if (response.statusCode !== 200) {
        let text = "";
        for await (const chunk of stream) text += String(chunk);
        return {
          status: response.statusCode,
          headers: response.headers,
          bytes: 0,
          sha256: "",
          body: parseLoose(text),
        };
      }
      const hash = createHash("sha256");
      let bytes = 0;
      const tap = new Transform({
        transform(chunk: Buffer, _encoding, done) {
          hash.update(chunk);
          bytes += chunk.length;
          done(null, chunk);
        },
      });
      await pipeline(stream, tap, createWriteStream(file));
      return { status: 200, headers: response.headers, bytes, sha256: hash.digest("hex") };
    } catch (error) {
      stream.destroy();
      throw toNetworkError(error, "GET", url);
    }
  };

  return {
    baseUrl,
    request,
    get: (path, schema, o) => request("GET", path, schema, undefined, o),
    post: (path, body, schema, o) => request("POST", path, schema, body ?? {}, o),
    download,
    close: () => {
      agent.http.destroy();
      agent.https.destroy();
    },
  };
}

/**
 * One request through got's stream interface, the answer collected as text. Cheaper per request than got's
 * promise interface (no body-reading or cancelation wrappers) and than its `timeout` option, which arms a
 * timer and socket listeners for every phase: here one timer bounds the whole exchange (ETIMEDOUT).
 */
function exchange(
  got: Got,
  url: string,
  init: { method: Method; headers: Record<string, string>; body?: string; signal?: AbortSignal },
  timeoutMs: number,
): Promise<{ statusCode: number; body: string; headers: IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const stream = got.stream(url, init);
    // got's request stream is writable for every method but GET: without a body it waits for end() forever.
    if (init.body === undefined && init.method !== "GET") stream.end();
    let answer: { statusCode: number; headers: IncomingHttpHeaders } | undefined;
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      stream.destroy(Object.assign(new Error(`no complete answer within ${timeoutMs} ms`), { code: "ETIMEDOUT" }));
    }, timeoutMs);
    stream.once("response", (response: { statusCode: number; headers: IncomingHttpHeaders }) => {
      answer = response;
    });
    stream.on("data", (chunk: Buffer) => {
      chunks.push(chunk);
    });
    stream.once("end", () => {
      clearTimeout(timer);
      if (!answer) return reject(Object.assign(new Error("no answer"), { code: "ECONNRESET" }));
      resolve({ statusCode: answer.statusCode, headers: answer.headers, body: Buffer.concat(chunks).toString("utf8") });
    });
    stream.once("error", (error: Error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

function parseBody(
  response: { statusCode: number; body: string; headers: IncomingHttpHeaders },
  method: string,
  url: string,
): unknown {
  const text = response.body;
  if (text === "") return null;
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    // A 2xx that is not JSON is a broken answer (failover); an error page from a proxy stays a status to judge.
    if (response.statusCode >= 200 && response.statusCode < 300) {
      throw new NetworkError("invalid-body", "EINVALIDBODY", method, url, { cause: error });
    }
    return text;
  }
}

function parseLoose(text: string): unknown {
  try {
    return text === "" ? null : (JSON.parse(text) as unknown);
  } catch {
    return text;
  }
}

function toNetworkError(error: unknown, method: string, url: string): unknown {
  if (error instanceof NetworkError) return error;
  const err = error as { code?: unknown; name?: unknown; cause?: { code?: unknown } };
  if (err?.name === "AbortError") return error;
  const code =
    typeof err?.code === "string" && err.code !== "ERR_GOT_REQUEST_ERROR"
      ? err.code
      : typeof err?.cause?.code === "string"
        ? err.cause.code
        : "EUNKNOWN";
  return new NetworkError(classifyNetworkCode(code), code, method, url, { cause: error });
}
