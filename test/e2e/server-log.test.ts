// End-to-end: the server's request log (--log-file) shows what a register really sent, and never a token.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runPos, tempHome } from "../helpers/cli.js";
import { provisionTestRegister } from "../helpers/register-home.js";
import { startServer, type TestServer } from "../helpers/server.js";

interface LogLine {
  level: string;
  time: string;
  reqId: string;
  register: string | null;
  method: string;
  route: string | null;
  url: string;
  status: number;
  ms: number;
  msg: string;
}

const home = tempHome("pos-server-log-e2e-");
const logFile = join(home.home, "server.log");
let server: TestServer;
let lines: LogLine[] = [];
let text = "";
let deviceToken = "";

beforeAll(async () => {
  server = await startServer(home.home, ["--log-level", "info", "--log-file", logFile]);
  try {
    await provisionTestRegister(home.home, server.url, "SEA01-R1");
    deviceToken = (
      JSON.parse(readFileSync(join(home.home, "registers", "SEA01-R1", "register.json"), "utf8")) as {
        deviceToken: string;
      }
    ).deviceToken;
    const sale = await runPos(["sale", "--register", "SEA01-R1", "--staff", "000160", "--password", "1234"], {
      home: home.home,
      input: "1001\n1002\npay cash 50\n",
    });
    expect(sale.code).toBe(0);
  } finally {
    // The log is complete once the server has stopped.
    await server.stop();
  }
  text = readFileSync(logFile, "utf8");
  // Every line is JSON; besides requests, fastify says where it listens.
  lines = text
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as LogLine)
    .filter((l) => l.msg === "request answered");
});

afterAll(async () => {
  await server?.stop();
  home.remove();
});

describe("pos server start --log-file", () => {
  it("writes one JSON line per request with request id, route, status and time", () => {
    expect(lines.length).toBeGreaterThan(3);
    for (const line of lines) {
      expect(line.reqId).toEqual(expect.any(String));
      expect(line.method).toMatch(/^(GET|POST|PUT|PATCH|DELETE)$/);
      expect(line.status).toBeGreaterThanOrEqual(200);
      expect(Number.isNaN(Date.parse(line.time))).toBe(false);
      expect(line.ms).toBeGreaterThanOrEqual(0);
    }
    expect(new Set(lines.map((l) => l.reqId)).size).toBe(lines.length);
  });

  it("shows each request of the sale with the register id and route", () => {
    const sale = lines.filter((l) => l.register === "SEA01-R1");
    const routes = sale.map((l) => `${l.method} ${l.route} ${l.status}`);
    expect(routes).toContain("POST /v1/staff/signin 200");
    expect(routes).toContain("GET /v1/products/:idOrBarcode 200");
    expect(routes).toContain("POST /v1/transactions 201");
    const lookups = sale.filter((l) => l.route === "/v1/products/:idOrBarcode").map((l) => l.url);
    expect(lookups).toEqual(expect.arrayContaining(["/v1/products/1001", "/v1/products/1002"]));
  });

  it("never logs a token", () => {
    expect(deviceToken.length).toBeGreaterThan(10);
    expect(text).not.toContain(deviceToken);
    expect(text).not.toContain(server.adminToken);
    expect(text.toLowerCase()).not.toContain("bearer");
    expect(text.toLowerCase()).not.toContain("authorization");
  });
});

describe("pos server start --log-level", () => {
  it("refuses an unknown level with exit 2 naming it", async () => {
    const other = tempHome("pos-server-log-bad-");
    try {
      const r = await runPos(["server", "start", "--port", "0", "--log-level", "loud"], { home: other.home });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/--log-level: expected debug, info, warn, error, got "loud"/);
    } finally {
      other.remove();
    }
  });
});
