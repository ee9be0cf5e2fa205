import { readFileSync, writeFileSync } from "node:fs";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Db } from "../../../src/lib/db.js";
import {
  type ApplyResult,
  applyPackage,
  databaseVersion,
  type ExpectedSession,
} from "../../../src/sync/package/apply.js";
import { releasePackageReader } from "../../../src/sync/package/feed.js";
import { type PackageChange, PackageError } from "../../../src/sync/package/format.js";
import {
  barcode,
  count,
  header1040,
  openTarget,
  price,
  product,
  type Session,
  snapshot,
  type TempDir,
  tempDir,
  writeRawPackage,
  writeSessionPackage,
} from "./helpers.js";

const NOW = "2026-01-01T08:00:00.000Z";
const DATABASE = "SEA01-R1-OFFLINE";

let dir: TempDir;
let db: Db;
beforeEach(() => {
  dir = tempDir();
  db = openTarget(dir.path("offline.db"));
});
afterEach(() => {
  db.close();
  dir.remove();
});
afterAll(() => releasePackageReader());

const makePackage = (s: Session, changes: PackageChange[]) => writeSessionPackage(dir, DATABASE, s, changes);

async function apply(s: Session, changes: PackageChange[]): Promise<ApplyResult> {
  const { file, expected } = await makePackage(s, changes);
  return applyPackage(db, file, expected, { now: NOW });
}

const catalog: PackageChange[] = [
  { table: "products", op: "upsert", row: product("P1") },
  { table: "products", op: "upsert", row: product("P2") },
  { table: "barcodes", op: "upsert", row: barcode("4006381333931", "P1") },
  { table: "prices", op: "upsert", row: price("P1", 1299) },
  { table: "prices", op: "upsert", row: price("P2", 450) },
];

