// End-to-end: the server refuses sales no register would make (422 naming the field), one by one and in a batch.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { WireTransaction } from "../../src/domain/transaction.js";
import { runPos, tempHome } from "../helpers/cli.js";
import { buildSale, call, type SaleLine, startServer, type TestServer } from "../helpers/server.js";

const home = tempHome("pos-server-validation-");
let server: TestServer;
let r1: string; // device token of SEA01-R1

const mug: SaleLine = { item: "1001", price: 9.99, taxGroup: "standard", taxRate: 10.35 };
const pens: SaleLine = { item: "1002", price: 8.98, taxGroup: "standard", taxRate: 10.35 };
let seq = 0;
const sale = (lines: SaleLine[] = [mug], extra: Partial<Parameters<typeof buildSale>[0]> = {}): WireTransaction =>
  buildSale({
    id: `SEA01-R1-${String(++seq).padStart(6, "0")}`,
    store: "SEA01",
    register: "SEA01-R1",
    currency: "USD",
    decimals: 2,
    lines,
    ...extra,
  });
/** A valid sale changed by `f` (the arithmetic still adds up unless `f` breaks it). */
const edited = (f: (w: WireTransaction) => void, lines?: SaleLine[], extra?: Parameters<typeof sale>[1]) => {
  const w = sale(lines, extra);
  f(w);
  return w;
};
const payWith = (tender: string, kind: WireTransaction["tenders"][number]["kind"]) => (w: WireTransaction) => {
  w.tenders = [{ tender, kind, amount: w.total, change: 0 }];
};

beforeAll(async () => {
  server = await startServer(home.home);
  const answer = await call(server.url, "POST", "/v1/devices/activate", {
    token: server.adminToken,
    body: { register: "SEA01-R1" },
  });
  r1 = answer.body.token;
});

afterAll(async () => {
  await server?.stop();
  home.remove();
});

const post = (body: unknown) => call(server.url, "POST", "/v1/transactions", { token: r1, body });
const storedIds = async (): Promise<string[]> =>
  (
    await call(server.url, "GET", "/v1/admin/transactions?store=SEA01", { token: server.adminToken })
  ).body.transactions.map((t: { id: string }) => t.id);

// Each: what is wrong, the transaction, the start of the 422 message (field first).
const impossible = (): [string, WireTransaction, string][] => [
  [
    "a gift card on an offline sale",
    edited(payWith("giftcard", "giftcard"), [mug], { mode: "offline" }),
    "transaction.tenders[0].kind: giftcard is online-only",
  ],
  [
    "a customer account on an offline sale",
    edited(
      (w) => {
        payWith("account", "account")(w);
        w.customer = "004005";
      },
      [mug],
      { mode: "offline" },
    ),
    "transaction.tenders[0].kind: account is online-only",
  ],
  ["staff of another store", sale([mug], { staff: "000260" }), "transaction.staff: 000260"],
  ["unknown staff", sale([mug], { staff: "999999" }), "transaction.staff: 999999"],
  ["an unknown item", sale([mug, { ...mug, item: "NOPE-1" }]), "transaction.lines[1].item: NOPE-1"],
  [
    "an unknown customer",
    edited((w) => {
      w.customer = "777777";
    }),
    "transaction.customer: 777777",
  ],
  [
    "a negative tender",
    edited((w) => {
      w.tenders = [
        { tender: "card", kind: "card", amount: Math.round((w.total + 5) * 100) / 100, change: 0 },
        { tender: "cash", kind: "cash", amount: -5, change: 0 },
      ];
    }),
    "transaction.tenders[1].amount:",
  ],
  ["a date that is not one", sale([mug], { createdAt: "not a date" }), 'transaction.createdAt: "not a date"'],
  ["quantity 10000", sale([mug, pens, { ...mug, qty: 10000 }]), "transaction.lines[2].qty: 10000"],
  ["a tender kind the store's tender is not", edited(payWith("card", "cash")), "transaction.tenders[0].kind: cash"],
  ["a tender the store does not take", edited(payWith("bitcoin", "card")), "transaction.tenders[0].tender: bitcoin"],
];

