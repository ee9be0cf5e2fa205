// Money at the edges (SPEC §4.3): a refused checkout never leaves a stale amount due, a lost checkout answer on a
// register that cannot fail over is settled exactly once, and the cashier is told whether the customer was charged.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFaultProxy, type FaultProxy } from "../../src/faults/proxy.js";
import { runPos, tempHome } from "../helpers/cli.js";
import { moneyProblems, serverSales } from "../helpers/money.js";
import { provisionTestRegister } from "../helpers/register-home.js";
import { type SaleProcess, scriptedSaleArgs, startSale } from "../helpers/sale-process.js";
import { startServer, type TestServer } from "../helpers/server.js";

/** Waits until the pattern has matched `count` times in everything the sale printed. */
async function waitCount(p: SaleProcess, pattern: RegExp, count: number): Promise<void> {
  const global = new RegExp(pattern.source, `${pattern.flags.replace("g", "")}g`);
  for (let i = 0; i < 4000; i++) {
    if ((p.text.match(global) ?? []).length >= count) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`timed out waiting for ${count} × ${pattern}:\n${p.text}`);
}

interface SaleDoc {
  receipts: Array<{ id: string; status: string; total: number }>;
  failed: Array<{ line: number; code: string; message: string }>;
}

describe("a refused checkout leaves the sale payable at its new total", () => {
  const t = tempHome("pos-refused-");
  let server: TestServer;
  let proxy: FaultProxy;

  beforeAll(async () => {
    server = await startServer(t.home);
    proxy = await createFaultProxy({ target: server.url });
    await provisionTestRegister(t.home, proxy.url, "SEA01-R1", { profile: { timeout_interval: 1 } });
  });
  afterAll(async () => {
    await proxy?.close();
    await server?.stop();
    t.remove();
  });

  it("a gift card checkout whose answer is lost is never stored offline: it stays in doubt until the server confirms it", async () => {
    await proxy.setFault({ fault: "lost-ack", path: "/v1/transactions" });
    const r = await runPos(scriptedSaleArgs("SEA01-R1", "000160"), {
      home: t.home,
      input: "1002\npay giftcard\nquit\n",
    });
    expect(r.code, r.stderr).toBe(3);
    const id = /sale (\S+) is in doubt/.exec(r.stderr)?.[1] as string;
    expect(id).toMatch(/^SEA01-R1-\d{6}$/);
    await proxy.setFault("none");
    const push = await runPos(["--json", "sync", "push", "--register", "SEA01-R1"], { home: t.home });
    expect(push.code, push.stderr).toBe(0);
    const stored = serverSales(t.home, "SEA01").filter((s) => s.id === id);
    expect(stored).toHaveLength(1);
    expect(stored[0]?.wire.tenders.map((x) => x.kind)).toEqual(["giftcard"]);
    const connect = await runPos(["connect", "--register", "SEA01-R1"], { home: t.home });
    expect(connect.code, connect.stderr).toBe(0);
  });

  it("400/409/422 then add, void or discount, online and after 917: stored tenders = stored total = fixture total", async () => {
    const p = startSale(t.home, scriptedSaleArgs("SEA01-R1", "000160"));
    const cases: Array<[number, "add" | "void" | "disc", "online" | "offline"]> = [];
    for (const status of [400, 409, 422])
      for (const change of ["add", "void", "disc"] as const)
        for (const mode of ["online", "offline"] as const) cases.push([status, change, mode]);
    const seen = { lines: 0, refused: 0, voided: 0, discounted: 0, completed: 0, connected: 0 };
    for (const [status, change, mode] of cases) {
      p.send("1001");
      p.send("2 x 1002");
      seen.lines += 2;
      await waitCount(p, /\+ line \d+:/, seen.lines);
      await proxy.setFault({ fault: `http ${status}`, times: 1, path: "/v1/transactions" });
      p.send("pay card");
      await waitCount(p, /✖ line \d+ "pay card"/, ++seen.refused);
      if (change === "add") {
        p.send("1003");
        await waitCount(p, /\+ line \d+:/, ++seen.lines);
      } else if (change === "void") {
        p.send("void 1");
        await waitCount(p, /line 1 voided/, ++seen.voided);
      } else {
        p.send("disc 2 10");
        await waitCount(p, /line 2: 10% off/, ++seen.discounted);
      }
      if (mode === "offline") p.send("917");
      p.send("pay card");
      await waitCount(p, /sale \S+ completed/, ++seen.completed);
      if (mode === "offline") {
        p.send("917");
        await waitCount(p, /operation 917: connected/, ++seen.connected);
      }
    }
    const r = await p.end("quit\n");
    expect(r.code, r.stderr).toBe(1); // the refused payments are failed commands
    const doc = JSON.parse(r.stdout) as SaleDoc;
    expect(doc.failed).toHaveLength(cases.length);
    expect(doc.receipts).toHaveLength(cases.length);
    expect(new Set(doc.receipts.map((x) => x.id)).size).toBe(cases.length);
    expect(doc.receipts.filter((x) => x.status === "pending")).toHaveLength(cases.length / 2);

    // Every refused attempt used up one number: each is a recorded one-number gap, never reused.
    const st = await runPos(["--json", "status", "--register", "SEA01-R1"], { home: t.home });
    const gaps = (
      JSON.parse(st.stdout) as { numbers: { gaps: Array<{ first: number; last: number; reason: string }> } }
    ).numbers.gaps.filter((g) => g.reason.startsWith("checkout refused by the server"));
    expect(gaps).toHaveLength(cases.length);
    const used = new Set(doc.receipts.map((x) => Number(x.id.slice(x.id.lastIndexOf("-") + 1))));
    for (const g of gaps) {
      expect(g.first).toBe(g.last);
      expect(used.has(g.first)).toBe(false);
    }
    const push = await runPos(["--json", "sync", "push", "--register", "SEA01-R1"], { home: t.home });
    expect(push.code, push.stderr).toBe(0);
    expect(JSON.parse(push.stdout)).toMatchObject({ conflicts: [], pendingAfter: 0 });
    const stored = serverSales(t.home, "SEA01");
    for (const receipt of doc.receipts) {
      const matches = stored.filter((s) => s.id === receipt.id);
      expect(matches, receipt.id).toHaveLength(1);
      expect(moneyProblems(matches[0] as (typeof stored)[number])).toEqual([]);
    }
    expect(stored.filter((s) => doc.receipts.some((x) => x.id === s.id))).toHaveLength(cases.length);
  });
});

