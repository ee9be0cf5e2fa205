// End-to-end: the built `pos server start` on a free port, driven over HTTP as a register and an admin would.
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { errorBodySchema } from "../../src/lib/api.js";
import { tempHome } from "../helpers/cli.js";
import { buildSale, call, startServer, type TestServer } from "../helpers/server.js";

const home = tempHome("pos-server-e2e-");
let server: TestServer;
let r1: string; // device token of SEA01-R1
let t1: string; // device token of TYO01-R1
const errors: { where: string; body: unknown }[] = [];

/** Calls and remembers every error answer, so one test can check they all have the error shape. */
async function api(method: string, path: string, options: Parameters<typeof call>[3] = {}) {
  const answer = await call(server.url, method, path, options);
  if (answer.status >= 400) errors.push({ where: `${method} ${path} → ${answer.status}`, body: answer.body });
  return answer;
}

async function activate(register: string): Promise<string> {
  const answer = await api("POST", "/v1/devices/activate", { token: server.adminToken, body: { register } });
  expect(answer.status).toBe(201);
  return answer.body.token as string;
}

const sea = (seq: number, price = 9.99, qty = 2) =>
  buildSale({
    id: `SEA01-R1-${String(seq).padStart(6, "0")}`,
    store: "SEA01",
    register: "SEA01-R1",
    currency: "USD",
    decimals: 2,
    lines: [{ item: "1001", qty, price, taxGroup: "standard", taxRate: 10.35 }],
  });

beforeAll(async () => {
  server = await startServer(home.home);
  r1 = await activate("SEA01-R1");
  t1 = await activate("TYO01-R1");
});

afterAll(async () => {
  await server?.stop();
  home.remove();
});

