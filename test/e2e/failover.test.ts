// End-to-end failover (SPEC §4.2, §4.3): the real CLI against a real server through the fault proxy.
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createFaultProxy, type FaultProxy } from "../../src/faults/proxy.js";
import { runPos, tempHome } from "../helpers/cli.js";
import { ageConnectionState, provisionTestRegister } from "../helpers/register-home.js";
import { startSale } from "../helpers/sale-process.js";
import { call, startServer, type TestServer } from "../helpers/server.js";

// Real time (the HTTP timeout): generous, so a loaded machine never fails over where a test expects online.
const TIMEOUT_S = 3;
// Long enough that no real delay reaches it: the tests age the register's state instead of waiting.
const RECONNECT_MIN = 10;
const sale = (staff = "000160", password = "1234") => [
  "--json",
  "sale",
  "--register",
  "SEA01-R1",
  "--staff",
  staff,
  "--password",
  password,
];

interface SaleDoc {
  mode: string;
  receipts: Array<{
    id: string;
    status: string;
    mode: string;
    total: number;
    lines: Array<{ item: string; unitPrice: number }>;
  }>;
  failed: Array<{ code: string; message: string }>;
}

describe("failover through the fault proxy", () => {
  const t = tempHome("pos-failover-");
  let server: TestServer;
  let proxy: FaultProxy;
  const offlineDb = () => join(t.home, "registers", "SEA01-R1", "offline.db");
  const localRows = () => {
    const db = new Database(offlineDb(), { readonly: true });
    try {
      return db.prepare("SELECT id, status, total, body FROM transactions ORDER BY seq").all() as Array<{
        id: string;
        status: string;
        total: number;
        body: string;
      }>;
    } finally {
      db.close();
    }
  };
  const serverTx = (id: string) =>
    call(server.url, "GET", `/v1/admin/transactions/${id}`, { token: server.adminToken });

  beforeAll(async () => {
    server = await startServer(t.home);
    proxy = await createFaultProxy({ target: server.url });
    await provisionTestRegister(t.home, proxy.url, "SEA01-R1", {
      profile: {
        timeout_interval: TIMEOUT_S,
        reconnect_interval: RECONNECT_MIN,
        allow_manual_offline_before_sign_in: 1,
      },
    });
  });
  afterAll(async () => {
    await proxy?.close();
    await server?.stop();
    t.remove();
  });
  beforeEach(async () => {
    await proxy.setFault("none");
    const c = await runPos(["connect", "--register", "SEA01-R1"], { home: t.home });
    expect(c.code, c.stderr).toBe(0);
  });

  it("blackhole mid-sale: line 2 is priced offline after the timeout, checkout is stored offline", async () => {
    const p = startSale(t.home, sale());
    p.send("1001");
    await p.waitFor(/\+ line 1: 1 × 1001/);
    await proxy.setFault("blackhole");
    p.send("1002");
    // The register waited for timeoutInterval, then failed over and priced line 2 offline.
    await p.waitFor(/\+ line 2: 1 × 1002/);
    const r = await p.end("pay card\n");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`server did not answer in ${TIMEOUT_S} s — switched to offline; the sale continues`);
    const doc = JSON.parse(r.stdout) as SaleDoc;
    expect(doc.mode).toBe("offline-auto");
    expect(doc.receipts[0]).toMatchObject({ status: "pending", total: 20.93 });
    expect(localRows().find((x) => x.id === doc.receipts[0]?.id)?.status).toBe("pending");
  });

  it("503 fails over; an unknown item (404) is a message, not a failover", async () => {
    const notFound = await runPos(sale(), { home: t.home, input: "9999999\n1001\npay card\n" });
    expect(notFound.code).toBe(1);
    const online = JSON.parse(notFound.stdout) as SaleDoc;
    expect(online.mode).toBe("online");
    expect(online.failed).toMatchObject([{ code: "BadProduct" }]);
    expect(online.receipts[0]).toMatchObject({ status: "stored" });

    await proxy.setFault("http 503");
    const r = await runPos(sale(), { home: t.home, input: "1001\npay card\n" });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain("server answered 503 — switched to offline");
    expect((JSON.parse(r.stdout) as SaleDoc).receipts[0]).toMatchObject({ status: "pending" });
  });

  it("reconnects only at the start of a transaction after reconnectInterval", async () => {
    await proxy.setFault("refuse");
    const first = JSON.parse((await runPos(sale(), { home: t.home, input: "1001\npay card\n" })).stdout) as SaleDoc;
    expect(first.mode).toBe("offline-auto");
    await proxy.setFault("none");
    // The server is back, but the interval has not passed: the next sale stays offline.
    const early = JSON.parse((await runPos(sale(), { home: t.home, input: "1001\npay card\n" })).stdout) as SaleDoc;
    expect(early.receipts[0]).toMatchObject({ status: "pending" });
    expect(early.mode).toBe("offline-auto");
    ageConnectionState(t.home, "SEA01-R1", RECONNECT_MIN * 60_000);
    const late = JSON.parse((await runPos(sale(), { home: t.home, input: "1001\npay card\n" })).stdout) as SaleDoc;
    expect(late.receipts[0]).toMatchObject({ status: "stored" });
    expect(late.mode).toBe("online");
  });

  it("manual disconnect (917) never reconnects by itself", async () => {
    expect((await runPos(["disconnect", "--register", "SEA01-R1"], { home: t.home })).code).toBe(0);
    ageConnectionState(t.home, "SEA01-R1", RECONNECT_MIN * 60_000);
    const r = JSON.parse((await runPos(sale(), { home: t.home, input: "1001\npay card\n" })).stdout) as SaleDoc;
    expect(r.mode).toBe("offline-manual");
    expect(r.receipts[0]).toMatchObject({ status: "pending" });
  });

  it("lost-ack at checkout: stored offline under the same id, pushed as a no-op, on the server exactly once", async () => {
    await proxy.setFault({ fault: "lost-ack", path: "/v1/transactions", times: 1 });
    const r = await runPos(sale(), { home: t.home, input: "1003\npay card\n" });
    expect(r.code, r.stderr).toBe(0);
    const receipt = (JSON.parse(r.stdout) as SaleDoc).receipts[0];
    expect(receipt).toMatchObject({ status: "pending" });
    const id = receipt?.id ?? "";
    // The server committed it although the register never heard so.
    expect((await serverTx(id)).status).toBe(200);
    expect(localRows().find((x) => x.id === id)?.status).toBe("pending");
  });

  it("push after the outage: the server has every transaction exactly once with the right totals", async () => {
    const before = localRows();
    const pending = before.filter((x) => x.status === "pending");
    expect(pending.length).toBeGreaterThanOrEqual(5);
    const pushed = await runPos(["--json", "sync", "push", "--register", "SEA01-R1"], { home: t.home });
    expect(pushed.code, pushed.stderr).toBe(0);
    const result = JSON.parse(pushed.stdout) as { uploaded: number; duplicates: number; pendingAfter: number };
    expect(result.uploaded + result.duplicates).toBe(pending.length);
    expect(result.duplicates).toBe(1); // the lost-ack sale
    expect(result.pendingAfter).toBe(0);
    const list = await call(server.url, "GET", "/v1/admin/transactions?store=SEA01&limit=1000", {
      token: server.adminToken,
    });
    const ids = (list.body as { transactions: Array<{ id: string }> }).transactions.map((x) => x.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const row of before) {
      expect(ids.filter((x) => x === row.id)).toHaveLength(1);
      const stored = await serverTx(row.id);
      expect((stored.body as { total: number }).total).toBe(JSON.parse(row.body).total);
    }
    // Pushing again sends nothing.
    const again = JSON.parse((await runPos(["--json", "sync", "push"], { home: t.home })).stdout) as {
      uploaded: number;
    };
    expect(again.uploaded).toBe(0);
  });

  it("offline sign-in: five wrong passwords block the staff id", async () => {
    await proxy.setFault("refuse");
    for (let i = 1; i <= 5; i++) {
      const r = await runPos(sale("000161", "wrong"), { home: t.home, input: "quit\n" });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(i < 5 ? /InvalidCredentials/ : /UserBlockedDueToTooManyFailedLogonAttempts/);
    }
    const right = await runPos(sale("000161", "1234"), { home: t.home, input: "quit\n" });
    expect(right.code).toBe(1);
    expect(right.stderr).toMatch(/UserBlockedDueToTooManyFailedLogonAttempts/);
  });

  it("kill -9 during a run of offline sales: no receipt lost, no transaction twice, numbering never reused", async () => {
    await proxy.setFault("refuse");
    const p = startSale(t.home, ["sale", "--register", "SEA01-R1", "--staff", "000160", "--password", "1234"]);
    p.send(Array.from({ length: 200 }, () => "1001\npay card").join("\n"));
    await p.waitFor(/(Receipt SEA01-R1-\d+[\s\S]*){5}/);
    p.kill("SIGKILL");
    const r = await p.end();
    expect(r.signal).toBe("SIGKILL");
    const printed = [...r.stdout.matchAll(/Receipt (SEA01-R1-\d+)/g)].map((m) => m[1]);
    const rows = localRows();
    const ids = rows.map((x) => x.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of printed) expect(ids).toContain(id);
    const after = JSON.parse((await runPos(sale(), { home: t.home, input: "1001\npay card\n" })).stdout) as SaleDoc;
    const next = after.receipts[0]?.id ?? "";
    expect(ids).not.toContain(next);
    const seq = (id: string) => Number(id.split("-").at(-1));
    expect(seq(next)).toBeGreaterThan(Math.max(...ids.map(seq)));
  });
});