describe("applyPackage", () => {
  it("applies upserts and deletes and records the session in the same commit", async () => {
    await apply({ session: 1, from: 0, to: 10 }, catalog);
    const result = await apply({ session: 2, from: 10, to: 12 }, [
      { table: "prices", op: "upsert", row: price("P1", 999) },
      { table: "prices", op: "delete", key: { store_id: "SEA01", product_id: "P2" } },
      { table: "products", op: "delete", key: { id: "P2" } },
    ]);
    expect(result).toMatchObject({
      session: 2,
      job: "1040",
      alreadyApplied: false,
      fromVersion: 10,
      toVersion: 12,
      rows: { prices: 2, products: 1 },
      upserts: 1,
      deletes: 2,
    });
    expect(db.prepare("SELECT id FROM products").pluck().all()).toEqual(["P1"]);
    expect(db.prepare("SELECT product_id, amount FROM prices").all()).toEqual([{ product_id: "P1", amount: 999 }]);
    expect(db.prepare("SELECT * FROM applied_sessions WHERE session = 2").get()).toMatchObject({
      job: "1040",
      database: DATABASE,
      full: 0,
      from_version: 10,
      to_version: 12,
      applied_at: NOW,
    });
    const recorded = db.prepare("SELECT rows FROM applied_sessions WHERE session = 2").pluck().get() as string;
    expect(JSON.parse(recorded)).toEqual({ prices: 2, products: 1 });
    expect(databaseVersion(db, "1040")).toBe(12);
  });

  it("refuses a package whose bytes changed on disk (checksum) and leaves the database as it was", async () => {
    await apply({ session: 1, from: 0, to: 10 }, catalog);
    const { file, expected } = await makePackage({ session: 2, from: 10, to: 11 }, [
      { table: "products", op: "upsert", row: product("P3") },
    ]);
    const bytes = readFileSync(file);
    const middle = Math.floor(bytes.length / 2);
    bytes[middle] = (bytes[middle] ?? 0) ^ 0x01;
    writeFileSync(file, bytes);
    const before = snapshot(db);

    const error = await applyPackage(db, file, expected, { now: NOW }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PackageError);
    expect((error as PackageError).message).toContain("checksum");
    expect(snapshot(db)).toEqual(before);
    expect(count(db, "products")).toBe(2);
  });

  it("refuses a package of the wrong size before reading it", async () => {
    const { file, expected } = await makePackage({ session: 1, from: 0, to: 10 }, catalog);
    await expect(applyPackage(db, file, { ...expected, size: expected.size + 1 }, { now: NOW })).rejects.toThrow(
      /size/,
    );
    expect(count(db, "applied_sessions")).toBe(0);
  });

  it("refuses a version gap and applies nothing", async () => {
    await apply({ session: 1, from: 0, to: 10 }, catalog);
    const before = snapshot(db);
    await expect(
      apply({ session: 3, from: 12, to: 20 }, [{ table: "products", op: "upsert", row: product("P3") }]),
    ).rejects.toThrow("version gap: package starts at 12 but database is at 10 for job 1040");
    expect(snapshot(db)).toEqual(before);
  });

  it("refuses an incremental package before any of its job was applied unless it starts at 0", async () => {
    await expect(apply({ session: 5, from: 7, to: 9 }, catalog)).rejects.toThrow(
      "version gap: package starts at 7 but database is at 0 for job 1040",
    );
    await apply({ session: 6, from: 0, to: 9 }, catalog);
    // Versions are per job: job 1010 still starts from nothing.
    await apply({ session: 7, job: "1010", from: 0, to: 3 }, [
      {
        table: "customers",
        op: "upsert",
        row: { id: "C1", name: "Ann", email: null, phone: null, account_allowed: 0 },
      },
    ]);
    expect(databaseVersion(db, "1040")).toBe(9);
    expect(databaseVersion(db, "1010")).toBe(3);
  });

  it("a full package is accepted at any version and replaces only its job's tables", async () => {
    await apply({ session: 1, from: 0, to: 10 }, catalog);
    await apply({ session: 2, job: "1010", from: 0, to: 2 }, [
      {
        table: "customers",
        op: "upsert",
        row: { id: "C1", name: "Ann", email: null, phone: null, account_allowed: 1 },
      },
    ]);
    const result = await apply({ session: 9, full: true, from: 0, to: 500 }, [
      { table: "products", op: "upsert", row: product("P7") },
      { table: "prices", op: "upsert", row: price("P7", 100) },
    ]);
    expect(result).toMatchObject({ full: true, upserts: 2, deletes: 0 });
    expect(db.prepare("SELECT id FROM products").pluck().all()).toEqual(["P7"]);
    expect(count(db, "barcodes")).toBe(0);
    expect(db.prepare("SELECT product_id FROM prices").pluck().all()).toEqual(["P7"]);
    expect(count(db, "customers")).toBe(1);
    expect(databaseVersion(db, "1040")).toBe(500);
    // The next incremental follows the full package.
    await apply({ session: 10, from: 500, to: 501 }, [{ table: "products", op: "upsert", row: product("P8") }]);
    expect(count(db, "products")).toBe(2);
  });

  it("applies a session once: the second time is a no-op", async () => {
    const { file, expected } = await makePackage({ session: 4, from: 0, to: 10 }, catalog);
    const first = await applyPackage(db, file, expected, { now: NOW });
    db.prepare("UPDATE prices SET amount = 1 WHERE product_id = 'P1'").run();
    const second = await applyPackage(db, file, expected, { now: "2026-01-02T00:00:00.000Z" });
    expect(first.alreadyApplied).toBe(false);
    expect(second).toMatchObject({ session: 4, alreadyApplied: true, upserts: 0, deletes: 0, toVersion: 10 });
    expect(db.prepare("SELECT amount FROM prices WHERE product_id = 'P1'").pluck().get()).toBe(1);
    expect(db.prepare("SELECT applied_at FROM applied_sessions").pluck().all()).toEqual([NOW]);
  });

  it("refuses another package under a session id already applied", async () => {
    await apply({ session: 4, from: 0, to: 10 }, catalog);
    await expect(apply({ session: 4, from: 10, to: 11 }, catalog.slice(0, 1))).rejects.toThrow(
      /session 4 was already applied from a different package/,
    );
  });

  it("an apply failing on its last line leaves rows and applied_sessions exactly as before", async () => {
    await apply({ session: 1, from: 0, to: 10 }, catalog);
    const before = snapshot(db);
    const many: PackageChange[] = [];
    for (let i = 0; i < 5000; i++) many.push({ table: "products", op: "upsert", row: product(`N${i}`) });
    many.push({ table: "prices", op: "delete", key: { store_id: "SEA01", product_id: "P1" } });
    // Valid JSON and a valid checksum, but NOT NULL in the schema: only the database can refuse it.
    many.push({ table: "products", op: "upsert", row: { ...product("BAD"), name: null } });

    const error = await apply({ session: 2, from: 10, to: 20 }, many).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PackageError);
    expect((error as PackageError).message).toMatch(/line 5003: products upsert failed: NOT NULL constraint failed/);
    expect((error as PackageError).line).toBe(5003);
    expect(snapshot(db)).toEqual(before);
    expect(db.inTransaction).toBe(false);
  });

  it.each<[string, Partial<ExpectedSession>, RegExp]>([
    ["session", { session: 99 }, /header mismatch: session is 1, the session says 99/],
    ["job", { job: "1010" }, /header mismatch: job is "1040", the session says "1010"/],
    ["database", { database: "SEA01-R2-OFFLINE" }, /header mismatch: database is "SEA01-R1-OFFLINE"/],
  ])("refuses a header whose %s differs from the session's", async (_, change, message) => {
    const { file, expected } = await makePackage({ session: 1, from: 0, to: 10 }, catalog);
    await expect(applyPackage(db, file, { ...expected, ...change }, { now: NOW })).rejects.toThrow(message);
    expect(count(db, "products")).toBe(0);
  });

  it.each<[string, Array<string | object>, RegExp]>([
    ["a bad header", [{ ...header1040(), format: "zip" }], /^package line 1: header: format/],
    ["a bad line", [header1040({ rows: { products: 1 } }), { table: "products", op: "merge" }], /^package line 2: op/],
    [
      "a short package",
      [header1040({ rows: { products: 2 } }), { table: "products", op: "upsert", row: product("P1") }],
      /^package line 2: header promises 2 products changes but the package has 1/,
    ],
    ["a job that is not a download job", [header1040({ job: "P-0001" })], /line 1: job P-0001 is not a download job/],
  ])("refuses %s with its line and applies nothing", async (_, lines, message) => {
    const file = dir.path("raw.pkg.gz");
    const { size, sha256 } = writeRawPackage(file, lines);
    const job = String((lines[0] as { job?: string }).job ?? "1040");
    await expect(
      applyPackage(db, file, { session: 1, job, database: DATABASE, size, sha256 }, { now: NOW }),
    ).rejects.toThrow(message);
    expect(snapshot(db).applied_sessions).toEqual([]);
    expect(count(db, "products")).toBe(0);
  });

  it("refuses to run inside a caller's open transaction", async () => {
    const { file, expected } = await makePackage({ session: 1, from: 0, to: 10 }, catalog);
    db.exec("BEGIN");
    await expect(applyPackage(db, file, expected, { now: NOW })).rejects.toThrow(/outside any transaction/);
    db.exec("ROLLBACK");
  });

  it("applies to two databases at once, each on its own reader thread", async () => {
    const other = openTarget(dir.path("other.db"));
    try {
      const one = await makePackage({ session: 1, from: 0, to: 10 }, catalog);
      const two = await makePackage({ session: 1, from: 0, to: 10 }, catalog.slice(0, 2));
      const results = await Promise.all([
        applyPackage(db, one.file, one.expected, { now: NOW }),
        applyPackage(other, two.file, two.expected, { now: NOW }),
      ]);
      expect(results.map((r) => r.upserts)).toEqual([5, 2]);
      expect([count(db, "products"), count(other, "products")]).toEqual([2, 2]);
      expect([count(db, "prices"), count(other, "prices")]).toEqual([2, 0]);
    } finally {
      other.close();
    }
  });

  it("applies packages back to back on one reusable reader thread", async () => {
    let version = 0;
    for (let session = 1; session <= 5; session++) {
      await apply({ session, from: version, to: version + 1 }, [
        { table: "products", op: "upsert", row: product(`P${session}`) },
      ]);
      version++;
    }
    expect(count(db, "products")).toBe(5);
    expect(count(db, "applied_sessions")).toBe(5);
  });
});
