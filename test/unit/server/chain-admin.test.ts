import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildSale } from "../../helpers/server.js";
import { ADMIN, auth, createHarness, type Harness } from "./harness.js";

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  await h.close();
});

const admin = (method: "GET" | "POST", url: string, payload?: Record<string, unknown>) =>
  payload === undefined
    ? h.app.inject({ method, url, headers: auth(ADMIN) })
    : h.app.inject({ method, url, headers: auth(ADMIN), payload });

describe("store and register add", () => {
  it("adds a store like SEA01: its channel database exists at once with the copied prices, tax and tenders", async () => {
    const r = await admin("POST", "/v1/admin/stores", { id: "SEA02", name: "Seattle 2", like: "SEA01" });
    expect(r.statusCode, r.body).toBe(201);
    expect(r.json()).toMatchObject({
      store: { id: "SEA02", currency: "USD", decimals: 2, dataGroup: "SEA-GROUP" },
      copied: { from: "SEA01", taxGroups: 3, tenders: 4, prices: 320 },
      database: "SEA02",
      sessions: 5,
    });
    expect(existsSync(join(h.dir, "channel-SEA02.db"))).toBe(true);
    const channel = h.opened.data.channels.get("SEA02");
    expect(
      channel?.prepare("SELECT amount FROM prices WHERE store_id = 'SEA02' AND product_id = '1001'").get(),
    ).toEqual({
      amount: 999,
    });
    expect(channel?.prepare("SELECT COUNT(*) AS n FROM tenders").get()).toEqual({ n: 4 });
  });

  it("adds a register that can be activated, configured and can sell at once", async () => {
    const r = await admin("POST", "/v1/admin/registers", { id: "SEA02-R1", store: "SEA02" });
    expect(r.statusCode, r.body).toBe(201);
    expect(r.json()).toMatchObject({
      register: { id: "SEA02-R1", store: "SEA02", supportsOffline: true, offlineProfileId: "DEFAULT" },
      offlineDatabase: "SEA02-R1-OFFLINE",
    });
    const token = await h.device("SEA02-R1");
    const config = await h.app.inject({ method: "GET", url: "/v1/registers/SEA02-R1/config", headers: auth(token) });
    expect(config.statusCode, config.body).toBe(200);
    expect(config.json().store.id).toBe("SEA02");
    // A cashier of the new store, brought to its channel database by job 1060.
    const staff = { id: "000900", name: "New cashier", role: "cashier", password: "1234", stores: ["SEA02"] };
    expect((await admin("POST", "/v1/admin/staff", staff)).statusCode).toBe(201);
    expect((await admin("POST", "/v1/admin/cdx/run", { job: "1060", database: "SEA02" })).statusCode).toBe(200);
    const sale = buildSale({
      id: "SEA02-R1-000001",
      store: "SEA02",
      register: "SEA02-R1",
      staff: "000900",
      currency: "USD",
      decimals: 2,
      lines: [{ item: "1001", price: 9.99, taxGroup: "standard", taxRate: 10.35 }],
    });
    const stored = await h.app.inject({ method: "POST", url: "/v1/transactions", headers: auth(token), payload: sale });
    expect(stored.statusCode, stored.body).toBe(201);
  });

  it.each([
    ["a store that exists", "/v1/admin/stores", { id: "SEA01", name: "x", like: "SEA01" }, 409, "AlreadyExists"],
    ["an unknown template", "/v1/admin/stores", { id: "X1", name: "x", like: "NOPE" }, 400, "ValidationFailed"],
    ["no currency and no template", "/v1/admin/stores", { id: "X1", name: "x" }, 400, "ValidationFailed"],
    ["a store id with a dash", "/v1/admin/stores", { id: "X-1", name: "x", currency: "USD" }, 400, "ValidationFailed"],
    ["a register of an unknown store", "/v1/admin/registers", { id: "NO1-R1", store: "NO1" }, 400, "ValidationFailed"],
    [
      "a register named for another store",
      "/v1/admin/registers",
      { id: "TYO01-R9", store: "SEA01" },
      400,
      "ValidationFailed",
    ],
    ["a register that exists", "/v1/admin/registers", { id: "SEA01-R1", store: "SEA01" }, 409, "AlreadyExists"],
  ])("refuses %s", async (_, url, body, status, code) => {
    const r = await admin("POST", url, body);
    expect(r.statusCode, r.body).toBe(status);
    expect(r.json().error.code).toBe(code);
  });

  it("needs the admin token", async () => {
    const r = await h.app.inject({ method: "POST", url: "/v1/admin/stores", payload: { id: "X2", name: "x" } });
    expect(r.statusCode).toBe(401);
  });
});

