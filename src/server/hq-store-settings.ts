// HQ: a store's customer settings (async mode, offline creation), changed as one tracked change that job 1070 carries.
import type { z } from "zod";
import type { StoreSettingsAnswer, storeSettingsBodySchema } from "../lib/api-store-settings.js";
import type { Row } from "../schema/tables.js";
import { notFound } from "./api-error.js";
import type { HqStore } from "./hq/store.js";

export async function setStoreSettings(
  hq: HqStore,
  id: string,
  body: z.output<typeof storeSettingsBodySchema>,
): Promise<StoreSettingsAnswer> {
  const current = await hq.masterData.find("stores", { id });
  if (!current) throw notFound(`no store ${id}`);
  const { change_version: currentVersion, ...row } = current;
  const next: Row = { ...row };
  if (body.customerAsyncMode !== undefined) next.customer_async_mode = body.customerAsyncMode ? 1 : 0;
  if (body.offlineCustomerCreation !== undefined) next.offline_customer_creation = body.offlineCustomerCreation ? 1 : 0;
  const same = Object.keys(next).every((c) => next[c] === row[c]);
  const changeVersion = same
    ? currentVersion
    : await hq.masterData.change(async (w) => {
        await w.upsert("stores", next);
        return w.version;
      });
  return {
    store: {
      id,
      customerAsyncMode: next.customer_async_mode === 1,
      offlineCustomerCreation: next.offline_customer_creation === 1,
    },
    changeVersion,
  };
}
