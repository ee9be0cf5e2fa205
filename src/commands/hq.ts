// `pos hq …`: edit HQ master data through the admin API, so incremental packages have something to carry.
import type { Command } from "commander";
import type { ProductDetail } from "../lib/api.js";
import { UsageError } from "../lib/errors.js";
import { type ConnectionOptions, hqAction, leaf } from "./hq-action.js";
import { registerChainCommands } from "./hq-chain.js";

const collect = (value: string, previous: string[] = []) => [...previous, value];
const AMOUNT = /^\d+(\.\d+)?$/;

function checkAmount(amount: string, where: string): string {
  if (!AMOUNT.test(amount)) throw new UsageError(`${where}: expected an amount like 12.99, got "${amount}"`);
  return amount;
}

function prices(entries: string[] | undefined): Record<string, string> | undefined {
  if (!entries?.length) return undefined;
  const out: Record<string, string> = {};
  for (const entry of entries) {
    const match = /^([^=\s]+)=(.+)$/.exec(entry);
    if (!match?.[1] || !match[2]) throw new UsageError(`--price: expected STORE=AMOUNT, got "${entry}"`);
    out[match[1]] = checkAmount(match[2], `--price ${match[1]}`);
  }
  return out;
}

const showProduct = (p: ProductDetail) =>
  [
    `${p.id}  ${p.name}  (tax group ${p.taxGroup}, unit ${p.unit}${p.active ? "" : ", inactive"})`,
    `change version ${p.changeVersion}`,
    `barcodes: ${p.barcodes.map((b) => b.barcode).join(", ") || "none"}`,
    `prices: ${p.prices.map((x) => `${x.store} ${x.amount} ${x.currency} (v${x.changeVersion})`).join(", ") || "none"}`,
  ].join("\n");
/** An answer's own line plus the change version it made (what the next package will carry from). */
const versioned =
  <T extends { changeVersion: number }>(what: (d: T) => string) =>
  (d: T) =>
    `${what(d)} (change version ${d.changeVersion})`;