describe("admin transaction list pages", () => {
  beforeAll(async () => {
    const sea = await h.device("SEA01-R1");
    const tyo = await h.device("TYO01-R1");
    for (let i = 1; i <= 5; i++) {
      h.clock.advance(60_000);
      const s = buildSale({
        id: `SEA01-R1-${String(i).padStart(6, "0")}`,
        store: "SEA01",
        register: "SEA01-R1",
        currency: "USD",
        decimals: 2,
        lines: [{ item: "1001", price: 9.99, taxGroup: "standard", taxRate: 10.35 }],
      });
      expect(
        (await h.app.inject({ method: "POST", url: "/v1/transactions", headers: auth(sea), payload: s })).statusCode,
      ).toBe(201);
      const t = buildSale({
        id: `TYO01-R1-${String(i).padStart(6, "0")}`,
        store: "TYO01",
        register: "TYO01-R1",
        staff: "000260",
        currency: "JPY",
        decimals: 0,
        lines: [{ item: "1001", price: 1480, taxGroup: "standard", taxRate: 10 }],
      });
      expect(
        (await h.app.inject({ method: "POST", url: "/v1/transactions", headers: auth(tyo), payload: t })).statusCode,
      ).toBe(201);
    }
  });

  it("walks every store page by page with the cursor, each transaction exactly once", async () => {
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    do {
      const r = await admin("GET", `/v1/admin/transactions?limit=3${after ? `&after=${after}` : ""}`);
      expect(r.statusCode, r.body).toBe(200);
      const page = r.json();
      expect(page.store).toBeNull();
      expect(page.count).toBe(11);
      seen.push(...page.transactions.map((t: { id: string }) => t.id));
      after = page.nextCursor;
      pages++;
    } while (after);
    expect(pages).toBe(4);
    expect(seen).toEqual([
      "SEA01-R1-000001",
      "SEA01-R1-000002",
      "SEA01-R1-000003",
      "SEA01-R1-000004",
      "SEA01-R1-000005",
      "SEA02-R1-000001",
      "TYO01-R1-000001",
      "TYO01-R1-000002",
      "TYO01-R1-000003",
      "TYO01-R1-000004",
      "TYO01-R1-000005",
    ]);
  });

  it("filters by store, register and received time; the last page has no cursor", async () => {
    const r = await admin("GET", "/v1/admin/transactions?store=TYO01&register=TYO01-R1&since=2026-01-01T09:03:00Z");
    const page = r.json();
    expect(page.transactions.map((t: { id: string }) => t.id)).toEqual([
      "TYO01-R1-000003",
      "TYO01-R1-000004",
      "TYO01-R1-000005",
    ]);
    expect(page).toMatchObject({ store: "TYO01", count: 3, nextCursor: null });
    expect(page.transactions[0]).toMatchObject({ total: 1628, currency: "JPY" });
  });

  it("says when the page ends exactly at the last row of the last store", async () => {
    const page = (await admin("GET", "/v1/admin/transactions?store=SEA01&limit=5")).json();
    expect(page.transactions).toHaveLength(5);
    expect(page.nextCursor).toBeNull();
  });

  it.each([
    ["limit=10001", "limit"],
    ["after=garbage", "after"],
    ["since=yesterday", "since"],
    ["store=NOPE", "NOPE"],
  ])("answers 4xx for %s", async (query, field) => {
    const r = await admin("GET", `/v1/admin/transactions?${query}`);
    expect([400, 404]).toContain(r.statusCode);
    expect(r.json().error.message).toContain(field);
  });
});