describe("pos server start", () => {
  it("answers health and keeps the admin token in a 0600 file", async () => {
    const health = await api("GET", "/v1/health");
    expect(health).toMatchObject({ status: 200, body: { status: "ok" } });
    expect(statSync(server.adminTokenFile).mode & 0o777).toBe(0o600);
    expect(existsSync(join(home.home, "server", "server.json"))).toBe(true);
  });

  it("activates a device; re-activation revokes the old token", async () => {
    const first = await activate("SEA01-R2");
    const second = await api("POST", "/v1/devices/activate", {
      token: server.adminToken,
      body: { register: "SEA01-R2" },
    });
    expect(second.body.reactivated).toBe(true);
    expect((await api("GET", "/v1/registers/SEA01-R2/config", { token: first })).status).toBe(401);
    expect((await api("GET", "/v1/registers/SEA01-R2/config", { token: second.body.token })).status).toBe(200);
    expect(
      (await api("POST", "/v1/devices/activate", { token: server.adminToken, body: { register: "NOPE-R9" } })).status,
    ).toBe(404);
  });

  it("gives a register its configuration", async () => {
    const answer = await api("GET", "/v1/registers/SEA01-R1/config", { token: r1 });
    expect(answer.status).toBe(200);
    expect(answer.body.store).toMatchObject({ id: "SEA01", currency: "USD", decimals: 2 });
    expect(answer.body.offlineProfile).toMatchObject({ id: "DEFAULT", timeoutInterval: 5 });
    expect(answer.body.tenders.length).toBeGreaterThan(0);
  });

  it.each([
    ["SEA01 by id", () => r1, "1001", { id: "1001", price: 9.99, currency: "USD", taxRate: 10.35 }],
    ["SEA01 by barcode", () => r1, "4006381333931", { id: "1002", currency: "USD" }],
    ["TYO01 by id", () => t1, "1001", { id: "1001", price: 1480, currency: "JPY", decimals: 0, taxRate: 10 }],
    ["TYO01 by barcode", () => t1, "4900000010015", { id: "1001", price: 1480, currency: "JPY" }],
  ])("looks up a product: %s", async (_name, token, code, expected) => {
    const answer = await api("GET", `/v1/products/${code}`, { token: token() });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject(expected);
    if (answer.body.currency === "JPY") expect(Number.isInteger(answer.body.price)).toBe(true);
  });

  it("refuses another store's prices and unknown products", async () => {
    expect((await api("GET", "/v1/products/1001?store=TYO01", { token: r1 })).status).toBe(403);
    expect((await api("GET", "/v1/products/NOSUCH", { token: r1 })).status).toBe(404);
  });

  it("signs staff in, blocks after five wrong passwords, and a manager unblocks", async () => {
    const ok = await api("POST", "/v1/staff/signin", { token: r1, body: { staff: "000160", password: "1234" } });
    expect(ok.status).toBe(200);
    expect(ok.body.staff).toMatchObject({ id: "000160", role: "cashier" });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      statuses.push(
        (await api("POST", "/v1/staff/signin", { token: r1, body: { staff: "000161", password: "x" } })).status,
      );
    }
    expect(statuses).toEqual([401, 401, 401, 401, 403]);
    const blocked = await api("POST", "/v1/staff/signin", { token: r1, body: { staff: "000161", password: "1234" } });
    expect(blocked.status).toBe(403);
    expect(blocked.body.error.code).toBe("UserBlockedDueToTooManyFailedLogonAttempts");
    const unblock = await api("POST", "/v1/admin/staff/000161/unblock", { token: server.adminToken, body: {} });
    expect(unblock.body).toMatchObject({ wasBlocked: true });
    expect(
      (await api("POST", "/v1/staff/signin", { token: r1, body: { staff: "000161", password: "1234" } })).status,
    ).toBe(200);
    const wrong = await api("POST", "/v1/staff/signin", { token: r1, body: { staff: "000160", password: "nope" } });
    expect(wrong.body.error.code).toBe("InvalidCredentials");
  });

  it("stores a transaction exactly once: 201, then 200 duplicate, then 409 for other content", async () => {
    const tx = sea(1);
    const first = await api("POST", "/v1/transactions", { token: r1, body: tx });
    expect(first).toMatchObject({ status: 201, body: { id: tx.id, status: "stored" } });
    const again = await api("POST", "/v1/transactions", { token: r1, body: { ...tx, mode: "offline" } });
    expect(again).toMatchObject({ status: 200, body: { id: tx.id, status: "duplicate" } });
    const changed = await api("POST", "/v1/transactions", { token: r1, body: { ...sea(1, 9.99, 3), id: tx.id } });
    expect(changed.status).toBe(409);
    expect(changed.body.error.code).toBe("TransactionConflict");
    const conflicts = await api("GET", "/v1/admin/conflicts", { token: server.adminToken });
    expect(conflicts.body.conflicts).toEqual([
      expect.objectContaining({ transactionId: tx.id, store: "SEA01", register: "SEA01-R1" }),
    ]);
    const stored = await api("GET", "/v1/admin/transactions?store=SEA01", { token: server.adminToken });
    expect(stored.body.count).toBe(1);
    expect(stored.body.transactions[0]).toMatchObject({ id: tx.id, total: tx.total, replicationCounter: 1 });
  });

  it("refuses a transaction whose totals do not add up (422, naming the line and field)", async () => {
    const tx = sea(2);
    const bad = { ...tx, lines: [{ ...tx.lines[0], tax: 0.01 }] };
    const answer = await api("POST", "/v1/transactions", { token: r1, body: bad });
    expect(answer.status).toBe(422);
    expect(answer.body.error.code).toBe("TotalsMismatch");
    expect(answer.body.error.message).toMatch(/line 1: tax/);
  });

  it("keeps a device token to its own register (403)", async () => {
    expect((await api("GET", "/v1/registers/TYO01-R1/config", { token: r1 })).status).toBe(403);
    const other = { ...sea(3), id: "SEA01-R2-000001", register: "SEA01-R2" };
    expect((await api("POST", "/v1/transactions", { token: r1, body: other })).status).toBe(403);
    const status = { mode: "online", pendingCount: 0, dbSizeBytes: 1 };
    expect((await api("POST", "/v1/registers/TYO01-R1/offline-status", { token: r1, body: status })).status).toBe(403);
    expect((await api("POST", "/v1/registers/SEA01-R1/offline-status", { token: r1, body: status })).status).toBe(200);
  });

  it.each([
    ["no token", undefined],
    ["a device token", () => r1],
  ])("refuses admin calls with %s (401)", async (_name, token) => {
    const answer = await api("GET", "/v1/admin/conflicts", token ? { token: token() } : {});
    expect(answer.status).toBe(401);
    expect(answer.body.error.code).toBe("Unauthorized");
  });

  it("refuses a 2 MB body (413), malformed JSON (400) and wrong types (400 naming the field)", async () => {
    const big = await api("POST", "/v1/transactions", { token: r1, raw: `{"pad":"${"x".repeat(2 * 1024 * 1024)}"}` });
    expect(big.status).toBe(413);
    expect(big.body.error.code).toBe("PayloadTooLarge");
    const malformed = await api("POST", "/v1/transactions", { token: r1, raw: '{"id": "SEA01-R1-' });
    expect(malformed.status).toBe(400);
    const typed = await api("POST", "/v1/transactions", {
      token: r1,
      body: { ...sea(4), lines: [{ ...sea(4).lines[0], qty: "2" }] },
    });
    expect(typed.status).toBe(400);
    expect(typed.body.error.message).toMatch(/lines\[0\]\.qty/);
    expect((await api("POST", "/v1/staff/signin", { token: r1, raw: "hello", contentType: "text/plain" })).status).toBe(
      415,
    );
    expect((await api("GET", "/v1/nowhere")).status).toBe(404);
  });

  it("searches customers with parameters: an SQL injection string finds nothing and drops nothing", async () => {
    const injection = encodeURIComponent("'; DROP TABLE customers; --");
    const answer = await api("GET", `/v1/customers?query=${injection}`, { token: r1 });
    expect(answer).toMatchObject({ status: 200, body: { customers: [] } });
    const after = await api("GET", "/v1/customers?query=Berg", { token: r1 });
    expect(after.body.customers.map((c: { id: string }) => c.id)).toContain("004001");
  });

  it("uploads a batch with per-transaction results", async () => {
    const ok = sea(10);
    const conflict = { ...sea(1, 9.99, 5), id: sea(1).id };
    const bad = { ...sea(11), total: 1 };
    const answer = await api("POST", "/v1/transactions/upload", {
      token: r1,
      body: { transactions: [ok, sea(1), conflict, bad, ok] },
    });
    expect(answer.status).toBe(200);
    expect(answer.body.results.map((r: { status: string }) => r.status)).toEqual([
      "stored",
      "duplicate",
      "conflict",
      "rejected",
      "duplicate",
    ]);
    expect(answer.body.counts).toEqual({ stored: 1, duplicate: 2, conflict: 1, rejected: 1 });
  });

  it("answers every error with {error:{code,message}}", () => {
    expect(errors.length).toBeGreaterThan(10);
    for (const e of errors) expect(errorBodySchema.safeParse(e.body).success, e.where).toBe(true);
  });
});
