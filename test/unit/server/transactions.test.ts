import { afterEach, describe, expect, it } from "vitest";
import { VirtualClock } from "../../../src/lib/clock.js";
import type { Db } from "../../../src/lib/db.js";
import { openChannelDatabase } from "../../../src/server/channel-db.js";
import { listConflicts } from "../../../src/server/channel-views.js";
import {
  canonicalJson,
  checkTransaction,
  contentHash,
  saleTarget,
  storeTransactions,
  uploadTransactions,
} from "../../../src/server/transactions.js";
import { buildSale } from "../../helpers/server.js";

const device = { register: "SEA01-R1", store: "SEA01" };
const usd = { currency: "USD", decimals: 2 };
const clock = new VirtualClock();
const sale = (seq: number, qty = 1) =>
  buildSale({
    id: `SEA01-R1-${String(seq).padStart(6, "0")}`,
    store: "SEA01",
    register: "SEA01-R1",
    currency: "USD",
    decimals: 2,
    lines: [{ item: "1001", qty, price: 9.99, taxGroup: "standard", taxRate: 10.35 }],
  });

const dbs: Db[] = [];
/** A channel database with the rows the sales below refer to (item, staff, tax group, tender). */
const channel = () => {
  const db = openChannelDatabase(":memory:");
  db.exec(`INSERT INTO products VALUES ('1001', 'Mug', 'standard', 'ea', 1);
    INSERT INTO staff VALUES ('000160', 'Ann', 'cashier', 'x', '["SEA01"]', '[]');
    INSERT INTO tax_groups VALUES ('SEA01', 'standard', 'Sales tax', 103500);
    INSERT INTO tenders VALUES ('SEA01', 'card', 'Card', 'card', 1);`);
  dbs.push(db);
  return db;
};
const usdOf = (db: Db) => saleTarget(db, "SEA01", usd);
afterEach(() => {
  for (const db of dbs.splice(0)) db.close();
});

const checked = (raw: unknown) => {
  const c = checkTransaction(raw, device, usdOf(channel()));
  if (!c.ok) throw new Error(c.message);
  return c.transaction;
};

describe("content hash", () => {
  it("does not depend on key order", () => {
    expect(canonicalJson({ b: 1, a: [{ d: 2, c: 3 }] })).toBe('{"a":[{"c":3,"d":2}],"b":1}');
  });

  it("ignores mode (an online sale re-sent from the offline queue is the same sale) but not content", () => {
    const tx = sale(1);
    expect(contentHash({ ...tx, mode: "offline" })).toBe(contentHash(tx));
    expect(contentHash(sale(1, 2))).not.toBe(contentHash(tx));
  });
});

describe("storing transactions", () => {
  it("stores, then treats the same content as a duplicate and other content as a conflict", () => {
    const db = channel();
    expect(storeTransactions(db, [checked(sale(1))], clock).map((o) => o.status)).toEqual(["stored"]);
    expect(storeTransactions(db, [checked(sale(1))], clock).map((o) => o.status)).toEqual(["duplicate"]);
    const changed = { ...sale(1, 2) };
    expect(storeTransactions(db, [checked(changed)], clock).map((o) => o.status)).toEqual(["conflict"]);
    expect(storeTransactions(db, [checked(changed)], clock).map((o) => o.status)).toEqual(["conflict"]);
    const stored = db.prepare("SELECT id, total_minor, body FROM transactions").all() as { body: string }[];
    expect(stored).toHaveLength(1);
    expect(JSON.parse(stored[0]?.body ?? "{}")).toEqual(sale(1));
    // The same conflicting copy sent twice is one conflict with two attempts.
    const conflicts = db.prepare("SELECT transaction_id, attempts FROM transaction_conflicts").all();
    expect(conflicts).toEqual([{ transaction_id: "SEA01-R1-000001", attempts: 2 }]);
    expect(listConflicts(new Map([["SEA01", db]])).conflicts[0]).toMatchObject({ transactionId: "SEA01-R1-000001" });
  });

  it("gives each stored transaction the next replication counter; duplicates inside one batch count once", () => {
    const db = channel();
    const results = uploadTransactions(db, [sale(1), sale(2), sale(1), sale(3)], device, usdOf(db), clock);
    expect(results.map((r) => r.status)).toEqual(["stored", "stored", "duplicate", "stored"]);
    expect(db.prepare("SELECT replication_counter FROM transactions ORDER BY id").pluck().all()).toEqual([1, 2, 3]);
  });

  it("stores a whole batch or nothing", () => {
    const db = channel();
    db.exec(
      "CREATE TRIGGER fail_third BEFORE INSERT ON transactions WHEN NEW.id = 'SEA01-R1-000003' BEGIN SELECT RAISE(ABORT, 'disk full'); END",
    );
    expect(() => uploadTransactions(db, [sale(1), sale(2), sale(3)], device, usdOf(db), clock)).toThrow(/disk full/);
    expect(db.prepare("SELECT COUNT(*) FROM transactions").pluck().get()).toBe(0);
  });

  it.each([
    ["another register", { register: "SEA01-R2", id: "SEA01-R2-000001" }, 403, "Forbidden"],
    ["another store", { store: "TYO01" }, 400, "ValidationFailed"],
    ["another currency", { currency: "JPY" }, 400, "ValidationFailed"],
    ["an id of another register", { id: "SEA01-R9-000001" }, 400, "ValidationFailed"],
    ["totals that do not add up", { total: 11.03 }, 422, "TotalsMismatch"],
  ])("refuses %s", (_name, change, statusCode, code) => {
    const result = checkTransaction({ ...sale(1), ...change }, device, usdOf(channel()));
    expect(result).toMatchObject({ ok: false, statusCode, code });
  });
});

