// End-to-end "offline: own register's data" (D365): returns checked at the server after pos sync push — each return
// once, refunds exact, no number twice, another register's sale refused offline — and carts suspended at the store.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFaultProxy, type FaultProxy } from "../../src/faults/proxy.js";
import { runPos, tempHome } from "../helpers/cli.js";
import { type StoredSale, serverSales } from "../helpers/money.js";
import { provisionTestRegister } from "../helpers/register-home.js";
import { scriptedSaleArgs, startSale } from "../helpers/sale-process.js";
import { buildSale, call, startServer, type TestServer } from "../helpers/server.js";

interface SaleDoc {
  receipts: Array<{ id: string; status: string; total: number; returnOf?: string; tenders: Array<{ amount: number }> }>;
  failed: Array<{ line: number; code: string; message: string }>;
  journal: { source: string; transactions: Array<{ id: string; returnOf: string | null }> } | null;
}

const t = tempHome("pos-returns-");
let server: TestServer;
let proxy: FaultProxy;

const sale = async (register: string, input: string, staff = "000160") => {
  const r = await runPos(scriptedSaleArgs(register, staff), { home: t.home, input });
  return { ...r, doc: r.stdout ? (JSON.parse(r.stdout) as SaleDoc) : null };
};
const push = async () => {
  const r = await runPos(["--json", "sync", "push", "--register", "SEA01-R1"], { home: t.home });
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as { uploaded: number; duplicates: number };
};
const minor = (major: number) => Math.round(major * 100);
const at = (id: string) => serverSales(t.home, "SEA01").filter((s) => s.id === id);

/** Money of a sale and its returns at the server: each return's tenders are refunds equal to its (negative) total. */
function refundProblems(original: StoredSale, returns: StoredSale[]): string[] {
  const problems: string[] = [];
  for (const r of returns) {
    const tendered = r.wire.tenders.reduce((sum, x) => sum + minor(x.amount), 0);
    if (r.totalMinor >= 0) problems.push(`${r.id}: a return's total ${r.totalMinor} is not negative`);
    if (tendered !== r.totalMinor) problems.push(`${r.id}: refunds ${tendered} ≠ total ${r.totalMinor}`);
    if (r.wire.tenders.some((x) => x.amount >= 0)) problems.push(`${r.id}: a tender is not a refund`);
    if (r.wire.returnOf !== original.id) problems.push(`${r.id}: returnOf ${r.wire.returnOf}`);
  }
  for (const line of original.wire.lines) {
    const back = returns.flatMap((r) => r.wire.lines.filter((l) => l.returnOfLine === line.line));
    const qty = back.reduce((sum, l) => sum - l.qty, 0);
    const refunded = back.reduce((sum, l) => sum - minor(l.amount) - minor(l.tax), 0);
    const paid = minor(line.amount) + minor(line.tax);
    if (qty > line.qty) problems.push(`line ${line.line}: ${qty} returned of ${line.qty}`);
    if (qty === line.qty && refunded !== paid) problems.push(`line ${line.line}: refunded ${refunded} of ${paid}`);
  }
  return problems;
}

beforeAll(async () => {
  server = await startServer(t.home);
  proxy = await createFaultProxy({ target: server.url });
  await provisionTestRegister(t.home, proxy.url, "SEA01-R1", { profile: { timeout_interval: 1 } });
  await provisionTestRegister(t.home, server.url, "SEA01-R2", { seedOffline: false });
});
afterAll(async () => {
  await proxy?.close();
  await server?.stop();
  t.remove();
});

