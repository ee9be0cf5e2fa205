// Shared pieces of the package tests: temp folders, sample rows, hand-made (possibly invalid) package files.
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { type Db, openDatabase } from "../../../src/lib/db.js";
import type { Row } from "../../../src/schema/tables.js";
import { TARGET_COLUMNS_UPGRADE, TARGET_MIGRATIONS } from "../../../src/schema/target.js";
import type { ExpectedSession } from "../../../src/sync/package/apply.js";
import type { PackageChange, PackageHeader } from "../../../src/sync/package/format.js";
import { writePackage } from "../../../src/sync/package/writer.js";

export interface TempDir {
  path(name: string): string;
  remove(): void;
}

export function tempDir(): TempDir {
  const dir = mkdtempSync(join(tmpdir(), "pos-package-test-"));
  let files = 0;
  return {
    // Every name gets a serial number, so two packages of one session never overwrite each other.
    path: (name) => join(dir, name.includes("#") ? name.replace("#", String(files++)) : name),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export interface Session {
  session: number;
  job?: string;
  full?: boolean;
  from: number;
  to: number;
}

/** Writes a package for `s` with the real writer; returns the file and what the session list would promise. */
export async function writeSessionPackage(
  dir: TempDir,
  database: string,
  s: Session,
  changes: PackageChange[],
): Promise<{ file: string; expected: ExpectedSession }> {
  const file = dir.path(`session-${s.session}-#.pkg.gz`);
  const job = s.job ?? "1040";
  const header = { session: s.session, job, database, full: s.full ?? false, fromVersion: s.from, toVersion: s.to };
  const written = await writePackage(file, header, changes);
  return { file, expected: { session: s.session, job, database, size: written.size, sha256: written.sha256 } };
}

export function openTarget(file: string): Db {
  return openDatabase(file, { migrations: [...TARGET_MIGRATIONS, TARGET_COLUMNS_UPGRADE] });
}

export const product = (id: string, name = `Product ${id}`): Row => ({
  id,
  name,
  tax_group: "STD",
  unit: "ea",
  active: 1,
});
export const barcode = (code: string, productId: string): Row => ({ barcode: code, product_id: productId });
export const price = (productId: string, amount: number, store = "SEA01"): Row => ({
  store_id: store,
  product_id: productId,
  amount,
});

export function header1040(fields: Partial<PackageHeader> = {}): PackageHeader {
  return {
    format: "pos-package/1",
    session: 1,
    job: "1040",
    database: "SEA01-R1-OFFLINE",
    full: false,
    fromVersion: 0,
    toVersion: 10,
    rows: {},
    ...fields,
  };
}

/** Writes lines as they are (valid or not) into a gzip file; returns what a session would promise about it. */
export function writeRawPackage(file: string, lines: Array<string | object>): { size: number; sha256: string } {
  const text = lines.map((line) => (typeof line === "string" ? line : JSON.stringify(line))).join("\n");
  const bytes = gzipSync(`${text}\n`);
  writeFileSync(file, bytes);
  return { size: bytes.length, sha256: createHash("sha256").update(bytes).digest("hex") };
}

/** Every row of every master-data table plus applied_sessions: equal snapshots mean an untouched database. */
export function snapshot(db: Db): Record<string, unknown[]> {
  const tables = ["products", "barcodes", "prices", "customers", "applied_sessions"];
  return Object.fromEntries(tables.map((t) => [t, db.prepare(`SELECT * FROM ${t} ORDER BY 1, 2`).all()]));
}

export function count(db: Db, table: string): number {
  return (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
}
