import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateFixtures, parseGenerateArgs } from "../../fixtures/generate.js";
import { addLine, cartTotals, emptyCart } from "../../src/domain/cart.js";
import { isValidEan13 } from "../../src/domain/ean13.js";
import { UsageError } from "../../src/lib/errors.js";
import { defaultFixturesDir, type FixtureData, loadFixtures } from "../../src/lib/fixtures.js";
import { verifyPassword } from "../../src/lib/password.js";
import { TABLE_NAMES } from "../../src/schema/tables.js";

const dir = defaultFixturesDir();
const data: FixtureData = loadFixtures(dir);
const storeIds = data.stores.map((s) => String(s.id));
const productIds = new Set(data.products.map((p) => String(p.id)));

const temps: string[] = [];
function tempDir(): string {
  const path = mkdtempSync(join(tmpdir(), "pos-fixtures-"));
  temps.push(path);
  return path;
}
afterAll(() => {
  for (const path of temps) rmSync(path, { recursive: true, force: true });
});

describe("committed fixtures", () => {
  it("has one file per master-data table and a few hundred products", () => {
    expect(
      readdirSync(dir)
        .filter((f) => f.endsWith(".json"))
        .sort(),
    ).toEqual(TABLE_NAMES.map((t) => `${t}.json`).sort());
    expect(data.products.length).toBeGreaterThanOrEqual(300);
    expect(data.customers.length).toBeGreaterThanOrEqual(25);
    expect(data.customers.some((c) => c.account_allowed === 1)).toBe(true);
  });

  it("has two stores in different tax regimes", () => {
    expect(data.stores.map((s) => [s.id, s.currency, s.decimals])).toEqual([
      ["SEA01", "USD", 2],
      ["TYO01", "JPY", 0],
    ]);
    const rate = (store: string, group: string) =>
      data.tax_groups.find((t) => t.store_id === store && t.tax_group === group)?.rate_ppm;
    expect([
      rate("SEA01", "standard"),
      rate("SEA01", "grocery"),
      rate("TYO01", "standard"),
      rate("TYO01", "reduced"),
    ]).toEqual([103_500, 0, 100_000, 80_000]);
  });

  it("gives every barcode a valid check digit and an existing product, and every product a barcode", () => {
    const bad = data.barcodes.filter((b) => !isValidEan13(String(b.barcode)) || !productIds.has(String(b.product_id)));
    expect(bad).toEqual([]);
    const withBarcode = new Set(data.barcodes.map((b) => String(b.product_id)));
    expect([...productIds].filter((id) => !withBarcode.has(id))).toEqual([]);
    expect(data.barcodes.length).toBeGreaterThan(data.products.length);
  });

  it("prices every product in every store, in whole minor units", () => {
    const priced = new Set(data.prices.map((p) => `${p.store_id}/${p.product_id}`));
    const missing = storeIds.flatMap((s) =>
      [...productIds].filter((id) => !priced.has(`${s}/${id}`)).map((id) => `${s}/${id}`),
    );
    expect(missing).toEqual([]);
    expect(data.prices.filter((p) => !Number.isSafeInteger(p.amount) || Number(p.amount) <= 0)).toEqual([]);
    expect(data.prices.filter((p) => !productIds.has(String(p.product_id)))).toEqual([]);
  });

  it("defines every product's tax group in every store, and uses each group", () => {
    const groups = new Set(data.tax_groups.map((t) => `${t.store_id}/${t.tax_group}`));
    const missing = data.products.flatMap((p) =>
      storeIds.filter((s) => !groups.has(`${s}/${p.tax_group}`)).map((s) => `${p.id} in ${s}`),
    );
    expect(missing).toEqual([]);
    expect(new Set(data.products.map((p) => p.tax_group))).toEqual(new Set(["standard", "grocery", "reduced"]));
  });

  it("gives every staff member existing stores, and each store a cashier and a manager", () => {
    const stores = data.staff.map((s) => JSON.parse(String(s.stores)) as string[]);
    expect(stores.flat().filter((s) => !storeIds.includes(s))).toEqual([]);
    for (const store of storeIds) {
      const roles = data.staff.filter((_, i) => stores[i]?.includes(store)).map((s) => s.role);
      expect(roles).toEqual(expect.arrayContaining(["cashier", "manager"]));
    }
    expect(stores.some((s) => storeIds.every((id) => s.includes(id)))).toBe(true);
  });

  it.each([
    ["000160", "1234"],
    ["000170", "9999"],
    ["000260", "1234"],
    ["000270", "9999"],
    ["000300", "9999"],
  ])("staff %s signs in with the demo password from fixtures/README.md", (id, password) => {
    const hash = String(data.staff.find((s) => s.id === id)?.password_hash);
    expect(hash).toMatch(/^scrypt\$/);
    expect(verifyPassword(password, hash)).toBe(true);
    expect(readFileSync(join(dir, "README.md"), "utf8")).toMatch(new RegExp(`\\|\\s*${id}\\s*\\|.*\`${password}\``));
  });

  it("points every register at an existing store and offline profile", () => {
    const profiles = new Set(data.offline_profiles.map((p) => p.id));
    expect(
      data.registers.filter((r) => !profiles.has(r.offline_profile_id) || !storeIds.includes(String(r.store_id))),
    ).toEqual([]);
    expect(data.registers.map((r) => [r.id, r.supports_offline, r.offline_profile_id])).toEqual([
      ["SEA01-R1", 1, "DEFAULT"],
      ["SEA01-R2", 0, "DEFAULT"],
      ["TYO01-R1", 1, "PAUSED"],
    ]);
    expect(data.offline_profiles.find((p) => p.id === "PAUSED")?.pause_offline_sync).toBe(1);
  });

  it("offers cash and card offline and gift card and account online only, in each store", () => {
    for (const store of storeIds) {
      const tenders = data.tenders.filter((t) => t.store_id === store).map((t) => [t.kind, t.allowed_offline]);
      expect(tenders).toEqual([
        ["cash", 1],
        ["card", 1],
        ["giftcard", 0],
        ["account", 0],
      ]);
    }
  });

  it.each([
    ["SEA01", 103_500, 3196],
    ["TYO01", 100_000, 4708],
  ])("sells 2 × 1001 + 1002 as standard-rated items in %s (total %i)", (store, ratePpm, total) => {
    let cart = emptyCart();
    for (const [id, qty] of [
      ["1001", 2],
      ["1002", 1],
    ] as const) {
      const product = data.products.find((p) => p.id === id);
      const price = data.prices.find((p) => p.store_id === store && p.product_id === id);
      expect(product?.tax_group).toBe("standard");
      const unitPrice = Number(price?.amount);
      cart = addLine(
        cart,
        { id, name: String(product?.name), taxGroup: "standard", taxRatePpm: ratePpm, unitPrice },
        qty,
      );
    }
    expect(cartTotals(cart).total).toBe(total);
    expect(data.products.find((p) => p.id === "1003")?.tax_group).toBe("standard");
  });
});