describe("a lost checkout answer on a register that cannot store the sale offline", () => {
  const t = tempHome("pos-indoubt-");
  let server: TestServer;
  let proxy: FaultProxy;

  beforeAll(async () => {
    server = await startServer(t.home);
    proxy = await createFaultProxy({ target: server.url });
    const r2 = await runPos(["register", "provision", "SEA01-R2", "--server", proxy.url, "--no-offline"], {
      home: t.home,
    });
    expect(r2.code, r2.stderr).toBe(0);
    // TYO01-R1 supports offline but has no offline data yet (never synced).
    await provisionTestRegister(t.home, proxy.url, "TYO01-R1", { seedOffline: false });
  });
  afterAll(async () => {
    await proxy?.close();
    await server?.stop();
    t.remove();
  });

  const status = async (register: string) => {
    const r = await runPos(["--json", "status", "--register", register], { home: t.home });
    return JSON.parse(r.stdout) as { inDoubt: Array<{ id: string }> };
  };

  it.each([
    ["SEA01-R2", "000160", "SEA01"],
    ["TYO01-R1", "000260", "TYO01"],
  ])("%s: one lost answer is settled at once by sending the same sale again", async (register, staff, store) => {
    await proxy.setFault({ fault: "lost-ack", times: 1, path: "/v1/transactions" });
    const r = await runPos(scriptedSaleArgs(register, staff), { home: t.home, input: "1001\npay card\nquit\n" });
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as SaleDoc;
    expect(doc.receipts).toHaveLength(1);
    const id = doc.receipts[0]?.id as string;
    expect(doc.receipts[0]?.status).toBe("duplicate"); // the first copy was stored: the resend is a no-op
    const stored = serverSales(t.home, store).filter((s) => s.id === id);
    expect(stored).toHaveLength(1);
    expect(moneyProblems(stored[0] as (typeof stored)[number])).toEqual([]);
    expect((await status(register)).inDoubt).toEqual([]);
  });

  it.each([
    ["SEA01-R2", "000160", "SEA01"],
    ["TYO01-R1", "000260", "TYO01"],
  ])(
    "%s: an answer lost for good keeps the sale in doubt; the next sale settles it exactly once",
    async (register, staff, store) => {
      const before = serverSales(t.home, store).length;
      await proxy.setFault({ fault: "lost-ack", path: "/v1/transactions" });
      const first = await runPos(scriptedSaleArgs(register, staff), { home: t.home, input: "1001\npay card\nquit\n" });
      expect(first.code, first.stderr).toBe(3);
      const line = first.stderr.trim().split("\n").at(-1) ?? "";
      expect(line).toMatch(/TransactionInDoubt: sale (\S+) is in doubt/);
      expect(line).toContain("do not charge the customer again");
      const id = /sale (\S+) is in doubt/.exec(line)?.[1] as string;
      expect((await status(register)).inDoubt.map((x) => x.id)).toEqual([id]);
      // lost-ack forwards every copy: the server stored the first, the resend was a duplicate
      expect(serverSales(t.home, store).filter((s) => s.id === id)).toHaveLength(1);

      await proxy.setFault("none");
      // The cashier rings the customer up again: the register settles the sale in doubt first and says so.
      const retry = await runPos(scriptedSaleArgs(register, staff), { home: t.home, input: "1001\npay card\nquit\n" });
      expect(retry.code, retry.stderr).toBe(0);
      expect(retry.stderr).toContain(`sale ${id} (in doubt) is completed: the customer was charged`);
      const doc = JSON.parse(retry.stdout) as SaleDoc;
      expect(doc.receipts.map((x) => x.id)).toContain(id);
      const stored = serverSales(t.home, store);
      expect(stored.filter((s) => s.id === id)).toHaveLength(1);
      expect(stored).toHaveLength(before + 2);
      for (const s of stored) expect(moneyProblems(s)).toEqual([]);
      expect((await status(register)).inDoubt).toEqual([]);
    },
  );

  it("a checkout answered 503 (never stored) stays in doubt; pos sync push settles it once", async () => {
    const before = serverSales(t.home, "SEA01").length;
    await proxy.setFault({ fault: "http 503", path: "/v1/transactions" });
    const first = await runPos(scriptedSaleArgs("SEA01-R2", "000160"), {
      home: t.home,
      input: "1003\npay cash 20\nquit\n",
    });
    expect(first.code, first.stderr).toBe(3);
    const id = /sale (\S+) is in doubt/.exec(first.stderr)?.[1] as string;
    expect(id).toMatch(/^SEA01-R2-\d{6}$/);
    expect(serverSales(t.home, "SEA01")).toHaveLength(before);
    const stillDown = await runPos(["--json", "sync", "push", "--register", "SEA01-R2"], { home: t.home });
    expect(stillDown.code).toBe(1); // the server answered 503: the push failed, the sale stays in doubt
    expect((await status("SEA01-R2")).inDoubt.map((x) => x.id)).toEqual([id]);
    await proxy.setFault("none");
    const push = await runPos(["--json", "sync", "push", "--register", "SEA01-R2"], { home: t.home });
    expect(push.code, push.stderr).toBe(0);
    const stored = serverSales(t.home, "SEA01").filter((s) => s.id === id);
    expect(stored).toHaveLength(1);
    expect(moneyProblems(stored[0] as (typeof stored)[number])).toEqual([]);
    expect((await status("SEA01-R2")).inDoubt).toEqual([]);
  });
});
