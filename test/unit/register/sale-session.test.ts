import { describe, expect, it } from "vitest";
import { type Transaction, toWire } from "../../../src/domain/transaction.js";
import { VirtualClock } from "../../../src/lib/clock.js";
import { OperationError } from "../../../src/lib/errors.js";
import { ConnectionManager } from "../../../src/register/connection-manager.js";
import { createMemoryStateStore, initialConnectionState } from "../../../src/register/connection-state.js";
import { type DataSource, RequestFailure } from "../../../src/register/data-source.js";
import { createNumberAllocator } from "../../../src/register/numbers.js";
import { type InDoubtResolution, SaleSession } from "../../../src/register/sale-session.js";

/** The register's own-data operations, not used by these tests. */
const OWN_DATA_UNUSED: Pick<DataSource, "journal" | "returnSource" | "suspendCart" | "suspendedCarts" | "recallCart"> =
  {
    journal: async () => [],
    returnSource: async () => {
      throw new Error("unused");
    },
    suspendCart: async () => {
      throw new Error("unused");
    },
    suspendedCarts: async () => [],
    recallCart: async () => {
      throw new Error("unused");
    },
  };

const PRICES: Record<string, number> = { "1001": 999, "1002": 898, "1003": 1499 };

function source(kind: "online" | "offline", price = (id: string) => PRICES[id] ?? 0) {
  const state = { down: false, commitError: null as Error | null, committed: [] as Transaction[] };
  const ds: DataSource = {
    ...OWN_DATA_UNUSED,
    kind,
    async findProduct(code) {
      if (state.down) throw new RequestFailure({ kind: "network", code: "ECONNREFUSED" }, "refused");
      if (!(code in PRICES)) return null;
      return { id: code, name: `item ${code}`, taxGroup: "standard", taxRatePpm: 103_500, unitPrice: price(code) };
    },
    searchCustomers: async () => [],
    createCustomer: async () => {
      throw new Error("unused");
    },
    signIn: async (id) => ({ id, name: "Alex", role: "cashier" }),
    async commitTransaction(tx) {
      if (state.down) throw new RequestFailure({ kind: "timeout", afterMs: 5000 }, "timeout");
      if (state.commitError) throw state.commitError;
      state.committed.push(tx);
      return { id: tx.id, status: kind === "online" ? "stored" : "pending" };
    },
  };
  return { ds, state };
}

function setup() {
  const clock = new VirtualClock(0);
  const online = source("online");
  // Offline prices differ, so a test can tell where a line was priced.
  const offline = source("offline", (id) => (PRICES[id] ?? 0) + 1);
  const manager = new ConnectionManager({
    clock,
    store: createMemoryStateStore(initialConnectionState(0)),
    rules: {
      timeoutMs: 5000,
      reconnectMs: 60_000,
      advancedOfflineSwitching: false,
      healthCheckMs: 60_000,
      supportsOffline: true,
      allowManualOfflineBeforeSignIn: false,
      slowResponseThresholdMs: 0,
      slowResponseCount: 0,
    },
    online: online.ds,
    offline: offline.ds,
    offlineReadiness: () => ({ ok: true }),
    probe: async () => ({ kind: "response", status: 200 }),
  });
  let reserved = 0;
  const numbers = createNumberAllocator(
    {
      reserveNumbers: (_id, block) => {
        const first = reserved + 1;
        reserved += block;
        return { first, last: reserved };
      },
    },
    "SEA01-R1",
  );
  const session = new SaleSession({
    clock,
    manager,
    numbers,
    context: {
      registerId: "SEA01-R1",
      store: "SEA01",
      currency: "USD",
      decimals: 2,
      tenders: [
        { id: "cash", name: "Cash", kind: "cash", allowedOffline: true },
        { id: "card", name: "Card", kind: "card", allowedOffline: true },
        { id: "giftcard", name: "Gift card", kind: "giftcard", allowedOffline: false },
      ],
    },
  });
  return { session, online, offline, manager };
}

