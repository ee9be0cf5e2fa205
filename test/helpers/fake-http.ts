// An in-memory HttpClient for unit tests: answers by "METHOD path", checks 2xx answers with the caller's schema
// as the real client does, and records every request, so sync code is tested without a server.
import { createHash } from "node:crypto";
import { copyFileSync, readFileSync } from "node:fs";
import type { IncomingHttpHeaders } from "node:http";
import { formatPath } from "../../src/lib/errors.js";
import {
  type AnswerSchema,
  type DownloadResult,
  type HttpClient,
  type HttpResponse,
  type Method,
  NetworkError,
  UnexpectedAnswerError,
} from "../../src/lib/http.js";

export interface FakeAnswer {
  status: number;
  body?: unknown;
}

/** Answers a request; throw a NetworkError to play a network failure. */
export type FakeRoute = (body: unknown) => FakeAnswer | Promise<FakeAnswer>;

export interface FakeHttp extends HttpClient {
  readonly requests: Array<{ method: Method; path: string; body: unknown }>;
  /** GET paths served by `download`: a file to copy, or an error answer. */
  readonly files: Map<string, string | FakeAnswer>;
  route(key: string, answer: FakeRoute): void;
}

export const BASE_URL = "http://127.0.0.1:1";
const headers: IncomingHttpHeaders = {};

/** Plays a refused connection, as the real client reports it. */
export function refused(method: Method, path: string): NetworkError {
  return new NetworkError("refused", "ECONNREFUSED", method, BASE_URL + path);
}

export function fakeHttp(routes: Record<string, FakeRoute> = {}): FakeHttp {
  const table = new Map(Object.entries(routes));
  const requests: FakeHttp["requests"] = [];
  const files = new Map<string, string | FakeAnswer>();
  const request = async <T>(
    method: Method,
    path: string,
    schema: AnswerSchema<T>,
    body?: unknown,
  ): Promise<HttpResponse<T>> => {
    requests.push({ method, path, body });
    const route = table.get(`${method} ${path}`);
    const answer = route ? await route(body) : { status: 404, body: { error: { code: "NotFound", message: path } } };
    if (answer.status < 200 || answer.status >= 300) {
      return { ok: false, status: answer.status, body: answer.body ?? null, headers, server: BASE_URL, method, path };
    }
    const checked = schema.safeParse(answer.body ?? null);
    if (!checked.success) {
      const issue = checked.error.issues[0];
      throw new UnexpectedAnswerError(method, BASE_URL, path, formatPath(issue?.path ?? []), issue?.message ?? "");
    }
    return { ok: true, status: answer.status, body: checked.data, headers };
  };
  return {
    baseUrl: BASE_URL,
    requests,
    files,
    route: (key, answer) => {
      table.set(key, answer);
    },
    request,
    get: (path, schema) => request("GET", path, schema),
    post: (path, body, schema) => request("POST", path, schema, body ?? {}),
    async download(path, file): Promise<DownloadResult> {
      requests.push({ method: "GET", path, body: undefined });
      const served = files.get(path);
      if (typeof served === "string") {
        copyFileSync(served, file);
        const bytes = readFileSync(file);
        return { status: 200, headers, bytes: bytes.length, sha256: createHash("sha256").update(bytes).digest("hex") };
      }
      const error = served ?? { status: 404, body: { error: { code: "NotFound", message: path } } };
      return { status: error.status, headers, bytes: 0, sha256: "", body: error.body };
    },
    close: () => {},
  };
}
