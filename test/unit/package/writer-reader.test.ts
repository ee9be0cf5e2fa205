import { createHash } from "node:crypto";
import { createReadStream, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type PackageChange, PackageError } from "../../../src/sync/package/format.js";
import { type PackageEntry, readPackage, readPackageHeader } from "../../../src/sync/package/reader.js";
import { createPackageWriter, type PackageHeaderInput, writePackage } from "../../../src/sync/package/writer.js";
import { barcode, header1040, price, product, type TempDir, tempDir, writeRawPackage } from "./helpers.js";

let dir: TempDir;
beforeEach(() => {
  dir = tempDir();
});
afterEach(() => dir.remove());

const changes: PackageChange[] = [
  { table: "products", op: "upsert", row: product("P1") },
  { table: "products", op: "upsert", row: product("P2", 'Mug "large" ☕') },
  { table: "barcodes", op: "upsert", row: barcode("4006381333931", "P1") },
  { table: "prices", op: "upsert", row: price("P1", 1299) },
  { table: "prices", op: "delete", key: { store_id: "SEA01", product_id: "P9" } },
  { table: "products", op: "delete", key: { id: "P9" } },
];
const fields: PackageHeaderInput = {
  session: 42,
  job: "1040",
  database: "SEA01-R1-OFFLINE",
  full: false,
  fromVersion: 1200,
  toVersion: 1388,
};

async function readAll(file: string): Promise<PackageEntry[]> {
  const entries: PackageEntry[] = [];
  for await (const entry of readPackage(file)) entries.push(entry);
  return entries;
}

describe("writePackage → readPackage", () => {
  it.each([
    ["counts given up front", { ...fields, rows: { products: 3, barcodes: 1, prices: 2 } }],
    ["counts taken while writing", fields],
  ])("round-trips upserts and deletes of several tables (%s)", async (_, header) => {
    const file = dir.path("p.pkg.gz");
    const result = await writePackage(file, header, changes);
    expect(result.rows).toEqual({ products: 3, barcodes: 1, prices: 2 });

    const entries = await readAll(file);
    expect(entries[0]).toEqual({
      kind: "header",
      line: 1,
      header: { format: "pos-package/1", ...fields, rows: { products: 3, barcodes: 1, prices: 2 } },
    });
    expect(entries.slice(1)).toEqual(changes.map((change, i) => ({ kind: "change", line: i + 2, change })));
    // Only the finished file remains: no partial or temporary body beside it.
    expect(readdirSync(dirname(file))).toEqual(["p.pkg.gz"]);
  });

  it("reports the size and the SHA-256 of the compressed bytes on disk", async () => {
    const file = dir.path("p.pkg.gz");
    const result = await writePackage(file, fields, changes);
    const bytes = readFileSync(file);
    expect(result.size).toBe(statSync(file).size);
    expect(result.sha256).toBe(createHash("sha256").update(bytes).digest("hex"));
  });

  it("writes line 1 exactly as SPEC §3 shows it, then one change per line", async () => {
    const file = dir.path("p.pkg.gz");
    await writePackage(file, { ...fields, rows: { products: 1, prices: 1 } }, [
      changes[0],
      changes[4],
    ] as PackageChange[]);
    const lines = gunzipSync(readFileSync(file)).toString("utf8").split("\n");
    expect(lines[0]).toBe(
      '{"format":"pos-package/1","session":42,"job":"1040","database":"SEA01-R1-OFFLINE","full":false,"fromVersion":1200,"toVersion":1388,"rows":{"products":1,"prices":1}}',
    );
    expect(lines[2]).toBe('{"table":"prices","op":"delete","key":{"store_id":"SEA01","product_id":"P9"}}');
    expect(lines).toHaveLength(4);
    expect(lines[3]).toBe("");
  });

  it("streams many rows across chunks and honours back-pressure", async () => {
    const file = dir.path("big.pkg.gz");
    const writer = createPackageWriter(file, fields);
    for (let i = 0; i < 30_000; i++) {
      if (!writer.upsert("products", product(`P${i}`))) await writer.drained();
    }
    const result = await writer.close();
    let n = 0;
    for await (const entry of readPackage(createReadStream(file))) if (entry.kind === "change") n++;
    expect(n).toBe(30_000);
    expect(result.rows).toEqual({ products: 30_000 });
  });

  it("refuses to finish when the counts given up front were not met, leaving no file", async () => {
    const file = dir.path("p.pkg.gz");
    await expect(writePackage(file, { ...fields, rows: { products: 5 } }, changes.slice(0, 2))).rejects.toThrow(
      /header promises 5 products changes but the package has 2/,
    );
    expect(existsSync(file)).toBe(false);
    expect(readdirSync(dirname(file))).toEqual([]);
  });

  it("removes every partial file when the changes fail half-way", async () => {
    const file = dir.path("p.pkg.gz");
    function* failing(): Generator<PackageChange> {
      for (let i = 0; i < 20_000; i++) yield { table: "products", op: "upsert", row: product(`P${i}`) };
      throw new Error("HQ read failed");
    }
    await expect(writePackage(file, fields, failing())).rejects.toThrow("HQ read failed");
    expect(readdirSync(dirname(file))).toEqual([]);
  });

  it("validates the header before writing anything", () => {
    expect(() => createPackageWriter(dir.path("p.pkg.gz"), { ...fields, fromVersion: -1 })).toThrow(PackageError);
    expect(() => createPackageWriter(dir.path("p.pkg.gz"), { ...fields, rows: { staff: 1 } })).toThrow(
      /table "staff" is not part of job 1040/,
    );
  });

  it("reads only the header when asked", async () => {
    const file = dir.path("p.pkg.gz");
    await writePackage(file, fields, changes);
    expect((await readPackageHeader(file)).session).toBe(42);
  });
});

