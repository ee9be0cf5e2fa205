import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { classifyNetworkCode, createHttpClient, NetworkError } from "../../../src/lib/http.js";

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
      const a = await http.post("/echo", { x: 1 });
      const b = await http.get("/echo", { token: null });
      expect(a).toMatchObject({ status: 200, body: { method: "POST", auth: "Bearer t1", body: { x: 1 } } });
      expect(b.body).toMatchObject({ method: "GET", auth: null });
      expect(connections - before).toBe(1);
    } finally {
      http.close();
    }
  });

  it("returns error statuses instead of throwing; a non-JSON error page stays text", async () => {
    const http = createHttpClient({ baseUrl: base, timeoutMs: 2000 });
    try {
      expect(await http.get("/missing")).toMatchObject({ status: 404, body: { error: { code: "NotFound" } } });
      expect(await http.get("/bad-gateway")).toMatchObject({ status: 502, body: "<html>bad gateway</html>" });
      expect(await http.get("/empty")).toMatchObject({ status: 204, body: null });
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
      const error = await failure(http.get(path));
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
    const http = createHttpClient({ baseUrl: `http://127.0.0.1:${port}`, timeoutMs: 5000 });
    try {
      const started = Date.now();
      const error = await failure(http.get("/"));
      expect(error).toMatchObject({ kind: "refused", code: "ECONNREFUSED" });
      expect(Date.now() - started).toBeLessThan(1000);
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