describe("transactions the register would never make", () => {
  it.each(impossible())(
    "POST /v1/transactions refuses %s: 422 naming the field, nothing stored",
    async (_n, tx, message) => {
      const answer = await post(tx);
      expect(answer.status, JSON.stringify(answer.body)).toBe(422);
      expect(answer.body.error.code).toBe("ValidationFailed");
      expect(answer.body.error.message.startsWith(message), answer.body.error.message).toBe(true);
      expect(await storedIds()).not.toContain(tx.id);
    },
  );

  it("a batch upload rejects each with the same message and stores the valid ones", async () => {
    const cases = impossible();
    const good = sale();
    const answer = await call(server.url, "POST", "/v1/transactions/upload", {
      token: r1,
      body: { transactions: [...cases.map(([, tx]) => tx), good] },
    });
    expect(answer.status).toBe(200);
    expect(answer.body.counts).toEqual({ stored: 1, duplicate: 0, conflict: 0, rejected: cases.length });
    for (const [i, [name, tx, message]] of cases.entries()) {
      expect(answer.body.results[i], name).toMatchObject({ id: tx.id, status: "rejected" });
      expect(answer.body.results[i].message, name).toContain(`ValidationFailed: ${message}`);
    }
    const stored = await storedIds();
    expect(stored).toContain(good.id);
    for (const [, tx] of cases) expect(stored).not.toContain(tx.id);
  });

  it("still takes a gift card or account sale made online, a cash sale with change, and a sale made offline", async () => {
    const cases = [
      edited(payWith("giftcard", "giftcard")),
      edited((w) => {
        payWith("account", "account")(w);
        w.customer = "004005";
      }),
      edited((w) => {
        w.tenders = [{ tender: "cash", kind: "cash", amount: w.total, change: 0.5 }];
      }),
      sale([mug, pens], { mode: "offline" }),
    ];
    for (const tx of cases) expect((await post(tx)).status, JSON.stringify(tx)).toBe(201);
  });

  it("takes a customer created online a moment ago (at HQ, not yet in the store's database)", async () => {
    const created = await call(server.url, "POST", "/v1/customers", { token: r1, body: { name: "Noor Haddad" } });
    expect(created.status).toBe(201);
    const id = created.body.customer.id as string;
    const tx = edited((w) => {
      w.customer = id;
    });
    expect((await post(tx)).status).toBe(201);
  });

  it("answers a resend of a stored sale as a duplicate after its item was deleted; a new sale of it is refused", async () => {
    const stored = sale([pens]);
    expect((await post(stored)).status).toBe(201);
    const pos = (args: string[]) => runPos(["--json", ...args], { home: home.home });
    const deleted = await call(server.url, "DELETE", "/v1/admin/products/1002", { token: server.adminToken });
    expect(deleted.status, JSON.stringify(deleted.body)).toBe(200);
    expect((await pos(["cdx", "run", "1040"])).code).toBe(0);
    const again = await post(stored);
    expect(again.status).toBe(200);
    expect(again.body.status).toBe("duplicate");
    const upload = await call(server.url, "POST", "/v1/transactions/upload", {
      token: r1,
      body: { transactions: [stored, sale([pens])] },
    });
    expect(upload.body.results.map((r: { status: string }) => r.status)).toEqual(["duplicate", "rejected"]);
    expect(upload.body.results[1].message).toContain("transaction.lines[0].item: 1002");
  });
});

describe("a register never makes such a sale", () => {
  it("a gift card taken online, then 917: the sale cannot complete offline; connected again it completes and is stored", async () => {
    // Provisioning re-activates SEA01-R1 (the token above stops working): this runs last.
    const provision = await runPos(["register", "provision", "SEA01-R1", "--server", server.url, "--sync"], {
      home: home.home,
    });
    expect(provision.code, provision.stderr).toBe(0);
    const sale = ["--json", "sale", "--register", "SEA01-R1", "--staff", "000160", "--password", "1234"];
    const result = await runPos(sale, {
      home: home.home,
      input: "1001\npay giftcard 5\n917\npay cash\n917\npay cash\nquit\n",
    });
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toContain("the giftcard payment of this sale was taken online and cannot complete offline");
    const doc = JSON.parse(result.stdout);
    expect(doc.receipts).toHaveLength(1);
    const receipt = doc.receipts[0];
    expect(receipt).toMatchObject({ status: "stored", mode: "online" });
    const stored = await call(server.url, "GET", `/v1/admin/transactions/${receipt.id}`, { token: server.adminToken });
    expect(stored.body).toMatchObject({
      mode: "online",
      tenders: [{ tender: "giftcard", amount: 5 }, { tender: "cash" }],
    });
  });
});
