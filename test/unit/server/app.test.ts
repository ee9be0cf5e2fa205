import { mkdtempSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { errorBodySchema } from "../../../src/lib/api.js";
import { VirtualClock } from "../../../src/lib/clock.js";
import { buildApp } from "../../../src/server/app.js";
import { openServerData } from "../../../src/server/data.js";
import { buildSale } from "../../helpers/server.js";
import { ADMIN, auth, createHarness, type Harness } from "./harness.js";

let h: Harness;
let r1: string;

beforeAll(async () => {
  h = await createHarness();
  r1 = await h.device("SEA01-R1");
});
afterAll(async () => {
  await h.close();
});

const sale = (seq: number) =>
  buildSale({
    id: `SEA01-R1-${String(seq).padStart(6, "0")}`,
    store: "SEA01",
    register: "SEA01-R1",
    currency: "USD",
    decimals: 2,
    lines: [{ item: "1001", qty: 1, price: 9.99, taxGroup: "standard", taxRate: 10.35 }],
  });

describe("buildApp (inject)", () => {
  it.each([
    ["GET", "/v1/nowhere", undefined, 404, "NotFound"],
    ["GET", "/v1/products/1001?store=", undefined, 400, "ValidationFailed"],
    ["GET", "/v1/customers?limit=1000", undefined, 400, "ValidationFailed"],
    ["GET", "/v1/products/%E0%A4%A", undefined, 400, "BadRequest"],
    ["POST", "/v1/staff/signin", { staff: 160 }, 400, "ValidationFailed"],
    ["POST", "/v1/staff/signin", [], 400, "ValidationFailed"],
    ["POST", "/v1/transactions", { id: "x" }, 400, "ValidationFailed"],
    ["POST", "/v1/transactions/upload", { transactions: [] }, 400, "ValidationFailed"],
    ["POST", "/v1/registers/SEA01-R1/offline-status", { mode: "sideways" }, 400, "ValidationFailed"],
  ])("%s %s %j → %i %s", async (method, url, payload, status, code) => {
    const r = await h.app.inject({
      method: method as "GET" | "POST",
      url,
      headers: auth(r1),
      ...(payload === undefined ? {} : { payload }),
    });
    expect(r.statusCode).toBe(status);
    const body = r.json();
    expect(errorBodySchema.parse(body).error.code).toBe(code);
  });

  it("names the field path of a validation failure", async () => {
    const r = await h.app.inject({
      method: "POST",
      url: "/v1/staff/signin",
      headers: auth(r1),
      payload: { staff: 160 },
    });
    expect(r.json().error.message).toMatch(/^body\.staff: /);
  });

  it("answers the transaction id rules and the currency's decimals with 400 naming the field", async () => {
    const wrongId = { ...sale(1), id: "SEA01-R1-1" };
    const r = await h.app.inject({ method: "POST", url: "/v1/transactions", headers: auth(r1), payload: wrongId });
    expect(r.statusCode).toBe(400);
    expect(r.json().error.message).toMatch(/transaction\.id/);
    const tooPrecise = { ...sale(2), subtotal: 9.991 };
    const d = await h.app.inject({ method: "POST", url: "/v1/transactions", headers: auth(r1), payload: tooPrecise });
    expect(d.statusCode).toBe(400);
    expect(d.json().error.message).toMatch(/subtotal/);
  });

  it("stamps received_at from the injected clock", async () => {
    h.clock.advance(60_000);
    const r = await h.app.inject({ method: "POST", url: "/v1/transactions", headers: auth(r1), payload: sale(3) });
    expect(r.statusCode).toBe(201);
    expect(r.json().receivedAt).toBe("2026-01-01T09:01:00.000Z");
  });

  it("rejects each bad element of a batch on its own and stores the rest", async () => {
    const foreign = { ...sale(5), register: "SEA01-R2", id: "SEA01-R2-000005" };
    const r = await h.app.inject({
      method: "POST",
      url: "/v1/transactions/upload",
      headers: auth(r1),
      payload: { transactions: [sale(4), "nonsense", foreign, { ...sale(6), total: 0 }] },
    });
    expect(r.statusCode).toBe(200);
    const results = r.json().results as { id: string; status: string; message?: string }[];
    expect(results.map((x) => x.status)).toEqual(["stored", "rejected", "rejected", "rejected"]);
    expect(results[1]?.message).toMatch(/^ValidationFailed: transaction/);
    expect(results[2]?.message).toMatch(/^Forbidden/);
    expect(results[3]?.message).toMatch(/^TotalsMismatch/);
  });

  it("creates a customer online at HQ with the next account number, not in the channel database", async () => {
    const r = await h.app.inject({
      method: "POST",
      url: "/v1/customers",
      headers: auth(r1),
      payload: { name: "Walk In" },
    });
    expect(r.statusCode).toBe(201);
    expect(r.json().customer).toMatchObject({ id: "004031", name: "Walk In" });
    const search = await h.app.inject({ method: "GET", url: "/v1/customers?query=Walk", headers: auth(r1) });
    expect(search.json().customers).toEqual([]);
  });

  it("keeps registers' offline status for HQ's view", async () => {
    const status = { mode: "offline", manual: true, pendingCount: 3, dbSizeBytes: 4096 };
    const r = await h.app.inject({
      method: "POST",
      url: "/v1/registers/SEA01-R1/offline-status",
      headers: auth(r1),
      payload: status,
    });
    expect(r.statusCode).toBe(200);
    const list = await h.app.inject({ method: "GET", url: "/v1/admin/registers/offline-status", headers: auth(ADMIN) });
    expect(list.json().registers).toEqual([
      expect.objectContaining({ register: "SEA01-R1", store: "SEA01", status: expect.objectContaining(status) }),
    ]);
  });

  it("refuses admin edits with bad input: unknown tax group, bad barcode, unknown profile", async () => {
    const cases = [
      { url: "/v1/admin/products", payload: { id: "X1", name: "x", taxGroup: "luxury" }, status: 400 },
      {
        url: "/v1/admin/products",
        payload: { id: "X1", name: "x", taxGroup: "standard", barcodes: ["4006381333932"] },
        status: 400,
      },
      { url: "/v1/admin/products", payload: { id: "1001", name: "x", taxGroup: "standard" }, status: 409 },
      {
        url: "/v1/admin/products",
        payload: { id: "X2", name: "x", taxGroup: "standard", barcodes: ["4006381333931"] },
        status: 409,
      },
    ];
    for (const c of cases) {
      const r = await h.app.inject({ method: "POST", url: c.url, headers: auth(ADMIN), payload: c.payload });
      expect(r.statusCode, JSON.stringify(c.payload)).toBe(c.status);
    }
    const p = await h.app.inject({
      method: "PATCH",
      url: "/v1/admin/offline-profiles/NOPE",
      headers: auth(ADMIN),
      payload: {},
    });
    expect(p.statusCode).toBe(404);
  });

  it("never answers 500 for a client's mistake", async () => {
    const junk = ["{", "[]", "null", '"x"', "1", '{"transactions":null}', '{"__proto__":{"a":1}}'];
    for (const payload of junk) {
      for (const url of ["/v1/transactions", "/v1/transactions/upload", "/v1/staff/signin", "/v1/customers"]) {
        const r = await h.app.inject({
          method: "POST",
          url,
          headers: { ...auth(r1), "content-type": "application/json" },
          payload,
        });
        expect(r.statusCode, `${url} ${payload}`).toBeGreaterThanOrEqual(400);
        expect(r.statusCode, `${url} ${payload}`).toBeLessThan(500);
        expect(errorBodySchema.safeParse(r.json()).success).toBe(true);
      }
    }
  });
});

describe("shutdown", () => {
  it("lets an in-flight request finish and answers later ones with 503 in the error shape", async () => {
    const dir = mkdtempSync(join(tmpdir(), "pos-server-close-"));
    const { data } = await openServerData({ dataDir: dir, clock: new VirtualClock(), fixtures: () => ({}) });
    const app = buildApp({ data, clock: new VirtualClock(), adminToken: ADMIN, version: "test" });
    let entered: () => void = () => {};
    const inHandler = new Promise<void>((resolve) => {
      entered = resolve;
    });
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    app.get("/slow", async () => {
      entered();
      await gate;
      return { done: true };
    });
    await app.listen({ host: "127.0.0.1", port: 0 });
    const socket = connect((app.server.address() as AddressInfo).port, "127.0.0.1");
    let received = "";
    socket.setEncoding("utf8").on("data", (d: string) => {
      received += d;
    });
    const ended = new Promise((resolve) => socket.on("close", resolve));
    socket.write("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n");
    await inHandler;
    const closed = app.close();
    // A second request pipelined on the same (busy) connection reaches the server while it drains.
    socket.write("GET /v1/health HTTP/1.1\r\nHost: x\r\n\r\n");
    await new Promise((resolve) => setTimeout(resolve, 50));
    release();
    await closed;
    await ended;
    rmSync(dir, { recursive: true, force: true });
    expect(received).toMatch(/^HTTP\/1\.1 200/);
    expect(received).toContain('{"done":true}');
    expect(received).toContain("HTTP/1.1 503");
    expect(received).toContain('{"error":{"code":"ServiceUnavailable","message":"the server is shutting down"}}');
    expect(data.hq.open).toBe(false);
  });
});