describe("SaleSession", () => {
  it("a failover mid-sale keeps the lines already priced and stores the sale offline under the same id", async () => {
    const t = setup();
    await t.session.signIn("000160", "1234");
    await t.session.addItem("1001");
    t.online.state.down = true;
    await t.session.addItem("1002");
    await t.session.addItem("2 x 1003");
    expect(t.session.cart.lines.map((l) => l.unitPrice)).toEqual([999, 899, 1500]);
    const receipt = await t.session.pay("card");
    expect(receipt).toMatchObject({ status: "pending", transaction: { id: "SEA01-R1-000001" } });
    expect(t.offline.state.committed.map((x) => x.id)).toEqual(["SEA01-R1-000001"]);
    expect(t.manager.mode).toBe("offline-auto");
  });

  it("an online checkout that times out is stored offline with the same content", async () => {
    const t = setup();
    await t.session.signIn("000160", "1234");
    await t.session.addItem("1001");
    t.online.state.down = true;
    const receipt = await t.session.pay("cash", "20");
    expect(receipt?.status).toBe("pending");
    expect(receipt?.change).toBe(2000 - (receipt?.transaction.total ?? 0));
  });

  it("gift card offline is refused and leaves the cart and payments intact", async () => {
    const t = setup();
    await t.session.signIn("000160", "1234");
    t.manager.disconnect();
    await t.session.addItem("1001");
    await expect(t.session.pay("giftcard")).rejects.toThrow(/not available offline/);
    expect(t.session.cart.lines).toHaveLength(1);
    expect(t.session.payment?.tenders ?? []).toHaveLength(0);
    expect((await t.session.pay("card"))?.status).toBe("pending");
  });

  it("a checkout the server refuses (business error) is not completed and can be paid again", async () => {
    const t = setup();
    await t.session.signIn("000160", "1234");
    await t.session.addItem("1001");
    t.online.state.commitError = new OperationError("conflict", "TransactionConflict");
    await expect(t.session.pay("card")).rejects.toThrow("conflict");
    expect(t.session.cart.lines).toHaveLength(1);
    expect(t.session.remaining()).toBeGreaterThan(0);
    t.online.state.commitError = null;
    const receipt = await t.session.pay("card");
    // The refused attempt used up number 1: a gap, never a reuse.
    expect(receipt?.transaction.id).toBe("SEA01-R1-000002");
  });

  it("bad amounts and unknown tenders are usage errors", async () => {
    const t = setup();
    await t.session.signIn("000160", "1234");
    await t.session.addItem("1001");
    await expect(t.session.pay("cash", "1.234")).rejects.toMatchObject({ exitCode: 2 });
    await expect(t.session.pay("bitcoin")).rejects.toMatchObject({ code: "UnknownTender" });
  });
});

describe("SaleSession after a refused checkout", () => {
  it.each([
    ["add", (session: SaleSession) => session.addItem("1002")],
    ["void", async (session: SaleSession) => session.voidLine(1)],
    ["discount", async (session: SaleSession) => session.discount(1, 10)],
  ])("%s after the refusal: the amount due is the new total and tenders equal it", async (_name, change) => {
    const t = setup();
    await t.session.signIn("000160", "1234");
    await t.session.addItem("1001");
    await t.session.addItem("1003");
    t.online.state.commitError = new OperationError("refused", "ValidationFailed");
    await expect(t.session.pay("card")).rejects.toThrow("refused");
    t.online.state.commitError = null;
    const before = t.session.totals().total;
    await change(t.session);
    const due = t.session.totals().total;
    expect(due).not.toBe(before);
    expect(t.session.remaining()).toBe(due);
    const receipt = await t.session.pay("card");
    const tx = receipt?.transaction;
    expect(tx?.total).toBe(due);
    expect(tx?.tenders.reduce((sum, x) => sum + x.amount, 0)).toBe(due);
  });

  it("a split payment refused at checkout is dropped whole: nothing was taken, the cart can change", async () => {
    const t = setup();
    await t.session.signIn("000160", "1234");
    await t.session.addItem("1001");
    await t.session.addItem("1002");
    expect(await t.session.pay("cash", "5")).toBeNull();
    t.online.state.commitError = new OperationError("refused", "ValidationFailed");
    await expect(t.session.pay("card")).rejects.toThrow("refused");
    t.online.state.commitError = null;
    expect(t.session.payment).toBeNull();
    t.session.voidLine(2);
    const receipt = await t.session.pay("card");
    expect(receipt?.transaction.tenders).toEqual([{ tender: "card", kind: "card", amount: 1102, change: 0 }]);
    expect(receipt?.transaction.total).toBe(1102);
  });
});