describe("generator", () => {
  const readAll = (path: string) =>
    Object.fromEntries(TABLE_NAMES.map((t) => [t, readFileSync(join(path, `${t}.json`))]));

  it("gives identical bytes for the same arguments", async () => {
    const [a, b] = [tempDir(), tempDir()];
    const ra = await generateFixtures({ products: 60, seed: 7, out: a });
    await generateFixtures({ products: 60, seed: 7, out: b });
    expect(ra.rows.products).toBe(60);
    expect(readAll(a)).toEqual(readAll(b));
    expect(loadFixtures(a).prices).toHaveLength(120);
  });

  it("gives another catalog for another seed, with the fixed sample items first", async () => {
    const [a, b] = [tempDir(), tempDir()];
    await generateFixtures({ products: 60, seed: 7, out: a });
    await generateFixtures({ products: 60, seed: 8, out: b });
    const products = (path: string) => loadFixtures(path).products;
    expect(products(a).map((p) => p.name)).not.toEqual(products(b).map((p) => p.name));
    expect(products(a).slice(0, 3)).toEqual(products(b).slice(0, 3));
  });

  it("reproduces the committed fixtures exactly (--products 320 --seed 1)", async () => {
    const out = tempDir();
    await generateFixtures({ products: 320, seed: 1, out });
    expect(readAll(out)).toEqual(readAll(dir));
  });

  it.each([
    [["--products", "320", "--seed", "1", "--out", "x"], { products: 320, seed: 1, out: "x" }],
    [["--products", "5", "--out", "x"], { products: 5, seed: 1, out: "x" }],
    [["--help"], "help"],
    [["--products", "0", "--out", "x"], '--products must be a whole number ≥ 1, got "0"'],
    [["--products", "1e6", "--out", "x"], '--products must be a whole number ≥ 1, got "1e6"'],
    [["--products", "5", "--seed=-1", "--out", "x"], '--seed must be a whole number from 0 to 4294967295, got "-1"'],
    [
      ["--products", "5", "--seed", "4294967296", "--out", "x"],
      '--seed must be a whole number from 0 to 4294967295, got "4294967296"',
    ],
    [["--products", "5"], "--out <dir> is required"],
    [["--products", "5", "--out", "x", "--bogus"], expect.stringMatching(/^Unknown option '--bogus'/)],
    [["extra"], expect.stringMatching(/positional/)],
  ])("parseGenerateArgs(%j)", (argv, expected) => {
    expect(parseGenerateArgs(argv)).toEqual(expected);
  });
});

