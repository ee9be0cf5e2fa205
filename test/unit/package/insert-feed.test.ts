import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Db } from "../../../src/lib/db.js";
import type { PackageFeed } from "../../../src/sync/package/feed.js";
import type { FeedBatch, FeedEnd, FeedLines } from "../../../src/sync/package/feed-protocol.js";
import { PackageError } from "../../../src/sync/package/format.js";
import { insertFeed } from "../../../src/sync/package/insert-feed.js";
import { count, header1040, openTarget, price, product, type TempDir, tempDir } from "./helpers.js";

// The reader thread decides at run time whether it parses lines itself (batch) or hands them over (lines);
// a scripted feed pins both paths down.
let dir: TempDir;
let db: Db;
beforeEach(() => {
  dir = tempDir();
  db = openTarget(dir.path("target.db"));
});
afterEach(() => {
  db.close();
  dir.remove();
});

function scriptedFeed(messages: Array<FeedBatch | FeedLines | FeedEnd>): PackageFeed {
  const queue = [...messages];
  return {
    header: header1040(),
    next: () => {
      const message = queue.shift();
      if (!message) throw new Error("feed read past its end");
      return message;
    },
    close: async () => undefined,
  };
}

/** products upsert = statement 2, prices upsert = 6, prices delete = 7 (TABLE_NAMES index × 2 + op). */
const batch = (statements: number[], values: unknown[]): FeedBatch => ({
  kind: "batch",
  statements: Uint8Array.from(statements),
  values: JSON.stringify(values),
});
const lines = (firstLine: number, changes: object[]): FeedLines => ({
  kind: "lines",
  firstLine,
  text: changes.map((c) => JSON.stringify(c)).join("\n"),
});

describe("insertFeed", () => {
  it("applies parsed batches and handed-over lines in order and counts them per table", () => {
    const result = db.transaction(() =>
      insertFeed(
        db,
        scriptedFeed([
          batch([2, 2, 6], ["P1", "One", "STD", "ea", 1, "P2", "Two", "STD", "ea", 1, "SEA01", "P1", 100]),
          lines(5, [
            { table: "prices", op: "upsert", row: price("P2", 200) },
            { table: "prices", op: "delete", key: { store_id: "SEA01", product_id: "P1" } },
          ]),
          batch([6], ["SEA01", "P1", 300]),
          { kind: "end", lines: 7 },
        ]),
      ),
    )();
    expect(result).toEqual({ rows: { products: 2, prices: 4 }, upserts: 5, deletes: 1, lines: 7 });
    expect(db.prepare("SELECT product_id, amount FROM prices ORDER BY 1").all()).toEqual([
      { product_id: "P1", amount: 300 },
      { product_id: "P2", amount: 200 },
    ]);
  });

  it.each([
    ["a parsed batch", [batch([2, 2], ["P1", "One", "STD", "ea", 1, "P2", null, "STD", "ea", 1])]],
    [
      "handed-over lines",
      [
        lines(2, [
          { table: "products", op: "upsert", row: product("P1") },
          { table: "products", op: "upsert", row: { ...product("P2"), name: null } },
        ]),
      ],
    ],
  ])("names the line of a row the database refuses in %s", (_, messages) => {
    const run = db.transaction(() => insertFeed(db, scriptedFeed([...messages, { kind: "end", lines: 3 }])));
    let error: unknown;
    try {
      run();
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(PackageError);
    expect((error as PackageError).line).toBe(3);
    expect((error as PackageError).message).toMatch(/^package line 3: products upsert failed: NOT NULL/);
    expect(count(db, "products")).toBe(0);
  });

  it("validates handed-over lines like the reader does", () => {
    const feed = scriptedFeed([lines(2, [{ table: "staff", op: "upsert", row: {} }]), { kind: "end", lines: 2 }]);
    expect(() => db.transaction(() => insertFeed(db, feed))()).toThrow(/line 2: table "staff" is not part of job 1040/);
  });
});