describe("SaleSession with a sale in doubt", () => {
  /** An online-only register whose checkout answers can be lost; the ledger is what the online source records. */
  function inDoubtSetup() {
    const clock = new VirtualClock(0);
    const sent = new Map<string, Transaction>();
    const state = { lost: 0, stored: [] as string[] };
    const online: DataSource = {
      ...OWN_DATA_UNUSED,
      kind: "online",
      findProduct: async (code) => ({
        id: code,
        name: code,
        taxGroup: "standard",
        taxRatePpm: 103_500,
        unitPrice: PRICES[code] ?? 0,
      }),
      searchCustomers: async () => [],
      createCustomer: async () => {
        throw new Error("unused");
      },
      signIn: async (id) => ({ id, name: "Alex", role: "cashier" }),
      async commitTransaction(tx) {
        sent.set(tx.id, tx);
        const duplicate = state.stored.includes(tx.id);
        if (!duplicate) state.stored.push(tx.id); // the server commits, then the answer may be lost
        if (state.lost > 0) {
          state.lost--;
          throw new RequestFailure({ kind: "network", code: "ECONNRESET" }, "reset");
        }
        sent.delete(tx.id);
        return { id: tx.id, status: duplicate ? "duplicate" : "stored" };
      },
    };
    const manager = new ConnectionManager({
      clock,
      store: createMemoryStateStore(initialConnectionState(0)),
      rules: {
        timeoutMs: 5000,
        reconnectMs: 60_000,
        advancedOfflineSwitching: false,
        healthCheckMs: 60_000,
        supportsOffline: false,
        allowManualOfflineBeforeSignIn: false,
        slowResponseThresholdMs: 0,
        slowResponseCount: 0,
      },
      online,
      offline: null,
      offlineReadiness: () => ({ ok: true }),
      probe: async () => ({ kind: "response", status: 200 }),
    });
    let reserved = 0;
    const resolved: InDoubtResolution[] = [];
    const journal: string[] = [];
    const session = new SaleSession({
      clock,
      manager,
      numbers: createNumberAllocator(
        {
          reserveNumbers: (_id, block) => {
            const first = reserved + 1;
            reserved += block;
            return { first, last: reserved };
          },
        },
        "SEA01-R2",
      ),
      inDoubt: { isInDoubt: (id) => sent.has(id), list: () => [...sent.values()].map(toWire) },
      onResolved: (r) => resolved.push(r),
      journal: (r) => journal.push(r.transaction.id),
      context: {
        registerId: "SEA01-R2",
        store: "SEA01",
        currency: "USD",
        decimals: 2,
        tenders: [{ id: "card", name: "Card", kind: "card", allowedOffline: true }],
      },
    });
    return { session, state, resolved, journal };
  }

  it("one lost answer: the same sale is sent again at once and completes exactly once", async () => {
    const t = inDoubtSetup();
    await t.session.signIn("000160", "1234");
    await t.session.addItem("1001");
    t.state.lost = 1;
    const receipt = await t.session.pay("card");
    expect(receipt).toMatchObject({ status: "duplicate", transaction: { id: "SEA01-R2-000001" } });
    expect(t.state.stored).toEqual(["SEA01-R2-000001"]);
  });

  it("answers lost for good: TransactionInDoubt (exit 3); the next sale settles it first, exactly once", async () => {
    const t = inDoubtSetup();
    await t.session.signIn("000160", "1234");
    await t.session.addItem("1001");
    t.state.lost = 2;
    await expect(t.session.pay("card")).rejects.toMatchObject({ code: "TransactionInDoubt", exitCode: 3 });
    expect(t.session.cart.lines).toHaveLength(0);
    await t.session.addItem("1002");
    expect(t.resolved).toMatchObject([{ id: "SEA01-R2-000001", outcome: "completed" }]);
    expect(t.journal).toEqual(["SEA01-R2-000001"]);
    const receipt = await t.session.pay("card");
    expect(receipt?.transaction.id).toBe("SEA01-R2-000002");
    expect(t.state.stored).toEqual(["SEA01-R2-000001", "SEA01-R2-000002"]);
  });

  it("still no answer at the next sale: the new sale does not start", async () => {
    const t = inDoubtSetup();
    await t.session.signIn("000160", "1234");
    await t.session.addItem("1001");
    t.state.lost = 3;
    await expect(t.session.pay("card")).rejects.toMatchObject({ code: "TransactionInDoubt" });
    await expect(t.session.addItem("1002")).rejects.toMatchObject({ code: "TransactionInDoubt" });
    expect(t.session.cart.lines).toHaveLength(0);
  });
});
