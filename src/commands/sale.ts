// `pos sale`: the interactive sale screen on a terminal; off a terminal, sale commands read line by line from stdin.
import type { Command } from "commander";
import type { Deps } from "../lib/deps.js";
import type { InDoubtResolution } from "../register/sale-session.js";
import { action } from "./action.js";

interface SaleOptions {
  register?: string;
  staff?: string;
  password?: string;
  offline?: boolean;
}

const EXAMPLES = `
Examples:
  pos sale --register SEA01-R1 --staff 000160
  pos sale --staff 000160 --offline      # sign in offline (profile: allowManualOfflineBeforeSignIn)
  printf '1001\\n3 x 1002\\npay cash 50\\nquit\\n' | POS_PASSWORD=1234 pos sale --staff 000160 --json

Off a terminal each stdin line is one command (as typed at the prompt; type help there for the list):
  an item id or barcode, 3 x <code>, void <line>, disc <line> <pct>, customer <id|search>,
  customer new <name> [--email e] [--phone p] (operation 612; offline: Pending sync),
  pay <tender> [amount], 917, status, cancel, quit,
  return <transaction id> [<line>[:<qty>] …] (then pay <tender> refunds; offline: this register's sales only),
  suspend, recall [<cart id>], journal [n] (offline: this register's own data, as D365 marks them).
  printf 'return SEA01-R1-000001 1:1\npay cash\nquit\n' | POS_PASSWORD=1234 pos sale --staff 000160 --json
With --json one document is printed at the end: {register, mode, commands, receipts, failed, suspended,
recalled, journal, carts, ...}; a return's receipt carries returnOf and negative totals and tenders.
Exit 0 when every command succeeded, 1 when any failed, 3 when the server is needed and there is no
offline fallback, 130 on Ctrl-C (completed sales are stored before their receipt, never lost).`;

export function register(program: Command): void {
  program
    .command("sale")
    .option("--register <id>", "register id (env POS_REGISTER; default: the only provisioned register)")
    .option("--staff <id>", "staff id to sign in with (env POS_STAFF; asked for on a terminal)")
    .option("--password <password>", "staff password (env POS_PASSWORD; asked for on a terminal)")
    .option(
      "--offline",
      "sign in offline (operation 917 before sign-in; the offline profile must allow manual offline before sign-in)",
    )
    .addHelpText("after", EXAMPLES)
    .action(action(sale));
}

async function sale(deps: Deps, options: SaleOptions): Promise<void> {
  const [
    { resolveRegisterId },
    { openRegister },
    { registerStatus, saleHeaderFacts },
    { appendJournal },
    runnerModule,
  ] = await Promise.all([
    import("../register/config.js"),
    import("../register/runtime.js"),
    import("../register/status.js"),
    import("../replay/journal.js"),
    import("../ui/sale-runner.js"),
  ]);
  const { paths, clock, output, env } = deps;
  const registerId = resolveRegisterId(paths, options.register, env);
  const switches = runnerModule.createSwitchQueue();
  const resolutions = runnerModule.createQueue<InDoubtResolution>();
  const runtime = await openRegister({
    paths,
    clock,
    registerId,
    onSwitch: switches.push,
    onResolved: resolutions.push,
    journal: (receipt) => {
      // The sale is already durable when this runs: a journal that cannot be written must not hide its receipt.
      try {
        appendJournal(paths, registerId, receipt);
      } catch (error) {
        output.warn(`sale ${receipt.transaction.id} not journaled: ${(error as Error).message}`);
      }
    },
  });
  const runner = new runnerModule.SaleRunner({
    runtime,
    output,
    storeName: runtime.local.store(runtime.context.store)?.name ?? null,
    switches,
    resolutions,
    facts: () => saleHeaderFacts(runtime.local, clock.now()),
    connectionStatus: () => registerStatus({ paths, clock, registerId, probe: true }),
    startBackgroundSync: (rt) => rt.startSync(),
  });
  const staff = options.staff ?? env.POS_STAFF;
  const password = options.password ?? env.POS_PASSWORD;
  try {
    if (output.interactive && process.stdin.isTTY) {
      const { runSaleScreen } = await import("../ui/sale-screen.js");
      await runSaleScreen(runner, {
        ...(staff ? { staff } : {}),
        ...(password !== undefined ? { password } : {}),
        ...(options.offline ? { offline: true } : {}),
      });
      return;
    }
    const { runSaleScript, checkInterrupted } = await import("../ui/sale-script.js");
    const result = await runSaleScript(runner, {
      staff,
      password,
      input: process.stdin,
      ...(options.offline ? { offline: true } : {}),
    });
    output.result(result, (data: typeof result) => summary(data));
    checkInterrupted(result);
    if (result.failed.length > 0) {
      const { OperationError } = await import("../lib/errors.js");
      throw new OperationError(
        `${result.failed.length} of ${result.commands} sale commands failed (first: line ${result.failed[0]?.line}, ${result.failed[0]?.message})`,
        "SaleCommandsFailed",
      );
    }
  } finally {
    await runner.close();
    await runtime.close();
  }
}

function summary(data: {
  receipts: ReadonlyArray<{ status: string }>;
  failed: readonly unknown[];
  mode: string;
  commands: number;
}): string {
  const pending = data.receipts.filter((r) => r.status === "pending").length;
  const stored = data.receipts.length - pending;
  return `${data.receipts.length} sale(s) completed (${stored} stored at the server, ${pending} pending upload); ${data.failed.length} of ${data.commands} commands failed; mode ${data.mode}`;
}