export function register(program: Command): void {
  const hq = program
    .command("hq")
    .addHelpText(
      "after",
      "\nExamples:\n  pos hq price set 1001 SEA01 12.49\n  pos --json hq product show 1001\n  pos hq staff unblock 000160",
    );

  const price = hq
    .command("price")
    .addHelpText("after", "\nExamples:\n  pos hq price set 1001 SEA01 12.49")
    .description("per-store prices");
  leaf(price.command("set <product> <store> <amount>"), "pos hq price set 1001 SEA01 12.49")
    .description("set a product's price at a store (amount in major units, tax excluded)")
    .action(
      hqAction(
        (c, _o, product: string, store: string, amount: string) =>
          c.setPrice(product, store, checkAmount(amount, "amount")),
        versioned((d) => `price of ${d.product} at ${d.store} is now ${d.amount} ${d.currency}`),
      ),
    );

  const product = hq
    .command("product")
    .addHelpText(
      "after",
      "\nExamples:\n  pos --json hq product show 1001\n  pos hq product set 1001 --price SEA01=10.49",
    )
    .description("products, their barcodes and prices");
  const productFields = (command: Command, required: boolean) =>
    command
      .option("--name <name>", required ? "product name (required)" : "product name")
      .option("--tax-group <group>", required ? "tax group: standard, grocery, reduced… (required)" : "tax group")
      .option("--unit <unit>", "unit of measure (default ea)")
      .option("--barcode <ean13>", "add an EAN-13 barcode (repeatable)", collect)
      .option("--price <store=amount>", "price at a store, e.g. SEA01=9.99 (repeatable)", collect);
  interface ProductOptions extends ConnectionOptions {
    name?: string;
    taxGroup?: string;
    unit?: string;
    barcode?: string[];
    price?: string[];
    active?: string;
  }
  productFields(
    leaf(
      product.command("add <id>"),
      'pos hq product add 9001 --name "Tea towel" --tax-group standard --price SEA01=6.50 --price TYO01=900',
    ),
    true,
  )
    .description("add a product")
    .action(
      hqAction(async (c, o: ProductOptions, id: string) => {
        if (!o.name || !o.taxGroup) throw new UsageError("product add needs --name and --tax-group");
        return c.addProduct({
          id,
          name: o.name,
          taxGroup: o.taxGroup,
          ...(o.unit ? { unit: o.unit } : {}),
          ...(o.barcode ? { barcodes: o.barcode } : {}),
          ...(o.price ? { prices: prices(o.price) ?? {} } : {}),
        });
      }, showProduct),
    );
  productFields(
    leaf(product.command("set <id>"), 'pos hq product set 1001 --name "Mug, 12 oz" --price SEA01=10.49'),
    false,
  )
    .option("--active <bool>", "true or false")
    .description("change a product (only the fields given)")
    .action(
      hqAction(async (c, o: ProductOptions, id: string) => {
        const { parseBoolean } = await import("../lib/admin-client.js");
        const body = {
          ...(o.name ? { name: o.name } : {}),
          ...(o.taxGroup ? { taxGroup: o.taxGroup } : {}),
          ...(o.unit ? { unit: o.unit } : {}),
          ...(o.active ? { active: parseBoolean(o.active, "--active") } : {}),
          ...(o.barcode ? { barcodes: o.barcode } : {}),
          ...(o.price ? { prices: prices(o.price) ?? {} } : {}),
        };
        if (Object.keys(body).length === 0)
          throw new UsageError("product set: nothing to change (give --name, --price, …)");
        return c.setProduct(id, body);
      }, showProduct),
    );
  leaf(product.command("show <id>"), "pos --json hq product show 1001")
    .description("show a product with its barcodes, prices and change versions")
    .action(hqAction((c, _o, id: string) => c.showProduct(id), showProduct));
  leaf(product.command("delete <id>"), "pos hq product delete 9001")
    .description("delete a product with its barcodes and prices (tombstones carry the deletes to stores)")
    .action(
      hqAction(
        (c, _o, id: string) => c.deleteProduct(id),
        versioned(
          (d) => `deleted product ${d.id} with ${d.tombstones.barcodes} barcode(s) and ${d.tombstones.prices} price(s)`,
        ),
      ),
    );

  const customer = hq
    .command("customer")
    .addHelpText("after", '\nExamples:\n  pos hq customer add 004100 --name "Ada Park" --email ada@example.com')
    .description("customers");
  leaf(customer.command("add <id>"), 'pos hq customer add 004100 --name "Ada Park" --email ada@example.com')
    .description("add a customer")
    .requiredOption("--name <name>", "customer name")
    .option("--email <email>", "e-mail address")
    .option("--phone <phone>", "phone number")
    .option("--account-allowed", "may pay on customer account")
    .action(
      hqAction(
        (
          c,
          o: ConnectionOptions & { name: string; email?: string; phone?: string; accountAllowed?: boolean },
          id: string,
        ) =>
          c.addCustomer({
            id,
            name: o.name,
            ...(o.email ? { email: o.email } : {}),
            ...(o.phone ? { phone: o.phone } : {}),
            accountAllowed: o.accountAllowed ?? false,
          }),
        versioned((d) => `added customer ${d.customer.id} ${d.customer.name}`),
      ),
    );

  leaf(customer.command("async"), "pos hq customer async --json")
    .description("customers created offline (operation 612): Pending until HQ's job creates them, then Created")
    .action(
      hqAction(
        (c) => c.asyncCustomers(),
        (d: {
          customers: Array<{
            tempId: string;
            register: string;
            name: string;
            status: string;
            customerId: string | null;
          }>;
        }) =>
          d.customers.length === 0
            ? "no customers created offline"
            : d.customers
                .map(
                  (x) =>
                    `${x.tempId}  ${x.register}  ${x.status}${x.customerId ? ` → ${x.customerId}` : ""}  ${x.name}`,
                )
                .join("\n"),
      ),
    );
  leaf(customer.command("sync-async"), "pos hq customer sync-async && pos cdx run 1010")
    .description(
      "synchronize customers from async mode: each customer created offline becomes a real customer (job 1010 then distributes it)",
    )
    .action(
      hqAction(
        (c) => c.syncAsyncCustomers(),
        (d: { created: Array<{ tempId: string; customerId: string }> }) =>
          d.created.length === 0
            ? "no customers waiting"
            : d.created.map((x) => `${x.tempId} → customer ${x.customerId}`).join("\n"),
      ),
    );

  const staff = hq
    .command("staff")
    .addHelpText("after", "\nExamples:\n  pos hq staff unblock 000160")
    .description("staff (workers)");
  leaf(
    staff.command("add <id>"),
    'pos hq staff add 000180 --name "Kai Moss" --role cashier --password 1234 --store SEA01',
  )
    .description("add a staff member (the password is stored as an scrypt hash)")
    .requiredOption("--name <name>", "name")
    .requiredOption("--role <role>", "cashier or manager")
    .requiredOption("--password <password>", "sign-in password")
    .requiredOption("--store <store>", "store the staff member may sign in at (repeatable)", collect)
    .option("--permission <permission>", "permission (repeatable; default: the role's)", collect)
    .action(
      hqAction(
        (
          c,
          o: ConnectionOptions & {
            name: string;
            role: string;
            password: string;
            store: string[];
            permission?: string[];
          },
          id: string,
        ) => {
          if (o.role !== "cashier" && o.role !== "manager") {
            throw new UsageError(`--role: expected cashier or manager, got "${o.role}"`);
          }
          return c.addStaff({
            id,
            name: o.name,
            role: o.role,
            password: o.password,
            stores: o.store,
            ...(o.permission ? { permissions: o.permission } : {}),
          });
        },
        versioned((d) => `added ${d.staff.role} ${d.staff.id} ${d.staff.name}`),
      ),
    );
  leaf(staff.command("unblock <id>"), "pos hq staff unblock 000160")
    .description("clear a staff id's failed sign-ins (blocked after five)")
    .action(
      hqAction(
        (c, _o, id: string) => c.unblockStaff(id),
        (d) =>
          d.wasBlocked ? `staff ${d.staff} unblocked` : `staff ${d.staff} was not blocked; failed attempts cleared`,
      ),
    );

  const profile = hq
    .command("profile")
    .addHelpText("after", "\nExamples:\n  pos hq profile set DEFAULT timeoutInterval 2")
    .description("offline profiles");
  leaf(profile.command("set <profileId> <field> <value>"), "pos hq profile set DEFAULT timeoutInterval 2")
    .description(
      "set an offline profile field: timeoutInterval (s), reconnectInterval (min), allowManualOfflineBeforeSignIn, advancedOfflineSwitching, healthCheckInterval (min), pauseOfflineSync, downloadInterval (s), uploadInterval (s), slowResponseThreshold (ms, 0 = off), slowResponseCount (answers in a row, 0 = off), offlineDataExclusion (download jobs, e.g. 1010,1040), name",
    )
    .action(
      hqAction(
        async (c, _o, id: string, field: string, value: string) => {
          const { profileFieldValue } = await import("../lib/admin-client.js");
          return c.setProfile(id, profileFieldValue(field, value));
        },
        versioned((d) => `offline profile ${d.profile.id} updated`),
      ),
    );

  const registerCmd = hq
    .command("register")
    .addHelpText("after", "\nExamples:\n  pos hq register set SEA01-R2 --supports-offline true")
    .description("registers");
  leaf(registerCmd.command("set <id>"), "pos hq register set SEA01-R2 --supports-offline true")
    .description("change a register")
    .option("--supports-offline <bool>", "true or false")
    .option("--offline-profile <id>", "offline profile id")
    .option("--name <name>", "register name")
    .option("--receipt-mask <mask>", "receipt/transaction number mask")
    .action(
      hqAction(
        async (
          c,
          o: ConnectionOptions & {
            supportsOffline?: string;
            offlineProfile?: string;
            name?: string;
            receiptMask?: string;
          },
          id: string,
        ) => {
          const { parseBoolean } = await import("../lib/admin-client.js");
          const body = {
            ...(o.supportsOffline ? { supportsOffline: parseBoolean(o.supportsOffline, "--supports-offline") } : {}),
            ...(o.offlineProfile ? { offlineProfileId: o.offlineProfile } : {}),
            ...(o.name ? { name: o.name } : {}),
            ...(o.receiptMask ? { receiptMask: o.receiptMask } : {}),
          };
          if (Object.keys(body).length === 0)
            throw new UsageError("register set: nothing to change (give --supports-offline, …)");
          return c.setRegister(id, body);
        },
        versioned(
          (d) =>
            `register ${d.register.id}: supports offline ${d.register.supportsOffline ? "yes" : "no"}, profile ${d.register.offlineProfileId}`,
        ),
      ),
    );
  registerChainCommands(hq, registerCmd);
}
