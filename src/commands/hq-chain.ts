// `pos hq store add`, `pos hq register add` and `pos hq transactions`: grow a chain and list what the server holds.
import type { Command } from "commander";
import type { RegisterAddAnswer, StoreAddAnswer, TransactionPage } from "../lib/api-chain.js";
import type { StoreSettingsAnswer } from "../lib/api-store-settings.js";
import { UsageError } from "../lib/errors.js";
import { type ConnectionOptions, hqAction, leaf } from "./hq-action.js";

interface StoreAddOptions extends ConnectionOptions {
  name: string;
  like?: string;
  currency?: string;
  decimals?: string;
  dataGroup?: string;
}

interface RegisterAddOptions extends ConnectionOptions {
  store?: string;
  name?: string;
  offlineProfile?: string;
  supportsOffline?: string;
  receiptMask?: string;
}

interface TransactionsOptions extends ConnectionOptions {
  store?: string;
  register?: string;
  since?: string;
  limit?: string;
}

function wholeNumber(text: string, flag: string, min: number, max: number): number {
  const n = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!(n >= min && n <= max))
    throw new UsageError(`${flag}: expected a whole number from ${min} to ${max}, got "${text}"`);
  return n;
}

function sinceOption(text: string): string {
  const ms = Date.parse(text);
  if (!/^\d{4}-\d{2}-\d{2}/.test(text) || Number.isNaN(ms)) {
    throw new UsageError(`--since: expected a date or time like 2026-01-05 or 2026-01-05T09:00:00Z, got "${text}"`);
  }
  return new Date(ms).toISOString();
}

const showTransactions = (d: { count: number; transactions: TransactionPage["transactions"] }) => {
  const lines = d.transactions.map(
    (t) => `${t.id}  ${t.register}  ${t.staff}  ${t.total} ${t.currency}  ${t.mode}  ${t.receivedAt}`,
  );
  const shown = d.transactions.length === d.count ? `${d.count}` : `${d.transactions.length} of ${d.count}`;
  return [...lines, `${shown} transaction${d.count === 1 ? "" : "s"}`].join("\n");
};