describe("returns of this register's sales", () => {
  let original = "";

  it("a sale returned in two parts, offline then online, is refunded exactly once at the server", async () => {
    const sold = await sale("SEA01-R1", "1001\n2 x 1002\npay card\nquit\n");
    expect(sold.code, sold.stderr).toBe(0);
    original = sold.doc?.receipts[0]?.id as string;
    expect(sold.doc?.receipts[0]).toMatchObject({ status: "stored", total: 30.84 });

    const offline = await sale("SEA01-R1", `917\nreturn ${original} 2:1\npay cash\njournal 5\n917\nquit\n`);
    expect(offline.code, offline.stderr).toBe(0);
    expect(offline.stderr).toContain(`of ${original} completed: refunded 9.91 — stored offline, pending upload`);
    const first = offline.doc?.receipts[0];
    expect(first).toMatchObject({ status: "pending", total: -9.91, returnOf: original, tenders: [{ amount: -9.91 }] });
    expect(offline.doc?.journal?.source).toBe("offline database");
    expect(offline.doc?.journal?.transactions.map((x) => x.id)).toEqual([first?.id, original]);

    expect(await push()).toMatchObject({ uploaded: 1 });
    const rest = await sale("SEA01-R1", `return ${original}\npay card\nquit\n`);
    expect(rest.code, rest.stderr).toBe(0);
    const second = rest.doc?.receipts[0];
    expect(second).toMatchObject({ status: "stored", returnOf: original, total: -20.93 });

    const stored = serverSales(t.home, "SEA01");
    const sold1 = stored.filter((s) => s.id === original);
    const returns = stored.filter((s) => s.wire.returnOf === original);
    expect(sold1).toHaveLength(1);
    expect(returns.map((r) => r.id).sort()).toEqual([first?.id, second?.id].sort());
    expect(refundProblems(sold1[0] as StoredSale, returns)).toEqual([]);
    expect(returns.reduce((sum, r) => sum + r.totalMinor, 0)).toBe(-(sold1[0]?.totalMinor ?? 0));
    const ids = stored.map((s) => s.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("nothing is left to return: one failed command, nothing stored", async () => {
    const before = serverSales(t.home, "SEA01").length;
    const again = await sale("SEA01-R1", `return ${original}\npay cash\nquit\n`);
    expect(again.code).toBe(1);
    expect(again.doc?.failed[0]).toMatchObject({ code: "BadEntry" });
    expect(again.doc?.failed[0]?.message).toContain(`everything sold on ${original} was already returned`);
    expect(serverSales(t.home, "SEA01")).toHaveLength(before);
  });

  it("a return whose checkout answer is lost is stored offline and uploaded as a duplicate: once at the server", async () => {
    const sold = await sale("SEA01-R1", "1003\npay card\nquit\n");
    const id = sold.doc?.receipts[0]?.id as string;
    await proxy.setFault({ fault: "lost-ack", times: 1, path: "/v1/transactions" });
    const r = await sale("SEA01-R1", `return ${id}\npay cash\nquit\n`);
    expect(r.code, r.stderr).toBe(0);
    const ret = r.doc?.receipts[0];
    expect(ret).toMatchObject({ status: "pending", returnOf: id });
    await proxy.setFault("none");
    await runPos(["connect", "--register", "SEA01-R1"], { home: t.home });
    expect(await push()).toMatchObject({ uploaded: 0, duplicates: 1 });
    expect(at(ret?.id as string)).toHaveLength(1);
    expect(refundProblems(at(id)[0] as StoredSale, at(ret?.id as string))).toEqual([]);
  });

  it("a sale still waiting for upload is not returned online: the cashier is told to push it first", async () => {
    const sold = await sale("SEA01-R1", "917\n1002\npay card\n917\nquit\n");
    expect(sold.code, sold.stderr).toBe(0);
    const id = sold.doc?.receipts[0]?.id as string;
    expect(sold.doc?.receipts[0]?.status).toBe("pending");
    const early = await sale("SEA01-R1", `return ${id}\nquit\n`);
    expect(early.code).toBe(1);
    expect(early.doc?.failed).toMatchObject([{ code: "ReturnNotUploaded" }]);
    expect(early.stderr).toContain(`sale ${id} is in this register's offline database and not uploaded yet`);
    expect(early.stderr).toContain("pos sync push --register SEA01-R1");
    await push();
    const r = await sale("SEA01-R1", `return ${id}\npay cash\nquit\n`);
    expect(r.code, r.stderr).toBe(0);
    expect(r.doc?.receipts[0]).toMatchObject({ status: "stored", returnOf: id });
  });

  it("kill -9 after a return completed: it stays once, its number is never used again, the gap is recorded", async () => {
    const sold = await sale("SEA01-R1", "1001\npay card\nquit\n");
    const id = sold.doc?.receipts[0]?.id as string;
    const p = startSale(t.home, scriptedSaleArgs("SEA01-R1"));
    await p.waitFor(/signed in/);
    p.send(`return ${id}`);
    await p.waitFor(/refund 11.02/);
    p.send("pay cash");
    await p.waitFor(/return (\S+) of \S+ completed/);
    const returned = /return (\S+) of \S+ completed/.exec(p.text)?.[1] as string;
    p.kill("SIGKILL");
    await p.end();

    const next = await sale("SEA01-R1", "1002\npay card\nquit\n");
    expect(next.code, next.stderr).toBe(0);
    const nextId = next.doc?.receipts[0]?.id as string;
    expect(Number(nextId.slice(-6))).toBeGreaterThan(Number(returned.slice(-6)));
    const status = JSON.parse(
      (await runPos(["--json", "status", "--register", "SEA01-R1"], { home: t.home })).stdout,
    ) as { numbers: { gaps: Array<{ first: number; last: number }> } };
    expect(status.numbers.gaps.some((g) => g.first === Number(returned.slice(-6)) + 1)).toBe(true);
    await push();
    expect(at(returned)).toHaveLength(1);
    expect(refundProblems(at(id)[0] as StoredSale, at(returned))).toEqual([]);
    const ids = serverSales(t.home, "SEA01").map((s) => s.id);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe("a sale of another register", () => {
  let other = "";

  it("offline it is refused with D365's wording (exit 1, ReturnNotAvailableOffline); the cart is untouched", async () => {
    const sold = await sale("SEA01-R2", "1001\npay card\nquit\n");
    expect(sold.code, sold.stderr).toBe(0);
    other = sold.doc?.receipts[0]?.id as string;
    const r = await sale("SEA01-R1", `917\nreturn ${other}\n917\nquit\n`);
    expect(r.code).toBe(1);
    expect(r.doc?.failed).toMatchObject([{ code: "ReturnNotAvailableOffline" }]);
    expect(r.stderr).toContain(
      "This operation is not available offline: the transaction was not made on this register. Connect to the store server and try again.",
    );
    expect(r.doc?.receipts).toEqual([]);
  });

  it("online it is returned against the server's record", async () => {
    const r = await sale("SEA01-R1", `return ${other}\npay cash\nquit\n`);
    expect(r.code, r.stderr).toBe(0);
    expect(r.doc?.receipts[0]).toMatchObject({ status: "stored", returnOf: other, total: -11.02 });
    expect(
      refundProblems(
        at(other)[0] as StoredSale,
        serverSales(t.home, "SEA01").filter((s) => s.wire.returnOf === other),
      ),
    ).toEqual([]);
  });

  it("returned online with its answer lost: stored offline as sent (not refused), the register sells on, once at the server", async () => {
    const sold = await sale("SEA01-R2", "1002\npay card\nquit\n");
    const theirs = sold.doc?.receipts[0]?.id as string;
    await proxy.setFault({ fault: "lost-ack", times: 1, path: "/v1/transactions" });
    // The answer is lost; the register fails over. The same return, already sent, is kept pending offline (its
    // original is not in this register's database: the server decides at upload), and the next sale goes through.
    const r = await sale("SEA01-R1", `return ${theirs}\npay cash\n1001\npay card\nquit\n`);
    expect(r.code, r.stderr).toBe(0);
    expect(r.doc?.receipts.map((x) => x.status)).toEqual(["pending", "pending"]);
    const ret = r.doc?.receipts[0]?.id as string;
    await proxy.setFault("none");
    await runPos(["connect", "--register", "SEA01-R1"], { home: t.home });
    expect(await push()).toMatchObject({ uploaded: 1, duplicates: 1 });
    expect(at(ret)).toHaveLength(1);
    expect(
      refundProblems(
        at(theirs)[0] as StoredSale,
        serverSales(t.home, "SEA01").filter((s) => s.wire.returnOf === theirs),
      ),
    ).toEqual([]);
  });
});

describe("the server checks a return", () => {
  const token = () =>
    (
      JSON.parse(readFileSync(join(t.home, "registers", "SEA01-R2", "register.json"), "utf8")) as {
        deviceToken: string;
      }
    ).deviceToken;
  const mug = { item: "1001", price: 9.99, taxGroup: "standard", taxRate: 10.35 };

  it("more than is left to return is a 422 naming the field; an identical resend is a duplicate, not a second return", async () => {
    const base = { store: "SEA01", register: "SEA01-R2", currency: "USD", decimals: 2 };
    const sold = buildSale({ ...base, id: "SEA01-R2-000900", lines: [{ ...mug, qty: 2 }] });
    expect((await call(server.url, "POST", "/v1/transactions", { token: token(), body: sold })).status).toBe(201);
    const back = (seq: number, qty: number) => {
      const line = sold.lines[0] as (typeof sold.lines)[number];
      const amount = -(Math.round(line.unitPrice * 100) * qty) / 100;
      const tax = qty === 2 ? -line.tax : -1.03;
      const total = Math.round((amount + tax) * 100) / 100;
      return {
        ...sold,
        id: `SEA01-R2-000${seq}`,
        returnOf: sold.id,
        lines: [{ ...line, qty: -qty, amount, tax, returnOfLine: 1 }],
        tenders: [{ tender: "cash", kind: "cash", amount: total, change: 0 }],
        subtotal: amount,
        tax,
        total,
      };
    };
    const one = back(901, 1);
    expect((await call(server.url, "POST", "/v1/transactions", { token: token(), body: one })).status).toBe(201);
    const resend = await call(server.url, "POST", "/v1/transactions", { token: token(), body: one });
    expect(resend).toMatchObject({ status: 200, body: { status: "duplicate" } });
    const tooMany = await call(server.url, "POST", "/v1/transactions", { token: token(), body: back(902, 2) });
    expect(tooMany.status).toBe(422);
    expect(tooMany.body.error.code).toBe("ValidationFailed");
    expect(tooMany.body.error.message).toMatch(
      /^transaction\.lines\[0\]\.qty: 2 of item 1001 returned but only 1 of 2/,
    );
    expect(at("SEA01-R2-000902")).toHaveLength(0);
    expect(serverSales(t.home, "SEA01").filter((s) => s.wire.returnOf === sold.id)).toHaveLength(1);
  });
});

describe("a cart suspended online is kept at the store server", () => {
  interface CartDoc extends SaleDoc {
    suspended: Array<{ id: string; kept: string; lines: number }>;
    carts: Array<{ id: string; register: string; kept: string }> | null;
    recalled: string[];
  }
  const cartSale = async (register: string, input: string) => {
    const r = await runPos(scriptedSaleArgs(register), { home: t.home, input });
    return { ...r, doc: JSON.parse(r.stdout) as CartDoc };
  };

  it("another register of the store lists it, recalls it once and completes it under its own number", async () => {
    const before = serverSales(t.home, "SEA01").length;
    const suspended = await cartSale("SEA01-R1", "1001\n2 x 1003\nsuspend\nquit\n");
    expect(suspended.code, suspended.stderr).toBe(0);
    const cart = suspended.doc.suspended[0];
    expect(cart).toMatchObject({ kept: "server", lines: 2 });
    expect(suspended.doc.receipts).toEqual([]);

    const other = await cartSale("SEA01-R2", `recall\nrecall ${cart?.id}\npay card\nquit\n`);
    expect(other.code, other.stderr).toBe(0);
    expect(other.doc.carts?.map((c) => c.id)).toContain(cart?.id);
    expect(other.doc.recalled).toEqual([cart?.id]);
    const receipt = other.doc.receipts[0];
    expect(receipt?.id).toMatch(/^SEA01-R2-\d{6}$/);
    expect(at(receipt?.id as string)).toHaveLength(1);
    expect(serverSales(t.home, "SEA01")).toHaveLength(before + 1);

    const again = await cartSale("SEA01-R1", `recall ${cart?.id}\nquit\n`);
    expect(again.code).toBe(1);
    expect(again.doc.failed).toMatchObject([{ code: "CartAlreadyRecalled" }]);
  });

  it("an id the server already holds (a reset register database, a lost answer) is skipped, never a dead end", async () => {
    const token = (
      JSON.parse(readFileSync(join(t.home, "registers", "SEA01-R2", "register.json"), "utf8")) as {
        deviceToken: string;
      }
    ).deviceToken;
    // R2's next two ids are already at the server with other carts.
    const line = { line: 1, item: "1002", name: "Pens", qty: 1, unitPrice: 898, discountPct: 0, taxGroup: "standard" };
    const priced = { ...line, taxRatePpm: 103500, voided: false, amount: 898, tax: 93 };
    for (const n of [1, 2]) {
      const cart = {
        id: `SEA01-R2-S000${n}`,
        register: "SEA01-R2",
        staff: "000160",
        suspendedAt: `2026-01-0${n}T10:00:00.000Z`,
        customer: null,
        lines: [priced],
      };
      expect((await call(server.url, "POST", "/v1/suspended-carts", { token, body: { cart } })).status).toBe(201);
    }
    const r = await cartSale("SEA01-R2", "1001\nsuspend\n1003\nsuspend\nquit\n");
    expect(r.code, r.stderr).toBe(0);
    expect(r.doc.suspended.map((c) => [c.id, c.kept])).toEqual([
      ["SEA01-R2-S0003", "server"],
      ["SEA01-R2-S0004", "server"],
    ]);
    // Recalled and left unpaid: the cashier is told the cart is no longer kept anywhere.
    const left = await cartSale("SEA01-R2", "recall SEA01-R2-S0003\nquit\n");
    expect(left.code, left.stderr).toBe(0);
    expect(left.doc.recalled).toEqual(["SEA01-R2-S0003"]);
    expect(left.stderr).toContain(
      "the sale was canceled (it was recalled from SEA01-R2-S0003, which is no longer suspended: suspend the cart again to keep it)",
    );
  });
});

describe("pos journal show", () => {
  it("online reads the server's copy, offline the register's own database", async () => {
    const online = await runPos(["--json", "journal", "show", "--register", "SEA01-R1", "--limit", "3"], {
      home: t.home,
    });
    expect(online.code, online.stderr).toBe(0);
    const doc = JSON.parse(online.stdout) as { source: string; transactions: Array<{ id: string; total: number }> };
    expect(doc.source).toBe("server");
    expect(doc.transactions).toHaveLength(3);
    await proxy.setFault("refuse");
    try {
      const offline = await runPos(["--json", "journal", "show", "--register", "SEA01-R1"], { home: t.home });
      expect(offline.code, offline.stderr).toBe(0);
      const local = JSON.parse(offline.stdout) as { source: string; transactions: Array<{ id: string }> };
      expect(local.source).toBe("offline database");
      expect(local.transactions[0]?.id).toBe(doc.transactions[0]?.id);
    } finally {
      await proxy.setFault("none");
    }
    const bad = await runPos(["journal", "show", "--limit", "0"], { home: t.home });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--limit: expected a whole number from 1 to 1000");
  });
});