describe("readPackage validation", () => {
  const good = { table: "products", op: "upsert", row: product("P1") };
  it.each<[string, Array<string | object>, RegExp]>([
    ["line 1 not JSON", ["{nope"], /^package line 1: not valid JSON/],
    ["wrong format", [{ ...header1040(), format: "pos-package/2" }], /^package line 1: header: format:/],
    ["header field missing", [{ ...header1040(), session: undefined }], /^package line 1: header: session:/],
    ["versions backwards", [header1040({ fromVersion: 9, toVersion: 3 })], /line 1: header: toVersion/],
    ["line not JSON", [header1040({ rows: { products: 2 } }), good, "{oops"], /^package line 3: not valid JSON/],
    ["unknown table", [header1040(), { ...good, table: "prodcts" }], /^package line 2: unknown table "prodcts"/],
    ["table of another job", [header1040(), { ...good, table: "staff" }], /line 2: table "staff" is not part of job/],
    ["bad op", [header1040(), { ...good, op: "merge" }], /^package line 2: op must be "upsert" or "delete"/],
    [
      "row lacks a column",
      [header1040({ rows: { products: 1 } }), good, { table: "prices", op: "upsert", row: { store_id: "S" } }],
      /^package line 3: row for prices lacks column "product_id"/,
    ],
    [
      "key lacks a key column",
      [header1040(), { table: "prices", op: "delete", key: { product_id: "P1" } }],
      /^package line 2: key for prices lacks column "store_id"/,
    ],
    [
      "value is an object",
      [header1040(), { ...good, row: { ...product("P1"), name: { en: "x" } } }],
      /line 2: row.name of products must be a string, number or null/,
    ],
    ["empty line", [header1040({ rows: { products: 1 } }), "", good], /^package line 2: is empty/],
    ["counts differ", [header1040({ rows: { products: 2 } }), good], /line 2: header promises 2 products changes/],
  ])("%s → names the line", async (_, lines, message) => {
    const file = dir.path("bad.pkg.gz");
    writeRawPackage(file, lines);
    const error = await readAll(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PackageError);
    expect((error as PackageError).message).toMatch(message);
    expect((error as PackageError).exitCode).toBe(1);
  });

  it("an empty file is a header error", async () => {
    const file = dir.path("empty.pkg.gz");
    writeFileSync(file, gzipSync(""));
    await expect(readAll(file)).rejects.toThrow(/line 1: is empty: line 1 must be the header/);
  });

  it("a truncated file is reported as undecompressable", async () => {
    const file = dir.path("p.pkg.gz");
    await writePackage(file, fields, changes);
    const bytes = readFileSync(file);
    const cut = dir.path("cut.pkg.gz");
    writeFileSync(cut, bytes.subarray(0, bytes.length - 10));
    await expect(readAll(cut)).rejects.toThrow(/cannot be decompressed/);
  });
});