describe("loadFixtures refuses a broken folder, naming file, row and field", () => {
  let good: string;
  beforeAll(() => {
    good = tempDir();
    cpSync(dir, good, { recursive: true, filter: (src) => !src.endsWith(".ts") });
  });

  function broken(table: string, edit: (rows: Record<string, unknown>[]) => unknown): string {
    const path = tempDir();
    cpSync(good, path, { recursive: true });
    const file = join(path, `${table}.json`);
    writeFileSync(file, JSON.stringify(edit(JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>[])));
    return path;
  }

  it.each([
    ["a file that is not an array", () => broken("stores", () => null), /stores\.json: expected a JSON array/],
    [
      "a missing field",
      () => broken("products", (rows) => rows.map(({ unit, ...rest }, i) => (i === 4 ? rest : { unit, ...rest }))),
      /products\.json: row 4: missing field "unit"/,
    ],
    [
      "an unknown field",
      () => broken("customers", (rows) => rows.map((r, i) => (i === 2 ? { ...r, vip: true } : r))),
      /customers\.json: row 2: unknown field "vip"/,
    ],
    [
      "a price in decimals",
      () => broken("prices", (rows) => rows.map((r, i) => (i === 7 ? { ...r, amount: 9.99 } : r))),
      /prices\.json: row 7: field "amount": expected a whole number or boolean, got 9.99/,
    ],
    [
      "a null name",
      () => broken("products", (rows) => rows.map((r, i) => (i === 0 ? { ...r, name: null } : r))),
      /products\.json: row 0: field "name": may not be null/,
    ],
    [
      "a duplicate key",
      () => broken("prices", (rows) => [...rows, rows[1]]),
      /prices\.json: row 640: duplicate key \(store_id=TYO01, product_id=1001\), first at row 1/,
    ],
    [
      "a row that is not an object",
      () => broken("tenders", (rows) => [...rows, "cash"]),
      /tenders\.json: row 8: expected an object/,
    ],
    [
      "a number where text belongs",
      () => broken("stores", (rows) => rows.map((r) => ({ ...r, currency: 840 }))),
      /stores\.json: row 0: field "currency": expected a string/,
    ],
  ])("%s", (_, make, message) => {
    const path = make();
    expect(() => loadFixtures(path)).toThrow(UsageError);
    expect(() => loadFixtures(path)).toThrow(message);
  });

  it("names a missing file", () => {
    const path = tempDir();
    cpSync(good, path, { recursive: true });
    rmSync(join(path, "registers.json"));
    expect(() => loadFixtures(path)).toThrow(/registers\.json: missing/);
  });

  it("names a file that is not JSON", () => {
    const path = tempDir();
    cpSync(good, path, { recursive: true });
    writeFileSync(join(path, "staff.json"), "[{");
    expect(() => loadFixtures(path)).toThrow(/staff\.json: not valid JSON/);
  });

  it("turns booleans into 0/1 and arrays into JSON text", () => {
    const path = broken("registers", (rows) => rows.map((r) => ({ ...r, supports_offline: r.supports_offline === 1 })));
    const loaded = loadFixtures(path);
    expect(loaded.registers.map((r) => r.supports_offline)).toEqual([1, 0, 1]);
    expect(loaded.staff[5]?.stores).toBe('["SEA01","TYO01"]');
  });
});