export function registerChainCommands(hq: Command, registerCmd: Command): void {
  const store = hq
    .command("store")
    .description("stores (each gets its channel database at once)")
    .addHelpText(
      "after",
      '\nExamples:\n  pos hq store add ST21 --name "Store 21" --like ST01\n  pos hq store set SEA01 --customer-async-mode on && pos cdx run 1070',
    );
  leaf(store.command("set <id>"), "pos hq store set SEA01 --customer-async-mode on && pos cdx run 1070")
    .description(
      "change a store's customer settings (job 1070 distributes them): async mode creates every new customer with a temporary id (Pending sync), even online",
    )
    .option("--customer-async-mode <on|off>", 'D365 "customer creation in async mode"')
    .option("--offline-customer-creation <on|off>", "whether registers may create customers offline")
    .action(
      hqAction(
        (c, o: ConnectionOptions & { customerAsyncMode?: string; offlineCustomerCreation?: string }, id: string) => {
          if (o.customerAsyncMode === undefined && o.offlineCustomerCreation === undefined) {
            throw new UsageError(
              "store set: nothing to change (give --customer-async-mode or --offline-customer-creation)",
            );
          }
          return c.setStore(id, {
            ...(o.customerAsyncMode === undefined
              ? {}
              : { customerAsyncMode: onOff(o.customerAsyncMode, "--customer-async-mode") }),
            ...(o.offlineCustomerCreation === undefined
              ? {}
              : { offlineCustomerCreation: onOff(o.offlineCustomerCreation, "--offline-customer-creation") }),
          });
        },
        (d: StoreSettingsAnswer) =>
          `store ${d.store.id}: customer async mode ${d.store.customerAsyncMode ? "on" : "off"}, offline customer creation ${d.store.offlineCustomerCreation ? "on" : "off"} (change version ${d.changeVersion}; run job 1070 to distribute)`,
      ),
    );
  leaf(store.command("add <id>"), 'pos hq store add ST21 --name "Store 21" --like ST01')
    .description("add a store; with --like, copy currency, data group, tax groups, tenders and prices from a store")
    .requiredOption("--name <name>", "store name")
    .option("--like <store>", "copy currency, decimals, data group, tax groups, tenders and prices from this store")
    .option("--currency <code>", "ISO 4217 currency (required without --like)")
    .option("--decimals <n>", "decimals of the currency (default 2 or the --like store's)")
    .option("--data-group <group>", "channel data group (default the --like store's)")
    .action(
      hqAction(
        (c, o: StoreAddOptions, id: string) =>
          c.addStore({
            id,
            name: o.name,
            ...(o.like ? { like: o.like } : {}),
            ...(o.currency ? { currency: o.currency } : {}),
            ...(o.decimals ? { decimals: wholeNumber(o.decimals, "--decimals", 0, 4) } : {}),
            ...(o.dataGroup ? { dataGroup: o.dataGroup } : {}),
          }),
        (d: StoreAddAnswer) =>
          `added store ${d.store.id} ${d.store.name} (${d.store.currency}, data group ${d.store.dataGroup}); ` +
          `${d.copied.from ? `copied from ${d.copied.from}: ` : ""}${d.copied.taxGroups} tax groups, ${d.copied.tenders} tenders, ` +
          `${d.copied.prices} prices; channel database ${d.database} got ${d.sessions} full packages (change version ${d.changeVersion})`,
      ),
    );

  leaf(registerCmd.command("add <id>"), "pos hq register add ST01-R11 --store ST01")
    .description("add a register to a store (supports offline unless --supports-offline false)")
    .option("--store <store>", "the register's store (default: the part of <id> before the dash)")
    .option("--name <name>", "register name")
    .option("--offline-profile <id>", "offline profile id (default DEFAULT)")
    .option("--supports-offline <bool>", "true (default) or false")
    .option("--receipt-mask <mask>", "receipt/transaction number mask (default <id>-######)")
    .action(
      hqAction(
        async (c, o: RegisterAddOptions, id: string) => {
          const { parseBoolean } = await import("../lib/admin-client.js");
          return c.addRegister({
            id,
            store: o.store ?? id.split("-")[0] ?? id,
            ...(o.name ? { name: o.name } : {}),
            ...(o.offlineProfile ? { offlineProfileId: o.offlineProfile } : {}),
            ...(o.supportsOffline ? { supportsOffline: parseBoolean(o.supportsOffline, "--supports-offline") } : {}),
            ...(o.receiptMask ? { receiptMask: o.receiptMask } : {}),
          });
        },
        (d: RegisterAddAnswer) =>
          `added register ${d.register.id} to store ${d.register.store}` +
          (d.offlineDatabase ? `; offline database ${d.offlineDatabase}` : "; online only") +
          ` (change version ${d.changeVersion}); next: pos register provision ${d.register.id}`,
      ),
    );

  leaf(hq.command("transactions"), "pos hq transactions --store ST01 --since 2026-01-05 --json")
    .description("list the transactions the server holds (every page), oldest first per store")
    .option("--store <store>", "only this store")
    .option("--register <register>", "only this register")
    .option("--since <time>", "received at or after this date or time (ISO 8601)")
    .option("--limit <n>", "at most this many")
    .action(
      hqAction(async (c, o: TransactionsOptions) => {
        const { allTransactions } = await import("../lib/admin-client.js");
        const filters = {
          ...(o.store ? { store: o.store } : {}),
          ...(o.register ? { register: o.register } : {}),
          ...(o.since ? { since: sinceOption(o.since) } : {}),
        };
        const max = o.limit === undefined ? undefined : wholeNumber(o.limit, "--limit", 1, Number.MAX_SAFE_INTEGER);
        return allTransactions(c, filters, max === undefined ? {} : { max });
      }, showTransactions),
    );
}

/** `on`/`off` (also true/false, yes/no, 1/0) for a store setting. */
function onOff(value: string, option: string): boolean {
  if (/^(on|true|yes|1)$/i.test(value)) return true;
  if (/^(off|false|no|0)$/i.test(value)) return false;
  throw new UsageError(`${option}: expected on or off, got "${value}"`);
}
