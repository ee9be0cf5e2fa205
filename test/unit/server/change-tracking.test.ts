import { afterEach, describe, expect, it } from "vitest";
import { VirtualClock } from "../../../src/lib/clock.js";
import type { Db } from "../../../src/lib/db.js";
import {
  currentChangeVersion,
  deleteTracked,
  findTracked,
  upsertTracked,
  withChange,
} from "../../../src/server/change-tracking.js";
import { loadMasterData } from "../../../src/server/data.js";
import { HQ_MIGRATIONS, openHqDatabase } from "../../../src/server/hq-db.js";

const open: Db[] = [];
const hqDb = () => {
  const db = openHqDatabase(":memory:");
  open.push(db);
  return db;
};
afterEach(() => {
  for (const db of open.splice(0)) db.close();
});

const clock = new VirtualClock();
const product = (id: string, name = `product ${id}`) => ({ id, name, tax_group: "standard", unit: "ea", active: 1 });

describe("HQ change tracking", () => {
  it("migrates a new database to the last version", () => {
    const db = hqDb();
    expect(db.pragma("user_version", { simple: true })).toBe(HQ_MIGRATIONS.length);
    expect(currentChangeVersion(db)).toBe(0);
  });

  it("gives every change one new version, shared by the rows it touches", () => {
    const db = hqDb();
    const v1 = withChange(db, (v) => {
      upsertTracked(db, "products", product("1"), v);
      upsertTracked(db, "products", product("2"), v);
      return v;
    });
    const v2 = withChange(db, (v) => {
      upsertTracked(db, "products", product("2", "renamed"), v);
      return v;
    });
    expect([v1, v2]).toEqual([1, 2]);
    expect(findTracked(db, "products", { id: "1" })?.change_version).toBe(1);
    expect(findTracked(db, "products", { id: "2" })).toMatchObject({ name: "renamed", change_version: 2 });
    expect(currentChangeVersion(db)).toBe(2);
  });

  it("keeps a tombstone for a delete and drops it when the row comes back", () => {
    const db = hqDb();
    withChange(db, (v) => upsertTracked(db, "prices", { store_id: "S", product_id: "1", amount: 100 }, v));
    const deleted = withChange(db, (v) => deleteTracked(db, "prices", { store_id: "S", product_id: "1" }, v));
    expect(deleted).toBe(true);
    const tombstones = () => db.prepare("SELECT table_name, key_json, row_json, change_version FROM tombstones").all();
    expect(tombstones()).toEqual([
      {
        table_name: "prices",
        key_json: '{"store_id":"S","product_id":"1"}',
        row_json: '{"store_id":"S","product_id":"1","amount":100}',
        change_version: 2,
      },
    ]);
    expect(withChange(db, (v) => deleteTracked(db, "prices", { store_id: "S", product_id: "1" }, v))).toBe(false);
    withChange(db, (v) => upsertTracked(db, "prices", { store_id: "S", product_id: "1", amount: 120 }, v));
    expect(tombstones()).toEqual([]);
  });

  it("rolls a failed change back entirely, version included", () => {
    const db = hqDb();
    expect(() =>
      withChange(db, (v) => {
        upsertTracked(db, "products", product("1"), v);
        throw new Error("boom");
      }),
    ).toThrow("boom");
    expect(currentChangeVersion(db)).toBe(0);
    expect(findTracked(db, "products", { id: "1" })).toBeUndefined();
  });

  it("loads master data as one change (channel databases get it through packages: cdx.test.ts)", () => {
    const db = hqDb();
    const rows = loadMasterData(
      db,
      {
        stores: [
          {
            id: "A",
            name: "A",
            currency: "USD",
            decimals: 2,
            offline_customer_creation: true,
            days_transactions_exist: 30,
            data_group: "G",
          },
          {
            id: "B",
            name: "B",
            currency: "JPY",
            decimals: 0,
            offline_customer_creation: 0,
            days_transactions_exist: 30,
            data_group: "G",
          },
        ],
        products: [product("1")],
        prices: [
          { store_id: "A", product_id: "1", amount: 100 },
          { store_id: "B", product_id: "1", amount: 150 },
        ],
      },
      clock,
    );
    expect(rows).toBe(5);
    expect(db.prepare("SELECT DISTINCT change_version FROM prices").pluck().all()).toEqual([1]);
  });
});
