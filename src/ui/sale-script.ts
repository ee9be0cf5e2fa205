// `pos sale` off a terminal: the same commands read line by line (scriptable), one plain line per outcome.
import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import { CartError } from "../domain/cart.js";
import { InterruptedError, UsageError } from "../lib/errors.js";
import type { ConnectionMode } from "../register/failover.js";
import { trapInterrupts } from "./interrupts.js";
import { renderReceipt } from "./receipt.js";
import { parseSaleCommand } from "./sale-commands.js";
import { errorLine, isBusinessError, type SaleRunner, type StepResult } from "./sale-runner.js";

export interface SaleScriptOptions {
  staff: string | undefined;
  password: string | undefined;
  /** --offline: sign in offline (the offline profile must allow manual offline before sign-in). */
  offline?: boolean;
  input: Readable;
}

export interface ScriptFailure {
  line: number;
  command: string;
  code: string;
  message: string;
}

export interface SaleScriptResult {
  register: string;
  /** The connection mode when the script ended. */
  mode: ConnectionMode;
  commands: number;
  receipts: ReturnType<SaleRunner["receiptDocuments"]>;
  failed: ScriptFailure[];
  /** Lines left in the cart, unpaid, when the input ended (they are dropped). */
  abandonedLines: number;
  interrupted: boolean;
  /** Carts suspended in this run (id, where kept, lines) and the ids recalled. */
  suspended: SaleRunner["suspended"];
  recalled: string[];
  /** The last `journal` shown, and the last `recall` list (null when the script asked for none). */
  journal: SaleRunner["lastJournal"];
  carts: SaleRunner["lastCarts"];
}

export async function runSaleScript(runner: SaleRunner, options: SaleScriptOptions): Promise<SaleScriptResult> {
  const out = runner.output;
  if (!options.staff) throw new UsageError("pos sale off a terminal needs --staff <id>", "MissingStaff");
  if (options.password === undefined) {
    throw new UsageError("pos sale off a terminal needs --password <p> or env POS_PASSWORD", "MissingPassword");
  }
  const signIn = await runner.signIn(options.staff, options.password, { offline: options.offline ?? false });
  for (const line of signIn.lines) out.print(line);
  const failed: ScriptFailure[] = [];
  let commands = 0;
  let lineNo = 0;
  const reader = createInterface({ input: options.input, crlfDelay: Number.POSITIVE_INFINITY, terminal: false });
  let busy = false;
  // Idle on input, Ctrl-C ends the script at once; during a step it ends it after the step.
  const trap = trapInterrupts(() => {
    if (!busy) reader.close();
  });
  try {
    for await (const text of reader) {
      lineNo++;
      const typed = text.trim();
      if (typed === "" || typed.startsWith("#")) continue;
      commands++;
      busy = true;
      try {
        const result = await run(runner, parseSaleCommand(typed));
        if (result === "quit") break;
        print(runner, result);
      } catch (error) {
        if (!isBusinessError(error)) throw error;
        for (const notice of runner.notices()) out.print(notice);
        failed.push({ line: lineNo, command: typed, code: error.code, message: errorLine(error) });
        out.warn(`✖ line ${lineNo} "${typed}": ${errorLine(error)}`);
      } finally {
        busy = false;
      }
      if (trap.requested) break;
    }
  } finally {
    reader.close();
    trap.dispose();
  }
  const abandonedLines = runner.session.cart.lines.length;
  if (abandonedLines > 0) {
    const recalled = runner.session.recalledCart;
    out.warn(
      `the cart still had ${abandonedLines} line(s), not paid: the sale was canceled${recalled ? ` (it was recalled from ${recalled}, which is no longer suspended: suspend the cart again to keep it)` : ""}`,
    );
    runner.session.cancel();
  }
  return {
    register: runner.runtime.context.registerId,
    mode: runner.runtime.manager.mode,
    commands,
    receipts: runner.receiptDocuments(),
    failed,
    abandonedLines,
    interrupted: trap.requested,
    suspended: runner.suspended,
    recalled: runner.recalled,
    journal: runner.lastJournal,
    carts: runner.lastCarts,
  };
}

/** Throws (InterruptedError) when the script was stopped with Ctrl-C; completed sales are already stored. */
export function checkInterrupted(result: SaleScriptResult): void {
  if (result.interrupted) throw new InterruptedError();
}

async function run(runner: SaleRunner, command: ReturnType<typeof parseSaleCommand>): Promise<StepResult | "quit"> {
  if (command.kind === "quit") return "quit";
  if (command.kind === "pay") {
    if (!command.tender) {
      const names = runner.session.availableTenders().map((t) => t.id);
      throw new CartError("BadEntry", `off a terminal, name the tender: pay <tender> [amount] (${names.join(", ")})`);
    }
    return runner.pay(command.tender, command.amount);
  }
  return runner.step(command);
}

function print(runner: SaleRunner, result: StepResult): void {
  const out = runner.output;
  for (const line of result.lines) out.print(line);
  if (result.panel) out.print(result.panel);
  if (result.receipt) out.print(renderReceipt(result.receipt, out.color));
}
