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
import type { Row } from "../schema/tables.js";
import { ApiError, notFound, validationFailed } from "./api-error.js";
import type { HqStore } from "./hq/store.js";

export interface StoreCurrencyRow {
  currency: string;
  decimals: number;
}

export async function storeCurrency(hq: HqStore, store: string): Promise<StoreCurrencyRow> {
  const row = await hq.masterData.find("stores", { id: store });
  if (!row) throw notFound(`no store ${store}`);
  return { currency: String(row.currency), decimals: Number(row.decimals) };
}

/** A major-unit amount in minor units of the store's currency; 400 when it has more decimals than the currency. */
export async function amountForStore(
  hq: HqStore,
  store: string,
  amount: string | number,
  field: string,
): Promise<number> {
  const { currency, decimals } = await storeCurrency(hq, store);
  const minor = parseAmount(amount, decimals);
  if (minor === undefined) {
    throw validationFailed(
      `${field}: ${amount} is not an amount in ${currency} (at most ${decimals} decimal${decimals === 1 ? "" : "s"})`,
    );
  }
  return minor;
}

export async function setPrice(
  hq: HqStore,
  product: string,
  store: string,
  amount: string | number,
): Promise<PriceAnswer> {
  const minor = await amountForStore(hq, store, amount, "amount");
  if (!(await hq.masterData.find("products", { id: product }))) throw notFound(`no product ${product}`);
  const changeVersion = await hq.masterData.change(async (w) => {
    await w.upsert("prices", { store_id: store, product_id: product, amount: minor });
    return w.version;
  });
  const { currency, decimals } = await storeCurrency(hq, store);
  return { product, store, amount: toMajor(minor, decimals), currency, changeVersion };
}

export async function productDetail(hq: HqStore, id: string): Promise<ProductDetail> {
  const product = await hq.masterData.find("products", { id });
  if (!product) throw notFound(`no product ${id}`);
  const barcodes = (await hq.masterData.rows("barcodes", { product_id: id })).map((b) => ({
    barcode: String(b.barcode),
    change_version: b.change_version,
  }));
  const stores = new Map((await hq.masterData.rows("stores")).map((s) => [String(s.id), s]));
  const prices = (await hq.masterData.rows("prices", { product_id: id }))
    .filter((p) => stores.has(String(p.store_id)))
    .map((p) => {
      const store = stores.get(String(p.store_id));
      return {
        store_id: String(p.store_id),
        amount: Number(p.amount),
        change_version: p.change_version,
        currency: String(store?.currency),
        decimals: Number(store?.decimals),
      };
    });
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

export async function addProduct(hq: HqStore, body: ProductAdd): Promise<ProductDetail> {
  if (await hq.masterData.find("products", { id: body.id })) {
    throw new ApiError(409, ERROR_CODES.alreadyExists, `product ${body.id} already exists (use set to change it)`);
  }
  await saveProduct(hq, body.id, body);
  return productDetail(hq, body.id);
}

export async function setProduct(hq: HqStore, id: string, body: ProductSet): Promise<ProductDetail> {
  if (!(await hq.masterData.find("products", { id }))) throw notFound(`no product ${id} (use add to create it)`);
  await saveProduct(hq, id, body);
  return productDetail(hq, id);
}

/** Checks everything first, then writes the product, its new barcodes and prices as one change. */
async function saveProduct(hq: HqStore, id: string, body: ProductSet): Promise<void> {
  if (body.taxGroup !== undefined) {
    const known = await hq.masterData.rows("tax_groups", { tax_group: body.taxGroup });
    if (known.length === 0) throw validationFailed(`body.taxGroup: no tax group ${body.taxGroup} at any store`);
  }
  const barcodes = body.barcodes ?? [];
  for (const [i, barcode] of barcodes.entries()) {
    if (!isValidEan13(barcode))
      throw validationFailed(`body.barcodes[${i}]: ${barcode} has a wrong EAN-13 check digit`);
    const owner = (await hq.masterData.find("barcodes", { barcode }))?.product_id;
    if (owner !== undefined && owner !== id) {
      throw new ApiError(409, ERROR_CODES.alreadyExists, `barcode ${barcode} belongs to product ${owner}`);
    }
  }
  const prices: Row[] = [];
  for (const [store, amount] of Object.entries(body.prices ?? {})) {
    prices.push({
      store_id: store,
      product_id: id,
      amount: await amountForStore(hq, store, amount, `body.prices.${store}`),
    });
  }
  await hq.masterData.change(async (w) => {
    const current = await w.find("products", { id });
    const row: Row = {
      id,
      name: body.name ?? current?.name ?? null,
      tax_group: body.taxGroup ?? current?.tax_group ?? null,
      unit: body.unit ?? current?.unit ?? "ea",
      active: body.active === undefined ? (current?.active ?? 1) : body.active ? 1 : 0,
    };
    const changed = !current || ["name", "tax_group", "unit", "active"].some((c) => row[c] !== current[c]);
    if (changed) await w.upsert("products", row);
    for (const barcode of barcodes) await w.upsert("barcodes", { barcode, product_id: id });
    for (const price of prices) await w.upsert("prices", price);
  });
}

/** Deletes the product with its barcodes and prices, leaving a tombstone for each row. */
export async function deleteProduct(hq: HqStore, id: string): Promise<ProductDeleteAnswer> {
  if (!(await hq.masterData.find("products", { id }))) throw notFound(`no product ${id}`);
  return hq.masterData.change(async (w) => {
    const barcodes = (await w.rows("barcodes", { product_id: id })).map((b) => String(b.barcode));
    const stores = (await w.rows("prices", { product_id: id })).map((p) => String(p.store_id));
    for (const barcode of barcodes) await w.delete("barcodes", { barcode });
    for (const store of stores) await w.delete("prices", { store_id: store, product_id: id });
    await w.delete("products", { id });
    return {
      id,
      changeVersion: w.version,
      tombstones: { products: 1, barcodes: barcodes.length, prices: stores.length },
    };
  });
}
