import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Db } from "../../../src/lib/db.js";
import { createOfflineStore, type OfflineStore } from "../../../src/offline/offline-store.js";
import { openOfflineDatabase } from "../../../src/schema/offline.js";
import { buildSale } from "../../helpers/server.js";

let db: Db;
let local: OfflineStore;
beforeEach(() => {
  db = openOfflineDatabase(":memory:");
  local = createOfflineStore(db);
  db.exec(`
    INSERT INTO stores VALUES ('SEA01', 'Seattle', 'USD', 2, 1, 30, 'DG1', NULL);
    INSERT INTO products VALUES ('1001', 'Mug', 'STD', 'ea', 1), ('1002', 'Old mug', 'STD', 'ea', 0);
    INSERT INTO barcodes VALUES ('4006381333931', '1001');
    INSERT INTO prices VALUES ('SEA01', '1001', 999), ('TYO01', '1001', 1500), ('SEA01', '1002', 100);
    INSERT INTO tax_groups VALUES ('SEA01', 'STD', 'Standard', 103500);
    INSERT INTO customers VALUES ('004001', 'Karen Berg', 'karen@example.com', NULL, 1);
  `);
});
afterEach(() => db.close());

const sale = (seq: number, createdAt = "2026-03-01T10:00:00.000Z") =>
  buildSale({
    id: `SEA01-R1-${String(seq).padStart(6, "0")}`,
    store: "SEA01",
    register: "SEA01-R1",
    currency: "USD",
    decimals: 2,
    createdAt,
    mode: "offline",
    lines: [{ item: "1001", price: 9.99, taxGroup: "STD", taxRate: 10.35 }],
  });

describe("offline store", () => {
  it("finds an active product by id or barcode with the store's price and tax rate", () => {
    const mug = { id: "1001", name: "Mug", taxGroup: "STD", taxRatePpm: 103500, unitPrice: 999 };
    expect(local.findProduct("SEA01", "1001")).toEqual(mug);
    expect(local.findProduct("SEA01", "4006381333931")).toEqual(mug);
    expect(local.findProduct("TYO01", "1001")).toMatchObject({ unitPrice: 1500, taxRatePpm: 0 });
    expect(local.findProduct("SEA01", "1002")).toBeNull(); // inactive
    expect(local.findProduct("SEA01", "9999")).toBeNull();
    expect(local.productCount()).toBe(2);
  });

  it("reserves transaction numbers in blocks that never overlap", () => {
    expect(local.reserveNumbers("SEA01-R1", 50)).toEqual({ first: 1, last: 50 });
    expect(local.reserveNumbers("SEA01-R1", 50)).toEqual({ first: 51, last: 100 });
    expect(local.reserveNumbers("SEA01-R2", 10)).toEqual({ first: 1, last: 10 });
  });

  it("queues sales: pending in number order, marked only while pending, conflicts kept", () => {
    for (const seq of [2, 1, 3]) local.saveTransaction(sale(seq), seq, 1103, "pending", "2026-03-01T10:00:00.000Z");
    local.saveTransaction(sale(4), 4, 1103, "online", "2026-03-01T10:00:00.000Z");
    expect(local.pending(10).map((t) => t.seq)).toEqual([1, 2, 3]);
    expect(local.pending(2).map((t) => t.seq)).toEqual([1, 2]);
    expect(local.pendingSummary()).toEqual({ count: 3, oldest: "2026-03-01T10:00:00.000Z" });
    expect(JSON.parse(local.transaction("SEA01-R1-000001")?.body ?? "{}")).toEqual(sale(1));

    local.markUploaded(
      [
        { id: "SEA01-R1-000001", status: "uploaded" },
        { id: "SEA01-R1-000002", status: "conflict", message: "409 TransactionConflict" },
        // Online already: a confirmation never rewrites a row that is not pending.
        { id: "SEA01-R1-000004", status: "conflict", message: "ignored" },
      ],
      "2026-03-01T11:00:00.000Z",
    );
    expect(local.transaction("SEA01-R1-000001")).toMatchObject({
      status: "uploaded",
      status_at: "2026-03-01T11:00:00.000Z",
    });
    expect(local.transaction("SEA01-R1-000004")).toMatchObject({ status: "online", message: null });
    expect(local.conflicts().map((t) => [t.id, t.message])).toEqual([["SEA01-R1-000002", "409 TransactionConflict"]]);
    expect(local.conflictCount()).toBe(1);
    expect(local.pendingSummary().count).toBe(1);
  });

  it("purges only confirmed transactions older than the cut-off", () => {
    local.saveTransaction(sale(1, "2026-01-01T10:00:00.000Z"), 1, 1, "pending", "x");
    local.saveTransaction(sale(2, "2026-01-01T10:00:00.000Z"), 2, 1, "online", "x");
    local.saveTransaction(sale(3, "2026-03-01T10:00:00.000Z"), 3, 1, "online", "x");
    expect(local.purgeUploaded("2026-02-01T00:00:00.000Z")).toBe(1);
    expect(local.transaction("SEA01-R1-000001")?.status).toBe("pending");
    expect(local.transaction("SEA01-R1-000002")).toBeUndefined();
    expect(local.transaction("SEA01-R1-000003")?.status).toBe("online");
  });

  it("counts failed sign-ins, blocks at the limit, and clearing keeps a block", () => {
    expect(local.recordLogonFailure("000160", 3, "t1")).toEqual({ failures: 1, blocked: false });
    local.clearLogonFailures("000160");
    expect(local.logonFailures("000160")).toEqual({ failures: 0, blockedAt: null });
    for (const at of ["t2", "t3"]) local.recordLogonFailure("000160", 3, at);
    expect(local.recordLogonFailure("000160", 3, "t4")).toEqual({ failures: 3, blocked: true });
    local.clearLogonFailures("000160");
    expect(local.logonFailures("000160")).toEqual({ failures: 3, blockedAt: "t4" });
  });

  it("creates customers offline with numbered temporary ids, found by search until HQ confirms them", () => {
    const a = local.createOfflineCustomer("SEA01-R1", { name: "Ana Ruiz" }, "t1");
    const b = local.createOfflineCustomer("SEA01-R1", { name: "Bo Li", email: "bo@example.com" }, "t2");
    expect([a, b]).toEqual(["TMP-SEA01-R1-0001", "TMP-SEA01-R1-0002"]);
    expect(local.searchCustomers("Ana")).toEqual([
      { id: a, name: "Ana Ruiz", email: null, phone: null, account_allowed: 0, pendingSync: true },
    ]);
    expect(local.searchCustomers("karen")).toMatchObject([{ id: "004001", pendingSync: false }]);
    // LIKE wildcards in the query are literal.
    expect(local.searchCustomers("%")).toEqual([]);
  });

  it("says whether anyone can sign in offline", () => {
    expect(local.hasStaff()).toBe(false);
    db.exec(`INSERT INTO staff VALUES ('000160', 'Alex Kim', 'cashier', 'scrypt$x', '["SEA01"]', '["sale"]')`);
    expect(local.hasStaff()).toBe(true);
    expect(local.staff("000160")).toEqual({
      id: "000160",
      name: "Alex Kim",
      role: "cashier",
      passwordHash: "scrypt$x",
      stores: ["SEA01"],
    });
    expect(local.staff("nobody")).toBeNull();
  });
});
