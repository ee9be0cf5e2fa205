// HQ product master data: add, change, show, delete products with their barcodes and per-store prices.
import type { z } from "zod";
import { isValidEan13 } from "../domain/ean13.js";
import { parseAmount, toMajor } from "../domain/money.js";
import {
  ERROR_CODES,
  type PriceAnswer,
  type ProductDeleteAnswer,
  type ProductDetail,
  type productAddBodySchema,
  type productSetBodySchema,
} from "../lib/api.js";
import { type Db, prepared, preparedPluck } from "../lib/db.js";
import type { Row } from "../schema/tables.js";
import { ApiError, notFound, validationFailed } from "./api-error.js";
import { deleteTracked, findTracked, upsertTracked, withChange } from "./change-tracking.js";

export interface StoreCurrencyRow {
  currency: string;
  decimals: number;
}

export function storeCurrency(hq: Db, store: string): StoreCurrencyRow {
  const row = prepared(hq, "SELECT currency, decimals FROM stores WHERE id = ?").get(store) as
    | StoreCurrencyRow
    | undefined;
  if (!row) throw notFound(`no store ${store}`);
  return row;
}

/** A major-unit amount in minor units of the store's currency; 400 when it has more decimals than the currency. */
export function amountForStore(hq: Db, store: string, amount: string | number, field: string): number {
  const { currency, decimals } = storeCurrency(hq, store);
  const minor = parseAmount(amount, decimals);
  if (minor === undefined) {
    throw validationFailed(
      `${field}: ${amount} is not an amount in ${currency} (at most ${decimals} decimal${decimals === 1 ? "" : "s"})`,
    );
  }
  return minor;
}

export function setPrice(hq: Db, product: string, store: string, amount: string | number): PriceAnswer {
  const minor = amountForStore(hq, store, amount, "amount");
  if (!findTracked(hq, "products", { id: product })) throw notFound(`no product ${product}`);
  const changeVersion = withChange(hq, (version) => {
    upsertTracked(hq, "prices", { store_id: store, product_id: product, amount: minor }, version);
    return version;
  });
  const { currency, decimals } = storeCurrency(hq, store);
  return { product, store, amount: toMajor(minor, decimals), currency, changeVersion };
}

export function productDetail(hq: Db, id: string): ProductDetail {
  const product = findTracked(hq, "products", { id });
  if (!product) throw notFound(`no product ${id}`);
  const barcodes = prepared(
    hq,
    "SELECT barcode, change_version FROM barcodes WHERE product_id = ? ORDER BY barcode",
  ).all(id) as { barcode: string; change_version: number }[];
  const prices = prepared(
    hq,
    `SELECT p.store_id, p.amount, p.change_version, s.currency, s.decimals FROM prices p
     JOIN stores s ON s.id = p.store_id WHERE p.product_id = ? ORDER BY p.store_id`,
  ).all(id) as { store_id: string; amount: number; change_version: number; currency: string; decimals: number }[];
  const versions = [
    product.change_version,
    ...barcodes.map((b) => b.change_version),
    ...prices.map((p) => p.change_version),
  ];
  return {
    id,
    name: String(product.name),
    taxGroup: String(product.tax_group),
    unit: String(product.unit),
    active: product.active === 1,
    changeVersion: Math.max(...versions),
    rowVersion: product.change_version,
    barcodes: barcodes.map((b) => ({ barcode: b.barcode, changeVersion: b.change_version })),
    prices: prices.map((p) => ({
      store: p.store_id,
      amount: toMajor(p.amount, p.decimals),
      currency: p.currency,
      changeVersion: p.change_version,
    })),
  };
}

type ProductAdd = z.output<typeof productAddBodySchema>;
type ProductSet = z.output<typeof productSetBodySchema>;

export function addProduct(hq: Db, body: ProductAdd): ProductDetail {
  if (findTracked(hq, "products", { id: body.id })) {
    throw new ApiError(409, ERROR_CODES.alreadyExists, `product ${body.id} already exists (use set to change it)`);
  }
  saveProduct(hq, body.id, body);
  return productDetail(hq, body.id);
}

export function setProduct(hq: Db, id: string, body: ProductSet): ProductDetail {
  if (!findTracked(hq, "products", { id })) throw notFound(`no product ${id} (use add to create it)`);
  saveProduct(hq, id, body);
  return productDetail(hq, id);
}

/** Checks everything first, then writes the product, its new barcodes and prices as one change. */
function saveProduct(hq: Db, id: string, body: ProductSet): void {
  if (body.taxGroup !== undefined) {
    const known = prepared(hq, "SELECT 1 FROM tax_groups WHERE tax_group = ? LIMIT 1").get(body.taxGroup);
    if (!known) throw validationFailed(`body.taxGroup: no tax group ${body.taxGroup} at any store`);
  }
  const barcodes = body.barcodes ?? [];
  barcodes.forEach((barcode, i) => {
    if (!isValidEan13(barcode))
      throw validationFailed(`body.barcodes[${i}]: ${barcode} has a wrong EAN-13 check digit`);
    const owner = preparedPluck(hq, "SELECT product_id FROM barcodes WHERE barcode = ?").get(barcode) as
      | string
      | undefined;
    if (owner !== undefined && owner !== id) {
      throw new ApiError(409, ERROR_CODES.alreadyExists, `barcode ${barcode} belongs to product ${owner}`);
    }
  });
  const prices = Object.entries(body.prices ?? {}).map(([store, amount]) => ({
    store_id: store,
    product_id: id,
    amount: amountForStore(hq, store, amount, `body.prices.${store}`),
  }));
  withChange(hq, (version) => {
    const current = findTracked(hq, "products", { id });
    const row: Row = {
      id,
      name: body.name ?? current?.name ?? null,
      tax_group: body.taxGroup ?? current?.tax_group ?? null,
      unit: body.unit ?? current?.unit ?? "ea",
      active: body.active === undefined ? (current?.active ?? 1) : body.active ? 1 : 0,
    };
    const changed = !current || ["name", "tax_group", "unit", "active"].some((c) => row[c] !== current[c]);
    if (changed) upsertTracked(hq, "products", row, version);
    for (const barcode of barcodes) upsertTracked(hq, "barcodes", { barcode, product_id: id }, version);
    for (const price of prices) upsertTracked(hq, "prices", price, version);
  });
}

/** Deletes the product with its barcodes and prices, leaving a tombstone for each row. */
export function deleteProduct(hq: Db, id: string): ProductDeleteAnswer {
  if (!findTracked(hq, "products", { id })) throw notFound(`no product ${id}`);
  return withChange(hq, (version) => {
    const barcodes = preparedPluck(hq, "SELECT barcode FROM barcodes WHERE product_id = ?").all(id) as string[];
    const stores = preparedPluck(hq, "SELECT store_id FROM prices WHERE product_id = ?").all(id) as string[];
    for (const barcode of barcodes) deleteTracked(hq, "barcodes", { barcode }, version);
    for (const store of stores) deleteTracked(hq, "prices", { store_id: store, product_id: id }, version);
    deleteTracked(hq, "products", { id }, version);
    return {
      id,
      changeVersion: version,
      tombstones: { products: 1, barcodes: barcodes.length, prices: stores.length },
    };
  });
}