describe("a register provisioned without its first sync", () => {
  const t = tempHome("pos-nosync-");
  let server: TestServer;
  let proxy: FaultProxy;

  beforeAll(async () => {
    server = await startServer(t.home);
    proxy = await createFaultProxy({ target: server.url });
    await provisionTestRegister(t.home, proxy.url, "SEA01-R1", { seedOffline: false });
  });
  afterAll(async () => {
    await proxy?.close();
    await server?.stop();
    t.remove();
  });

  it("cannot switch offline: the D365 error name and the fix", async () => {
    await proxy.setFault("refuse");
    const r = await runPos(sale(), { home: t.home, input: "1001\npay card\n" });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/ChannelConfigurationNotFound/);
    expect(r.stderr).toMatch(/1070/);
    expect(r.stderr).not.toMatch(/at .*\.js:\d+/);
  });
});

describe("an online-only register (SEA01-R2) that loses the server", () => {
  const t = tempHome("pos-onlineonly-");
  let server: TestServer;
  let proxy: FaultProxy;
  const r2 = ["--json", "sale", "--register", "SEA01-R2", "--staff", "000160", "--password", "1234"];

  beforeAll(async () => {
    server = await startServer(t.home);
    proxy = await createFaultProxy({ target: server.url });
    const p = await runPos(["register", "provision", "SEA01-R2", "--no-offline", "--server", proxy.url], {
      home: t.home,
    });
    expect(p.code, p.stderr).toBe(0);
  });
  afterAll(async () => {
    await proxy?.close();
    await server?.stop();
    t.remove();
  });

  it("sells online; mid-sale loss stops with exit 3 and the completed sale stays at the server", async () => {
    const p = startSale(t.home, r2);
    p.send("1001\npay card\n1002");
    await p.waitFor(/\+ line 1: 1 × 1002/);
    await proxy.setFault("refuse");
    const r = await p.end("1003\npay card\n");
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/RealtimeServiceNotSupported/);
    const stored = (
      await call(server.url, "GET", "/v1/admin/transactions?store=SEA01&limit=100", { token: server.adminToken })
    ).body as { transactions: Array<{ id: string; register: string }> };
    expect(stored.transactions.filter((x) => x.id.startsWith("SEA01-R2-"))).toHaveLength(1);
  });

  it("starting a sale with the server down: exit 3, one line, no stack", async () => {
    await proxy.setFault("refuse");
    const r = await runPos(r2, { home: t.home, input: "1001\npay card\n" });
    expect(r.code).toBe(3);
    expect(
      r.stderr
        .trim()
        .split("\n")
        .filter((l) => l.startsWith("pos:")),
    ).toHaveLength(1);
    expect(r.stderr).toMatch(/RealtimeServiceNotSupported/);
    expect(r.stderr).not.toMatch(/at .*\.js:\d+/);
  });

  it("operation 917 cannot disconnect it: exit 1 with the D365 name and the fix", async () => {
    await proxy.setFault("none");
    const r = await runPos(["disconnect", "--register", "SEA01-R2"], { home: t.home });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/RealtimeServiceNotSupported: this register does not support offline/);
    const status = JSON.parse((await runPos(["--json", "status", "--register", "SEA01-R2"], { home: t.home })).stdout);
    expect(status.mode).toBe("online");
  });
});
