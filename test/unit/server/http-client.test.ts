import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { OperationError, UnreachableError, UsageError } from "../../../src/lib/errors.js";
import {
  classifyNetworkCode,
  createHttpClient,
  type FailedAnswer,
  NetworkError,
  UnexpectedAnswerError,
} from "../../../src/lib/http.js";
import { answerOf, callServer, toCliError } from "../../../src/lib/server-errors.js";

const echoSchema = z.object({ method: z.string(), auth: z.string().nullable(), body: z.unknown() });
const anything = z.unknown();

let server: Server;
let base: string;
let connections = 0;
const dir = mkdtempSync(join(tmpdir(), "pos-http-"));
const PACKAGE = Buffer.from("x".repeat(100_000));

beforeAll(async () => {
  server = createServer((req, res) => {
    const send = (status: number, body: string, type = "application/json") => {
      res.writeHead(status, { "content-type": type });
      res.end(body);
    };
    let body = "";
    req.on("data", (d) => {
      body += d;
    });
    req.on("end", () => {
      switch (req.url) {
        case "/echo":
          return send(
            200,
            JSON.stringify({
              method: req.method,
              auth: req.headers.authorization ?? null,
              body: body ? JSON.parse(body) : null,
            }),
          );
        case "/missing":
          return send(404, JSON.stringify({ error: { code: "NotFound", message: "no" } }));
        case "/bad-gateway":
          return send(502, "<html>bad gateway</html>", "text/html");
        case "/garbage":
          return send(200, "{not json", "application/json");
        case "/empty":
          res.writeHead(204);
          return res.end();
        case "/reset":
          return req.socket.destroy();
        case "/hang":
          return;
        case "/package":
          res.writeHead(200, { "content-type": "application/gzip", "x-sha256": "abc" });
          return res.end(PACKAGE);
        default:
          return send(404, JSON.stringify({ error: { code: "NotFound", message: req.url ?? "" } }));
      }
    });
  });
  server.on("connection", () => {
    connections++;
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

const failure = async (promise: Promise<unknown>) => {
  try {
    await promise;
  } catch (error) {
    return error as NetworkError;
  }
  throw new Error("expected a failure");
};

describe("createHttpClient", () => {
  it("sends and parses JSON with the bearer token, over one kept-alive connection", async () => {
    const http = createHttpClient({ baseUrl: `${base}/`, token: "t1", timeoutMs: 2000 });
    try {
      const before = connections;
      const a = await http.post("/echo", { x: 1 }, echoSchema);
      const b = await http.get("/echo", echoSchema, { token: null });
      expect(a).toMatchObject({ status: 200, body: { method: "POST", auth: "Bearer t1", body: { x: 1 } } });
      expect(b.body).toMatchObject({ method: "GET", auth: null });
      // A DELETE carries no body and still goes out at once (no wait for one).
      const c = await http.request("DELETE", "/echo", echoSchema);
      expect(c).toMatchObject({ ok: true, body: { method: "DELETE", body: null } });
      expect(connections - before).toBe(1);
    } finally {
      http.close();
    }
  });

  it("returns error statuses instead of throwing; a non-JSON error page stays text", async () => {
    const http = createHttpClient({ baseUrl: base, timeoutMs: 2000 });
    try {
      expect(await http.get("/missing", anything)).toMatchObject({
        ok: false,
        status: 404,
        body: { error: { code: "NotFound" } },
      });
      expect(await http.get("/bad-gateway", anything)).toMatchObject({
        ok: false,
        status: 502,
        body: "<html>bad gateway</html>",
      });
      expect(await http.get("/empty", z.null())).toMatchObject({ ok: true, status: 204, body: null });
    } finally {
      http.close();
    }
  });

  it.each([
    ["a 200 with a broken body", "/garbage", "invalid-body", "EINVALIDBODY"],
    ["a reset connection", "/reset", "reset", undefined],
    ["no answer before the timeout", "/hang", "timeout", "ETIMEDOUT"],
  ])("classifies %s", async (_name, path, kind, code) => {
    const http = createHttpClient({ baseUrl: base, timeoutMs: 300 });
    try {
      const error = await failure(http.get(path, anything));
      expect(error).toBeInstanceOf(NetworkError);
      expect(error.kind).toBe(kind);
      if (code) expect(error.code).toBe(code);
    } finally {
      http.close();
    }
  });

  it("classifies a refused connection at once", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    // A timeout far beyond the test's own: an answer at all (not "timeout") shows the refusal was taken at once.
    const http = createHttpClient({ baseUrl: `http://127.0.0.1:${port}`, timeoutMs: 3_600_000 });
    try {
      const error = await failure(http.get("/", anything));
      expect(error).toMatchObject({ kind: "refused", code: "ECONNREFUSED" });
    } finally {
      http.close();
    }
  });

  it.each([
    ["ECONNREFUSED", "refused"],
    ["ECONNRESET", "reset"],
    ["EPIPE", "reset"],
    ["ETIMEDOUT", "timeout"],
    ["ENOTFOUND", "dns"],
    ["EAI_AGAIN", "dns"],
    ["EWHATEVER", "other"],
  ])("maps %s to %s", (code, kind) => {
    expect(classifyNetworkCode(code)).toBe(kind);
  });

  it("streams a download to a file with its SHA-256; an error answer writes no file", async () => {
    const http = createHttpClient({ baseUrl: base, timeoutMs: 2000 });
    try {
      const file = join(dir, "p.gz");
      const result = await http.download("/package", file);
      expect(result).toMatchObject({ status: 200, bytes: PACKAGE.length });
      expect(result.headers["x-sha256"]).toBe("abc");
      expect(result.sha256).toBe(createHash("sha256").update(PACKAGE).digest("hex"));
      expect(readFileSync(file).equals(PACKAGE)).toBe(true);
      const missing = await http.download("/missing", join(dir, "none.gz"));
      expect(missing).toMatchObject({ status: 404, bytes: 0, body: { error: { code: "NotFound" } } });
      expect(existsSync(join(dir, "none.gz"))).toBe(false);
    } finally {
      http.close();
    }
  });
});

describe("checked answers", () => {
  it("parses a 2xx answer with its schema; an answer that breaks it names the server, request and field", async () => {
    const http = createHttpClient({ baseUrl: base, timeoutMs: 2000 });
    try {
      const wrong = z.object({ method: z.string(), auth: z.number() });
      const error = await failure(http.get("/echo", wrong));
      expect(error).toBeInstanceOf(UnexpectedAnswerError);
      expect(error.kind).toBe("invalid-body");
      expect(error.message).toBe(
        `the server at ${base} answered GET /echo with an unexpected body: field auth: Invalid input: expected number, received null`,
      );
      // A command reports it as one failed operation, not as an unreachable server.
      const cli = await callServer(() => http.get("/echo", wrong)).catch((e: unknown) => e);
      expect(cli).toBeInstanceOf(OperationError);
      expect(cli).toMatchObject({ code: "UnexpectedAnswer", exitCode: 1 });
      expect((cli as Error).message).toContain("field auth");
    } finally {
      http.close();
    }
  });

  it("answerOf: the body of a 2xx, the server's own error otherwise, unreachable as exit 3", async () => {
    const http = createHttpClient({ baseUrl: base, timeoutMs: 2000 });
    try {
      expect(await answerOf(() => http.post("/echo", { y: 2 }, echoSchema))).toEqual({
        method: "POST",
        auth: null,
        body: { y: 2 },
      });
      const missing = await answerOf(() => http.get("/missing", anything), "show thing").catch((e: unknown) => e);
      expect(missing).toBeInstanceOf(UsageError);
      expect(missing).toMatchObject({ code: "NotFound", message: `show thing: no (${base})` });
      const gateway = await answerOf(() => http.get("/bad-gateway", anything)).catch((e: unknown) => e);
      expect(gateway).toBeInstanceOf(OperationError);
      expect(gateway).toMatchObject({
        code: "HTTP502",
        message: `the server at ${base} answered 502 to GET /bad-gateway`,
      });
    } finally {
      http.close();
    }
    const closed = createHttpClient({ baseUrl: "http://127.0.0.1:9", timeoutMs: 2000 });
    try {
      const down = await answerOf(() => closed.get("/", anything)).catch((e: unknown) => e);
      expect(down).toBeInstanceOf(UnreachableError);
      expect(down).toMatchObject({ exitCode: 3, code: "ServerUnreachable" });
    } finally {
      closed.close();
    }
  });

  it.each([
    [400, UsageError],
    [404, UsageError],
    [413, UsageError],
    [415, UsageError],
    [422, UsageError],
    [401, OperationError],
    [403, OperationError],
    [409, OperationError],
    [500, OperationError],
    [503, OperationError],
  ])("toCliError maps %i to %o", (status, kind) => {
    const answer: FailedAnswer = {
      ok: false,
      status,
      body: { error: { code: "SomeCode", message: "said the server" } },
      headers: {},
      server: "http://127.0.0.1:1",
      method: "POST",
      path: "/v1/x",
    };
    const error = toCliError(answer, "doing x");
    expect(error).toBeInstanceOf(kind);
    expect(error).toMatchObject({ code: "SomeCode", message: "doing x: said the server (http://127.0.0.1:1)" });
  });
});