describe("what no register would send (422 naming the field)", () => {
  type Wire = ReturnType<typeof sale>;
  const edit = (f: (w: Wire) => void) => {
    const w = structuredClone(sale(1));
    f(w);
    return w;
  };
  it.each([
    ["a date that is not one", edit((w) => (w.createdAt = "not a date")), "transaction.createdAt:"],
    ["unknown staff", edit((w) => (w.staff = "999999")), "transaction.staff: 999999"],
    ["an unknown item", edit((w) => ((w.lines[0] as Wire["lines"][0]).item = "NOPE")), "transaction.lines[0].item:"],
    ["an unknown customer", edit((w) => (w.customer = "777777")), "transaction.customer: 777777"],
    [
      "a sale of nothing paid with nothing (100% off, no tender)",
      edit((w) => {
        Object.assign(w.lines[0] as Wire["lines"][0], { discountPct: 100, amount: 0, tax: 0 });
        Object.assign(w, { subtotal: 0, tax: 0, total: 0, tenders: [] });
      }),
      "transaction.tenders: a sale is paid",
    ],
    ["an unknown tender", edit((w) => ((w.tenders[0] as Wire["tenders"][0]).tender = "bitcoin")), "tenders[0].tender"],
    [
      "a tender kind the store's tender does not have",
      edit((w) => ((w.tenders[0] as Wire["tenders"][0]).kind = "cash")),
      "tenders[0].kind",
    ],
  ])("refuses %s", (_name, raw, message) => {
    const result = checkTransaction(raw, device, usdOf(channel()));
    expect(result).toMatchObject({ ok: false, statusCode: 422, code: "ValidationFailed" });
    expect(result.ok ? "" : result.message).toContain(message);
  });

  it("accepts a customer created offline on this register (its temporary id)", () => {
    const raw = edit((w) => (w.customer = "TMP-SEA01-R1-0001"));
    expect(checkTransaction(raw, device, usdOf(channel())).ok).toBe(true);
    const other = edit((w) => (w.customer = "TMP-SEA01-R2-0001"));
    expect(checkTransaction(other, device, usdOf(channel())).ok).toBe(false);
  });

  it("answers a resend of a stored sale as a duplicate even after its item and staff are gone", () => {
    const db = channel();
    expect(uploadTransactions(db, [sale(1)], device, usdOf(db), clock)[0]?.status).toBe("stored");
    db.exec("DELETE FROM products; DELETE FROM staff;");
    expect(uploadTransactions(db, [sale(1), sale(2)], device, usdOf(db), clock)).toEqual([
      { id: "SEA01-R1-000001", status: "duplicate" },
      { id: "SEA01-R1-000002", status: "rejected", message: expect.stringContaining("transaction.staff: 000160") },
    ]);
    // Other content under a stored id is checked like any new sale, then recorded as a conflict only if valid.
    const changed = edit((w) => (w.createdAt = "later"));
    expect(checkTransaction(changed, device, usdOf(db))).toMatchObject({ ok: false, statusCode: 422 });
  });
});

describe("returns in an upload batch", () => {
  /** A return of one unit of line 1 of `original`, as the register sends it. */
  const returnOf = (original: ReturnType<typeof sale>, seq: number) => {
    const back = sale(seq, -1);
    return { ...back, returnOf: original.id, lines: back.lines.map((l) => ({ ...l, returnOfLine: 1 })) };
  };

  it("a resend of a return the server already holds counts once: the last unit can still be returned", () => {
    const db = channel();
    const original = sale(1, 2);
    const first = returnOf(original, 2);
    expect(uploadTransactions(db, [original, first], device, usdOf(db), clock).map((r) => r.status)).toEqual([
      "stored",
      "stored",
    ]);
    // The answer to the first return was lost: the next push carries it again, with the return of the last unit.
    const second = returnOf(original, 3);
    const results = uploadTransactions(db, [first, second], device, usdOf(db), clock);
    expect(results.map((r) => r.status)).toEqual(["duplicate", "stored"]);
    // And nothing more is left to return.
    const third = uploadTransactions(db, [returnOf(original, 4)], device, usdOf(db), clock);
    expect(third[0]).toMatchObject({ status: "rejected", message: expect.stringMatching(/ValidationFailed/) });
  });
});
